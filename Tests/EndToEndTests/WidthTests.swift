import Foundation
import Testing
import TestSupport

/// Every builtin that prints a table or a report fits the width it is given:
/// run at 40, 80 and 120 columns, no printed line is longer.
@Suite("output fits the terminal width")
struct WidthTests {
    static let script = """
        d = demo(n=1500, seed=2)
        d
        describe(d)
        head(d, 3)
        train, test = split(d, test=0.2, seed=0)
        p = policy(train, hidden=[16], seed=0)
        t = trainer(p, mask(train, "sex", 0.3), method="fairgrpo", G=4, batch=64, eval_every=2, eval_data=test, seed=0)
        step(t, 4, every=100)
        weights(t)
        history(t)
        history(t, groups=true)
        history(t, fairness=true)
        trace(t)
        clusters(t)
        r = evaluate(p, test)
        r
        r.table
        r.by_group
        r.difference()
        confusion(test.labels, predict(p, test), test)
        elbow(pca(test, 2), kmax=4)
        align(t.clusters, t.truth)
        c = compare(d, methods=["grpo", "fairgrpo"], seeds=[0, 1], steps=3, eval_every=1, G=4, batch=16, hidden=[8], progress=false)
        c
        c.table
        c.by_group
        c.dynamics
        c.runs
        """

    @Test("tables, reports and records fit 40, 80 and 120 columns", arguments: [40, 80, 120])
    func fits(width: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("width-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.script.utf8).write(to: dir.appendingPathComponent("tables.fg"))
        let result = try fairgrpo(["run", "tables.fg"], in: dir, environment: ["COLUMNS": String(width)], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 100)
        // Training log lines (step N | …) are a progress stream, not a table.
        for line in lines where !line.hasPrefix("step ") || line.hasPrefix("step ·") {
            #expect(line.count <= width, "\(line.count) > \(width): \(line)")
        }
        // The tables were printed, with their ASCII names reachable and their size said when elided.
        #expect(result.stdout.contains("rows × "))
        #expect(result.stdout.contains("PP_pct"))
    }
}
