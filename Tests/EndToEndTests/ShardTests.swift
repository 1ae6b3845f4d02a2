import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A study as separate processes: `fairgrpo run --shard i/n` (or a Slurm
/// array task's variables) trains a share of every compare() into its
/// results folder, a plain run assembles the tables, `fairgrpo status` counts.
@Suite("fairgrpo run --shard and fairgrpo status")
struct ShardTests {
    /// Two comparisons, each writing its table as CSV and printing itself.
    static let study = """
        d = demo(n=700)
        a = compare(d, methods=["grpo", "fairgrpo"], seeds=[0, 1, 2], steps=4, eval_every=2, G=4, batch=16, hidden=[8], n_boot=100, progress=false, results="store")
        print(a)
        a.table.to_csv("a.csv")
        b = compare(d, methods=["grpo_dro"], seeds=[3, 4], steps=3, eval_every=0, G=4, batch=16, hidden=[8], n_boot=0, progress=false, results="store")
        print(b)
        b.dynamics.to_csv("b.csv")
        """

    func folder(_ script: String) throws -> URL {
        let dir = try temporaryDirectory()
        try Data(script.utf8).write(to: dir.appendingPathComponent("study.fg"))
        return dir
    }

    func read(_ dir: URL, _ name: String) throws -> String {
        String(decoding: try Data(contentsOf: dir.appendingPathComponent(name)), as: UTF8.self)
    }

    @Test("three shards (one from Slurm's variables), then an unsharded run: the same output and CSVs as one plain run")
    func shardsAssembleBitIdentically() throws {
        let plain = try folder(Self.study), sharded = try folder(Self.study)
        defer { try? FileManager.default.removeItem(at: plain); try? FileManager.default.removeItem(at: sharded) }
        let reference = try fairgrpo(["run", "study.fg"], in: plain, timeout: 300)
        #expect(reference.status == 0, "\(reference.stderr)")

        let first = try fairgrpo(["run", "--shard", "0/3", "study.fg"], in: sharded, timeout: 300)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("one shard's share: 2 of 6 runs"), "\(first.stdout)")
        let status = try fairgrpo(["status", "store"], in: sharded)
        #expect(status.status == 1)
        #expect(status.stdout.contains("grpo, fairgrpo × seeds 0, 1, 2: 6 runs\n  stored 2 · remaining 4 · failed 0"), "\(status.stdout)")
        #expect(status.stdout.contains("remaining: grpo seed 1, grpo seed 2, fairgrpo seed 1, fairgrpo seed 2"), "\(status.stdout)")
        // Shard 1 as a Slurm array task (--array=5-7: task 6 is the second).
        let second = try fairgrpo(["run", "study.fg"], in: sharded, environment: [
            "SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "5"], timeout: 300)
        #expect(second.status == 0, "\(second.stderr)")
        let third = try fairgrpo(["run", "--shard", "2/3", "study.fg"], in: sharded, timeout: 300)
        #expect(third.status == 0, "\(third.stderr)")
        let done = try fairgrpo(["status", "store"], in: sharded)
        #expect(done.status == 0, "\(done.stdout)")
        #expect(done.stdout.components(separatedBy: "remaining 0 · failed 0").count == 3, "\(done.stdout)")

        let assembled = try fairgrpo(["run", "study.fg"], in: sharded, timeout: 300)
        #expect(assembled.status == 0, "\(assembled.stderr)")
        #expect(assembled.stdout == reference.stdout, "\(difference(assembled.stdout, reference.stdout))")
        #expect(try read(sharded, "a.csv") == read(plain, "a.csv"))
        #expect(try read(sharded, "b.csv") == read(plain, "b.csv"))
    }

    @Test("bad --shard, a shard of a compare() without results=, bad Slurm variables, and status of a folder without plans")
    func errors() throws {
        let dir = try folder("c = compare(demo(n=300), methods=[\"grpo\"], seeds=[0], steps=1, progress=false)\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        for bad in ["1/1", "x", "2", "0/0"] {
            let r = try fairgrpo(["run", "--shard", bad, "study.fg"], in: dir)
            #expect(r.status == 64, "\(bad): \(r.stderr)")
            #expect(r.stderr.contains("--shard"), "\(bad): \(r.stderr)")
        }
        let noStore = try fairgrpo(["run", "--shard", "0/2", "study.fg"], in: dir)
        #expect(noStore.status == 70)
        #expect(noStore.stderr.hasPrefix("study.fg:1:5: error: compare(): this is shard 0/2 of a study"), "\(noStore.stderr)")
        let slurm = try fairgrpo(["run", "study.fg"], in: dir, environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "2"])
        #expect(slurm.status == 64)
        #expect(slurm.stderr.contains("Slurm array task 4 is not one of 2 tasks"), "\(slurm.stderr)")
        // --shard 0/1 runs everything, even inside an array job.
        let whole = try fairgrpo(["run", "--shard", "0/1", "study.fg"], in: dir, environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let empty = try fairgrpo(["status", "."], in: dir)
        #expect(empty.status == 66 && empty.stderr.contains("no comparison has been planned here"), "\(empty.stderr)")
        let missing = try fairgrpo(["status", "nowhere"], in: dir)
        #expect(missing.status == 66 && missing.stderr.contains("nowhere: cannot be read"), "\(missing.stderr)")
    }

    @Test("a study killed mid-way resumes: stored runs are read, the rest trained, the table as if never stopped")
    func killedStudyResumes() throws {
        let script = """
            c = compare(demo(n=700), methods=["grpo", "fairgrpo"], seeds=[0, 1], steps=300, eval_every=0, G=4, batch=16, hidden=[8], n_boot=0, workers=1, results="store")
            c.table.to_csv("t.csv")
            """
        let plain = try folder(script), killed = try folder(script)
        defer { try? FileManager.default.removeItem(at: plain); try? FileManager.default.removeItem(at: killed) }
        let reference = try fairgrpo(["run", "study.fg"], in: plain, timeout: 300)
        #expect(reference.status == 0, "\(reference.stderr)")
        // Killed (SIGKILL: no chance to clean up) once the first run is stored.
        let process = try fairgrpoProcess(["run", "study.fg"], in: killed)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let runs = killed.appendingPathComponent("store/runs")
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter({ $0.hasSuffix(".run") }).isEmpty {
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let stored = try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { $0.hasSuffix(".run") }.count
        #expect(stored >= 1 && stored < 4)
        let resumed = try fairgrpo(["run", "study.fg"], in: killed, timeout: 300)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("results: store: \(stored) run\(stored == 1 ? "" : "s") read, \(4 - stored) run\(stored == 3 ? "" : "s") trained and stored"), "\(resumed.stderr)")
        #expect(try read(killed, "t.csv") == read(plain, "t.csv"))
    }
}
