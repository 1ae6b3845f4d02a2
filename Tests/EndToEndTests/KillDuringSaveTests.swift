import Foundation
import Notebook
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A save killed at any moment (kill -9: no cleanup runs) leaves a
/// checkpoint that loads, the old one or the new one, and the temporaries
/// of killed saves do not pile up: the next save removes them.
@Suite("Killing a process while it saves", .serialized)
struct KillDuringSaveTests {
    static let trials = 24

    @Test("kill -9 at random moments of repeated saves: the file always loads, temporaries never pile up")
    func killWhileSaving() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("kill-save-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        // Every save replaces the file; the step between saves makes each one different.
        let script = """
            t = trainer(policy(demo(n=140), hidden=[8]), demo(n=140), G=2, batch=4)
            save(t, "run.ckpt")
            print("saving")
            while true {
                step(t)
                save(t, "run.ckpt")
            }

            """
        try Data(script.utf8).write(to: dir.appendingPathComponent("save.fg"))
        var rng = SystemRandomNumberGenerator()
        let loader = Session(sink: { _ in })
        var delays: [Int] = []
        var killedMidSave = 0
        for trial in 1...Self.trials {
            let out = dir.appendingPathComponent("out-\(trial)")
            try Data().write(to: out)
            let handle = try FileHandle(forWritingTo: out)
            let process = try fairgrpoProcess(["run", "save.fg"], in: dir)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            // Wait until it is inside the loop of saves, then kill it at a random moment.
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, Date() < deadline,
                  !((try? String(contentsOf: out, encoding: .utf8))?.contains("saving") ?? false) { usleep(5_000) }
            let delay = Int.random(in: 0..<250_000, using: &rng)
            delays.append(delay)
            usleep(UInt32(delay))
            #expect(process.isRunning, "trial \(trial): the script stopped: \((try? String(contentsOf: out, encoding: .utf8)) ?? "")")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? handle.close()

            #expect(loader.execute("t = load(\"\(dir.appendingPathComponent("run.ckpt").path)\")\n") == .ok,
                    "trial \(trial) (killed after \(delay / 1000) ms): the checkpoint does not load")
            let temporaries = try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("run.ckpt.tmp-") }
            // At most the killed process's own; earlier ones were removed by later saves.
            #expect(temporaries.count <= 1, "trial \(trial): temporaries \(temporaries)")
            if temporaries.contains("run.ckpt.tmp-\(process.processIdentifier)") { killedMidSave += 1 }
        }
        // Most kills land inside a save (the loop does little else), so the
        // temporaries' cleanup is exercised, not only the rename.
        print("kill -9 during save: \(killedMidSave) of \(Self.trials) kills left a temporary")
        #expect(killedMidSave >= 1)
        // One save that finishes removes the last killed process's temporary.
        try Data("t = load(\"run.ckpt\")\nsave(t, \"run.ckpt\")\n".utf8).write(to: dir.appendingPathComponent("finish.fg"))
        let finish = try fairgrpo(["run", "finish.fg"], in: dir)
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("run.ckpt.tmp-") } == [])
    }
}
