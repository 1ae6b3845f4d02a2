import Foundation
import Notebook
import Plot
import Testing
import TestSupport

/// plot(table) with no x, y or by draws the chart the table calls for: each
/// decoded to check its series colours, its legend and that it is never the
/// "no data" chart for a table that has numbers.
@Suite("Default charts", .serialized)
struct DefaultChartTests {
    static func session() throws -> (Transcript, String) {
        let dir = try TemporaryDirectory().path
        let t = Transcript()
        let setup = t.run("""
            d = demo(n=1500, seed=2)
            t = trainer(policy(d), d, method="fairgrpo", batch=32, seed=0)
            step(t, 12, every=0)
            r = compare(d, methods=["grpo", "fairgrpo"], seeds=[0, 1], steps=6, eval_every=3, progress=false)
            """)
        #expect(setup.status == .ok, "\(setup.output)")
        return (t, dir)
    }

    /// Pixels of series colour `i` in a box (the legend's place, right of a plot area).
    static func legendHas(_ d: Decoded, _ i: Int, x0: Int, x1: Int, y0: Int = 40, y1: Int = 100) -> Bool {
        d.count(Color.series(i), x0: x0, y0: y0, x1: x1, y1: y1) > 5
    }

    @Test("plot(history(t)): reward and live share over steps, two colours and a legend")
    func history() throws {
        let (t, dir) = try Self.session()
        let out = t.run("plot(history(t), to=\"\(dir)/h.png\")")
        #expect(out.status == .ok && out.output.contains("wrote \(dir)/h.png"), "\(out.output)")
        let d = try Decoded(file: "\(dir)/h.png")
        #expect(d.count(Color.series(0), x0: 60, y0: 44, x1: 700, y1: 428) > 100 && d.count(Color.series(1), x0: 60, y0: 44, x1: 700, y1: 428) > 100)
        #expect(Self.legendHas(d, 0, x0: 720, x1: 800) && Self.legendHas(d, 1, x0: 720, x1: 800))
    }

    @Test("plot(r.dynamics): one line per method for each metric, side by side, each with a legend")
    func dynamics() throws {
        let (t, dir) = try Self.session()
        #expect(t.run("plot(r.dynamics, to=\"\(dir)/dyn.png\")").status == .ok)
        let d = try Decoded(file: "\(dir)/dyn.png")
        for panel in [0, 400] {
            #expect(d.count(Color.series(0), x0: panel + 50, y0: 44, x1: panel + 300, y1: 428) > 40, "grpo's line in panel at \(panel)")
            #expect(d.count(Color.series(1), x0: panel + 50, y0: 44, x1: panel + 300, y1: 428) > 40, "fairgrpo's line in panel at \(panel)")
            #expect(Self.legendHas(d, 0, x0: panel + 300, x1: panel + 400) && Self.legendHas(d, 1, x0: panel + 300, x1: panel + 400))
        }
    }

    @Test("plot(table): series come from the table's keys, so an added text column is not a series")
    func seriesFromKeys() throws {
        let (t, dir) = try Self.session()
        let out = t.run("""
            n = r.dynamics.with_column("note", fn(row) { f"at step {row.step}" })
            plot(n, to="\(dir)/keys.png")
            """)
        #expect(out.status == .ok, "\(out.output)")
        let d = try Decoded(file: "\(dir)/keys.png")
        // Two methods, two colours: one line per method, not one per (method, note).
        #expect(d.count(Color.series(0)) > 40 && d.count(Color.series(1)) > 40)
        #expect(d.count(Color.series(2)) == 0 && d.count(Color.series(3)) == 0)
    }

    @Test("plot(weights(t)): a bar of weight per (domain, group)")
    func weights() throws {
        let (t, dir) = try Self.session()
        let out = t.run("plot(weights(t), to=\"\(dir)/w.png\")")
        #expect(out.status == .ok, "\(out.output)")
        let d = try Decoded(file: "\(dir)/w.png")
        #expect(d.count(Color.series(0)) > 500, "bars drawn, not the no-data chart")
    }

    @Test("plot(r) on a comparison: the paper's table as grouped bars with error bars, a colour per method")
    func comparison() throws {
        let (t, dir) = try Self.session()
        #expect(t.run("plot(r, to=\"\(dir)/c.png\")").status == .ok)
        let d = try Decoded(file: "\(dir)/c.png")
        for panel in [0, 400] {
            #expect(d.count(Color.series(0), x0: panel, y0: 44, x1: panel + 310, y1: 400) > 100)
            #expect(d.count(Color.series(1), x0: panel, y0: 44, x1: panel + 310, y1: 400) > 100)
            #expect(Self.legendHas(d, 0, x0: panel + 300, x1: panel + 400) && Self.legendHas(d, 1, x0: panel + 300, x1: panel + 400))
        }
        // Error bars are drawn in the text colour across the bars.
        #expect(d.count(Color.text, x0: 60, y0: 50, x1: 300, y1: 380) > 30)
    }

    @Test("a table with nothing numeric, or only missing values, is an error that says what to pass")
    func errors() throws {
        let (t, _) = try Self.session()
        let text = t.run("plot({name: [\"a\", \"b\"], where: [\"x\", \"y\"]})")
        #expect(text.status == .runtimeError && text.output.contains("no column of numbers") && text.output.contains("y="), "\(text.output)")
        let missing = t.run("plot([none, none], y=\"value\")")
        #expect(missing.status == .runtimeError && missing.output.contains("nothing to draw"), "\(missing.output)")
    }
}
