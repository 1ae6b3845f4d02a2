import Data
import Foundation
import Lang
import Notebook
import RL
import Tensors
import Testing
import TestSupport

/// compare() on several cores, with a results store, and in shards: the
/// tables are the same bits whichever way the runs were trained.
@Suite("compare(): workers, results store, shards", .serialized)
struct ComparisonScalingTests {
    static func folder() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compare-scale-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let tables = ["table", "by_group", "dynamics", "frontier", "matched", "differences", "runs"]

    /// Every table of comparison `name` as CSV text (the runs table without its
    /// seconds, which are wall time), written by the session and read back.
    static func csvs(_ s: Transcript, _ name: String, in dir: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for t in tables {
            // differences: none without intervals or with one method.
            if s.run("print(\(name).\(t) == none)").output == "true\n" { continue }
            let path = "\(dir)/\(name)-\(t).csv"
            let r = s.run("\(name).\(t).to_csv(\"\(path)\")")
            // c.matched may have no F1 level every run reaches: then its error is what is compared.
            guard r.status == .ok else { out[t] = r.output.components(separatedBy: "error: ").last?.components(separatedBy: "\n").first ?? ""; continue }
            var text = try String(contentsOfFile: path, encoding: .utf8)
            if t == "runs" {
                let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
                let column = try #require(rows[0].firstIndex(of: "seconds"))
                text = rows.map { row in row.enumerated().filter { $0.offset != column }.map(\.element).joined(separator: ",") }.joined(separator: "\n")
            }
            out[t] = text
        }
        return out
    }

    /// 512 rollouts a step through a 64-wide layer: products big enough that one worker
    /// splits them over two threads and several workers do not.
    static let study = """
        data = demo(n=900)
        fn study(workers, results=none) {
            return compare(data, methods=["grpo", "fairgrpo", "grpo_dro"], seeds=[0, 1, 2], steps=6, eval_every=2, G=8, batch=64,
                           hidden=[64], n_boot=200, progress=false, workers=workers, results=results)
        }
        """

