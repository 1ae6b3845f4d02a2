import Foundation
import Testing
import TestSupport

/// to_csv round trips: pandas reads what fairgrpo writes, every numeric
/// column numeric and equal to the full-precision values the table holds
/// (its to_json export). Needs python3 with pandas (pip install pandas).
@Suite("table exports")
struct TableExportTests {
    static var pandasAvailable: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import pandas"]
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    @Test("to_csv of weights, history, reports and by-group tables reads back in pandas with the same float64 values",
          .enabled(if: pandasAvailable))
    func pandasRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            d = demo(n=1500, seed=2)
            train, test = split(d, test=0.2, seed=0)
            t = trainer(policy(train, hidden=[16]), train, method="fairgrpo", G=4, batch=64, eval_every=2, eval_data=test, seed=0)
            step(t, 4, every=100)
            r = evaluate(t.policy, test)
            tables = {weights: weights(t), history: history(t), groups: history(t, groups=true), fairness: history(t, fairness=true),
                      by_group: r.by_group, report: r.table}
            for name in keys(tables) {
                tables[name].to_csv(name + ".csv")
                tables[name].to_json(name + ".json")
            }
            back = load_table("weights.csv")
            print(back.mu_d == weights(t).mu_d, back.weight == weights(t).weight)
            """
        try Data(script.utf8).write(to: dir.appendingPathComponent("export.fg"))
        let result = try fairgrpo(["run", "export.fg"], in: dir, timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("true true\n"), "\(result.stdout)")
        let names = ["weights", "history", "groups", "fairness", "by_group", "report"]
        let checker = Process()
        checker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        checker.arguments = ["python3", Paths.packageRoot.appendingPathComponent("scripts/check_table_csv.py").path]
            + names.flatMap { [dir.appendingPathComponent("\($0).csv").path, dir.appendingPathComponent("\($0).json").path] }
        let out = Pipe()
        checker.standardOutput = out
        checker.standardError = out
        try checker.run()
        checker.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(checker.terminationStatus == 0, "\(text)")
        #expect(text.contains("checked 6 tables: ok"), "\(text)")
    }
}