    @Test("workers=3 gives bit for bit the tables of workers=1: table, by_group, dynamics, frontier, matched, differences, runs")
    func workersAreInvisible() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Transcript()
        #expect(s.run(Self.study).status == .ok)
        let one = s.run("a = study(1)"), three = s.run("b = study(3)")
        #expect(one.status == .ok && three.status == .ok, "\(one.output) \(three.output)")
        let a = try Self.csvs(s, "a", in: dir), b = try Self.csvs(s, "b", in: dir)
        for t in Self.tables {
            #expect(a[t] == b[t], "\(t) differs between workers=1 and workers=3")
            if t != "matched" { #expect((a[t]?.split(separator: "\n").count ?? 0) > 1, "\(t) is empty") }
        }
        // The printed comparison too, and the runs in method-major order whatever order they finished in.
        #expect(s.run("print(a)").output == s.run("print(b)").output)
        #expect(s.run("print(b.runs[\"method\"], b.runs[\"seed\"])").output
                == "[\"grpo\", \"grpo\", \"grpo\", \"fairgrpo\", \"fairgrpo\", \"fairgrpo\", \"grpo_dro\", \"grpo_dro\", \"grpo_dro\"] [0, 1, 2, 0, 1, 2, 0, 1, 2]\n")
    }

    @Test("results=: each run is stored as it finishes and read back instead of trained; the tables are the same")
    func storeResumes() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Transcript()
        #expect(s.run(Self.study).status == .ok)
        #expect(s.run("a = study(2, results=\"\(dir)/store\")").status == .ok)
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/store/runs").filter { $0.hasSuffix(".run") }
        #expect(files.count == 9)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/store").filter { $0.hasPrefix("plan-") }.count == 1)
        // Again: nothing trains (each stored run carries its wall time, which a new training would change).
        #expect(s.run("b = study(1, results=\"\(dir)/store\")").status == .ok)
        #expect(s.run("print(a.runs[\"seconds\"] == b.runs[\"seconds\"])").output == "true\n")
        let a = try Self.csvs(s, "a", in: dir), b = try Self.csvs(s, "b", in: dir)
        for t in Self.tables { #expect(a[t] == b[t], "\(t) differs after reading the store") }
        guard case .object(let o)? = s.value("b"), let c = o as? ComparisonObject else { Issue.record("no comparison"); return }
        #expect(c.comparison.stored == 9)
    }

    @Test("a changed setting gives new keys: nothing stored is reused for it")
    func changedSettingRetrains() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Transcript()
        func call(_ change: [String: String]) -> String {
            var options = ["steps": "4", "eval_every": "2", "hidden": "[8]", "lr": "0.003", "holdout": "0.2"]
            options.merge(change) { $1 }
            return "compare(demo(n=600), methods=[\"grpo\"], seeds=[0, 1], G=4, batch=16, n_boot=0, progress=false, results=\"\(dir)\", "
                + options.keys.sorted().map { "\($0)=\(options[$0]!)" }.joined(separator: ", ") + ")"
        }
        for (name, change) in [("a", [:]), ("b", ["lr": "0.01"]), ("c", ["steps": "5"]), ("d", ["hidden": "[9]"]), ("e", ["eval_every": "1"]),
                               ("f", ["holdout": "0.3"]), ("g", [:])] {
            let r = s.run("\(name) = " + call(change))
            #expect(r.status == .ok, "\(r.output)")
        }
        func stored(_ name: String) -> Int {
            guard case .object(let o)? = s.value(name), let c = o as? ComparisonObject else { return -1 }
            return c.comparison.stored
        }
        #expect(["a", "b", "c", "d", "e", "f", "g"].map(stored) == [0, 0, 0, 0, 0, 0, 2])
        let runs = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/runs").filter { $0.hasSuffix(".run") }
        #expect(runs.count == 12)
    }

    @Test("a damaged, truncated, forged or foreign run file is trained again with a warning naming it, never trusted")
    func damagedFiles() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Transcript()
        let call = "compare(demo(n=600), methods=[\"grpo\", \"fairgrpo\"], seeds=[0], steps=4, eval_every=2, G=4, batch=16, hidden=[8], n_boot=0, progress=false, results=\"\(dir)\")"
        #expect(s.run("a = " + call).status == .ok)
        let a = try Self.csvs(s, "a", in: dir)
        let runs = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/runs").filter { $0.hasSuffix(".run") }.sorted()
        #expect(runs.count == 2)
        let first = "\(dir)/runs/\(runs[0])", second = "\(dir)/runs/\(runs[1])"
        let original = try Data(contentsOf: URL(fileURLWithPath: first))
        var flipped = original
        flipped[40] ^= 0x10
        let cases: [(String, Data, String)] = [
            ("a flipped byte", flipped, "checksum mismatch"),
            ("truncated", original.prefix(30), "checksum mismatch"),
            ("empty", Data(), "not a fairgrpo run file"),
            ("another run's file", try Data(contentsOf: URL(fileURLWithPath: second)), "renamed or copied file"),
            ("text", Data("hello\n".utf8), "not a fairgrpo run file"),
            ("a huge claimed size", Self.claiming(answers: 1 << 31, like: original), "answers but only"),
        ]
        for (what, bytes, reason) in cases {
            try bytes.write(to: URL(fileURLWithPath: first))
            let r = s.run("b = " + call)
            #expect(r.status == .ok, "\(what): \(r.output)")
            #expect(r.output.contains("warning: compare(): \(first): "), "\(what): \(r.output)")
            #expect(r.output.contains(reason) && r.output.contains("seed 0 again"), "\(what): \(r.output)")
            let b = try Self.csvs(s, "b", in: dir)
            for t in Self.tables where t != "runs" { #expect(a[t] == b[t], "\(what): \(t)") }
            // Trained again and stored again: the file is whole.
            let rewritten = try Data(contentsOf: URL(fileURLWithPath: first))
            #expect(rewritten.count == original.count, "\(what)")
        }
    }

    /// A run file whose answer count claims `answers`, with a valid checksum.
    static func claiming(answers: UInt32, like file: Data) -> Data {
        var bytes = [UInt8](file.prefix(file.count - 4))
        // magic(8) version(4) key(4+32) method(4+n) seed(8) steps(8) reported(8) seconds(8), then the count.
        let methodLength = Int(bytes[48]) | Int(bytes[49]) << 8
        let at = 8 + 4 + 36 + 4 + methodLength + 32
        for k in 0..<4 { bytes[at + k] = UInt8((answers >> (8 * UInt32(k))) & 0xFF) }
        let crc = CRC32.checksum(bytes)
        for k in 0..<4 { bytes.append(UInt8((crc >> (8 * UInt32(k))) & 0xFF)) }
        return Data(bytes)
    }

    @Test("shards: each trains its share into the store; an unsharded run then assembles the same tables as a plain run")
    func shardsAssemble() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Transcript()
        #expect(s.run(Self.study).status == .ok)
        #expect(s.run("plain = study(1)").status == .ok)
        var partial: [Int] = []
        for i in 0..<4 {
            s.session.shard = try Shard(index: i, count: 4)
            let r = s.run("part = study(1, results=\"\(dir)/store\")\nprint(part)")
            #expect(r.status == .ok, "\(r.output)")
            guard case .object(let o)? = s.value("part"), let c = o as? ComparisonObject else { Issue.record("no comparison"); return }
            partial.append(c.comparison.runs.count - c.comparison.stored)
            // The shards run one after another here, so the last finds every other run stored: its comparison is whole.
            if i < 3 {
                #expect(r.output.contains("other shards'"), "\(r.output)")
                #expect(c.evidence == nil && c.comparison.elsewhere > 0)
            } else {
                #expect(c.evidence != nil && c.comparison.elsewhere == 0)
            }
        }
        // Runs 0, 4, 8 / 1, 5 / 2, 6 / 3, 7 of the nine.
        #expect(partial == [3, 2, 2, 2])
        s.session.shard = nil
        #expect(s.run("whole = study(2, results=\"\(dir)/store\")").status == .ok)
        guard case .object(let o)? = s.value("whole"), let c = o as? ComparisonObject else { Issue.record("no comparison"); return }
        #expect(c.comparison.stored == 9)
        let plain = try Self.csvs(s, "plain", in: dir), whole = try Self.csvs(s, "whole", in: dir)
        for t in Self.tables { #expect(plain[t] == whole[t], "\(t) differs between the assembled and the plain comparison") }
        #expect(s.run("print(plain)").output == s.run("print(whole)").output)
        let status = try StoreStatus.read("\(dir)/store")
        #expect(status.plans.count == 1 && status.plans[0].stored.count == 9 && status.plans[0].remaining.isEmpty)
    }

    @Test("a reward function written in the language trains one run at a time (the interpreter serves one thread), same results")
    func rewardFunctionStaysOnOneThread() throws {
        let s = Transcript()
        let setup = s.run("""
            fn utility(answer, label) {
                if answer == label { return 1 }
                return 0.25
            }
            d = demo(n=400)
            a = compare(d, methods=["grpo", "fairgrpo"], seeds=[0, 1], steps=3, eval_every=0, G=4, batch=16, hidden=[8], n_boot=0, progress=false, reward=utility, workers=1)
            b = compare(d, methods=["grpo", "fairgrpo"], seeds=[0, 1], steps=3, eval_every=0, G=4, batch=16, hidden=[8], n_boot=0, progress=false, reward=utility, workers=4)
            """)
        #expect(setup.status == .ok, "\(setup.output)")
        #expect(s.run("print(a)").output == s.run("print(b)").output)
        let r = s.run("compare(d, methods=[\"grpo\"], seeds=[0], steps=1, progress=false, reward=utility, results=\"\(Self.folder())\")")
        #expect(r.status == .runtimeError && r.output.contains("cannot store runs trained with a custom reward function"), "\(r.output)")
    }

    @Test("a shard without results= is a located error; workers must be at least 1")
    func badSettings() {
        let s = Transcript()
        s.session.shard = try? Shard(index: 1, count: 3)
        let r = s.run("c = compare(demo(n=300), methods=[\"grpo\"], seeds=[0], steps=1, progress=false)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("1:5: error: compare(): this is shard 1/3 of a study"), "\(r.output)")
        #expect(r.output.contains("give results="), "\(r.output)")
        s.session.shard = nil
        let w = s.run("compare(demo(n=300), methods=[\"grpo\"], seeds=[0], steps=1, progress=false, workers=0)")
        #expect(w.status == .runtimeError && w.output.contains("workers must be at least 1"), "\(w.output)")
        let f = s.run("compare(demo(n=300), methods=[\"grpo\"], seeds=[0], steps=1, progress=false, results=\"/dev/null/x\")")
        #expect(f.status == .runtimeError && f.output.contains("compare(): results: /dev/null/x"), "\(f.output)")
    }

    @Test("--shard syntax and Slurm array variables")
    func shardParsing() throws {
        #expect(try Shard.parse("0/4") == Shard(index: 0, count: 4))
        #expect(try Shard.parse("3/4") == Shard(index: 3, count: 4))
        for bad in ["4/4", "-1/4", "1/0", "a/b", "1", "1/2/3", "", "1/"] {
            #expect(throws: RLError.self, "\(bad)") { try Shard.parse(bad) }
        }
        #expect(try Shard.fromSlurm([:]) == nil)
        #expect(try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]) == Shard(index: 2, count: 4))
        // --array=1-4 and --array=0-6:2: the shard is the task's position in the array.
        #expect(try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"]) == Shard(index: 0, count: 4))
        #expect(try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0",
                                     "SLURM_ARRAY_TASK_STEP": "2"]) == Shard(index: 3, count: 4))
        #expect(throws: RLError.self) { try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "4"]) }
        #expect(throws: RLError.self) { try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"]) }
    }

    @Test("a run that fails is recorded (fairgrpo status lists it) and the error stops the comparison")
    func failureRecorded() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = SynthConfig()
        config.n = 300
        let data = try Dataset.synthesize(config)
        // Scored on data with other features: every run fails at its first evaluation.
        config.informative = 4
        let other = try Dataset.synthesize(config)
        let store = try ComparisonStore(directory: dir, train: data, evalData: other, steps: 2, evalEvery: 1, select: .final)
        #expect(throws: RLError.self) {
            try Comparison.run(methods: [.grpo], seeds: [0, 1], steps: 2, evalEvery: 1, evalData: other, workers: 2, store: store,
                               makeTrainer: ComparisonTests.factory(data))
        }
        let status = try StoreStatus.read(dir)
        #expect(status.plans.count == 1)
        let plan = status.plans[0]
        #expect(plan.runs == 2 && plan.stored.isEmpty)
        #expect(plan.failed.count >= 1 && plan.failed.count + plan.remaining.count == 2)
        #expect(plan.failed.allSatisfy { $0.message.contains("evaluation") }, "\(plan.failed)")
    }

    @Test("Ctrl-C with several workers: runs in flight are dropped, finished ones kept in run order")
    func stopKeepsFinished() throws {
        let data = try ComparisonTests.data(n: 300)
        var finished = 0
        let c = try Comparison.run(methods: [.grpo, .fairgrpo], seeds: [0, 1, 2], steps: 3, evalEvery: 0, evalData: data, workers: 2,
                                   makeTrainer: ComparisonTests.factory(data),
                                   progress: { if $0.finished { finished += 1 } }, shouldStop: { finished >= 2 })
        #expect(c.interrupted)
        #expect(c.runs.count >= 2 && c.runs.count < 6)
        let order = c.runs.map { "\($0.method.rawValue) \($0.seed)" }
        let all = ["grpo 0", "grpo 1", "grpo 2", "fairgrpo 0", "fairgrpo 1", "fairgrpo 2"]
        #expect(order == all.filter(order.contains))
    }
}
