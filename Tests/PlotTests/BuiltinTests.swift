import Data
import Foundation
import Notebook
import Plot
import Testing
import TestSupport

/// The chart builtins run as language: on history(t), weights(t), pca/kmeans,
/// confusion() and align(), checking the files they write and what they print.
@Suite("Chart builtins", .serialized)
struct BuiltinTests {
    /// A session with a small FairGRPO run, writing into a fresh directory.
    static func trained() throws -> (Transcript, String) {
        let dir = try TemporaryDirectory().path
        let t = Transcript()
        let setup = t.run("""
            d = demo(n=1500, seed=2)
            t = trainer(policy(d), d, method="fairgrpo", batch=32, seed=0)
            step(t, 6, every=100)
            """)
        #expect(setup.status == .ok, "\(setup.output)")
        return (t, dir)
    }

    /// The `wrote PATH (W×H, N KB)` line the REPL prints, checked against the file.
    static func expectWrote(_ output: String, _ path: String, width: Int = 800, height: Int = 480,
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Decoded {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, sourceLocation: sourceLocation)
        #expect(output.contains("wrote \(path) (\(width)×\(height), \(size / 1024 + 1) KB)"), "printed: \(output)", sourceLocation: sourceLocation)
        let d = try Decoded(file: path)
        #expect(d.width == width && d.height == height, sourceLocation: sourceLocation)
        return d
    }

    @Test("plot(history(t)) writes a line chart and prints its path, size and a sparkline")
    func plotHistory() throws {
        let (t, dir) = try Self.trained()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = t.run("plot(history(t), y=\"reward\", to=\"\(dir)/reward.png\")")
        #expect(out.status == .ok, "\(out.output)")
        let d = try Self.expectWrote(out.output, "\(dir)/reward.png")
        #expect(d.count(Color.series(0), x0: 80, y0: 50, x1: 780, y1: 420) > 100, "the reward line is drawn")
        #expect(out.output.contains(where: { "▁▂▃▄▅▆▇█".contains($0) }), "a sparkline preview follows: \(out.output)")
        // The image is recorded in the cell, for notebook exports.
        guard case .image(let path, let w, let h)? = t.session.cells.last?.outputs.last(where: { if case .image = $0 { return true }; return false }) else {
            Issue.record("no image recorded in the cell"); return
        }
        #expect(path == "\(dir)/reward.png" && w == 800 && h == 480)
        let markdown = NotebookExport.markdown(t.session.cells, title: "run")
        #expect(markdown.contains("reward.png"), "the Markdown export embeds the image")

        // Several y columns: one colour each, with a legend.
        let two = t.run("plot(history(t), y=[\"reward\", \"entropy\"], width=640, height=400, to=\"\(dir)/two.png\")")
        let d2 = try Self.expectWrote(two.output, "\(dir)/two.png", width: 640, height: 400)
        #expect(d2.count(Color.series(0)) > 50 && d2.count(Color.series(1)) > 50)
    }

    @Test("plot(history(t, groups=true), by=, log=true) draws one coloured line per group")
    func plotGroups() throws {
        let (t, dir) = try Self.trained()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = t.run("plot(history(t, groups=true), y=\"weight\", by=\"domain\", log=true, to=\"\(dir)/w.png\")")
        #expect(out.status == .ok, "\(out.output)")
        let d = try Self.expectWrote(out.output, "\(dir)/w.png")
        let domains = t.run("print(len(history(t, groups=true)[\"domain\"]))")
        #expect(domains.status == .ok)
        // At least the two most sampled domains have weights drawn in their colours.
        #expect(d.count(Color.series(0)) > 20 && d.count(Color.series(1)) > 20)
    }

    @Test("bar(weights(t)) charts the weight of each domain and group")
    func barWeights() throws {
        let (t, dir) = try Self.trained()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = t.run("bar(weights(t), to=\"\(dir)/bar.png\")")
        #expect(out.status == .ok, "\(out.output)")
        let d = try Self.expectWrote(out.output, "\(dir)/bar.png")
        #expect(d.count(Color.series(0)) > 200, "bars drawn")
        // A report's group table with two metrics side by side.
        let two = t.run("bar(evaluate(t.policy, d).by_group, y=[\"f1\", \"ovr_acc\"], to=\"\(dir)/metrics.png\")")
        #expect(two.status == .ok, "\(two.output)")
        let d2 = try Self.expectWrote(two.output, "\(dir)/metrics.png")
        #expect(d2.count(Color.series(0)) > 100 && d2.count(Color.series(1)) > 100)
    }

    @Test("scatter(pca(...), color=...) colours points by attribute and by cluster")
    func scatterPCA() throws {
        let (t, dir) = try Self.trained()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bySex = t.run("scatter(pca(d, 2), color=d.sex, to=\"\(dir)/sex.png\")")
        #expect(bySex.status == .ok, "\(bySex.output)")
        let d1 = try Self.expectWrote(bySex.output, "\(dir)/sex.png")
        // male, female and the missing rows (demo hides 5% of attributes).
        for i in 0..<3 { #expect(d1.count(Color.series(i), x0: 80, y0: 50, x1: 650, y1: 420) > 10, "group \(i)") }
        let byCluster = t.run("scatter(pca(d, 2), color=kmeans(d, k=4), title=\"clusters\", to=\"\(dir)/k.png\")")
        let d2 = try Self.expectWrote(byCluster.output, "\(dir)/k.png")
        for i in 0..<4 { #expect(d2.count(Color.series(i), x0: 80, y0: 50, x1: 650, y1: 420) > 10, "cluster \(i)") }
        #expect(d2.count(Color.series(4)) == 0, "only four clusters")
    }

    @Test("confusion() counts by hand and heatmap() draws it and align(...).table")
    func heatmaps() throws {
        let (t, dir) = try Self.trained()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // True 0,1,1,2 against predicted 0,0,1,1: (0,0)=1, (1,0)=1, (1,1)=1, (2,1)=1.
        // Columns are predicted classes, rows true ones.
        let cm = t.run("cm = confusion([0, 1, 1, 2], [0, 0, 1, 1], d)\nprint(cm[d.classes[0]][0:3], cm[d.classes[1]][0:3], cm[d.classes[2]][0:3], len(cm))")
        #expect(cm.status == .ok, "\(cm.output)")
        #expect(cm.output == "[1, 1, 0] [0, 1, 1] [0, 0, 0] 17\n", "\(cm.output)")
        let bad = t.run("confusion([0, 1], [0], d)")
        #expect(bad.status == .runtimeError && bad.output.contains("2 true labels but 1 predictions"))

        let out = t.run("heatmap(confusion(d.labels, predict(t.policy, d), d), title=\"confusion\", to=\"\(dir)/cm.png\")")
        #expect(out.status == .ok, "\(out.output)")
        let h = try Self.expectWrote(out.output, "\(dir)/cm.png")
        #expect(h.count(Color.ramp(0)) > 100 && h.count(Color.ramp(1)) > 10, "the ramp's ends are both used")

        let al = t.run("a = align(kmeans(d, k=3), d.sex)\nprint(a)\nheatmap(a.table, to=\"\(dir)/align.png\")")
        #expect(al.status == .ok, "\(al.output)")
        #expect(al.output.contains("male") && al.output.contains("female"), "text labels keep their names: \(al.output)")
        let ha = try Self.expectWrote(al.output, "\(dir)/align.png")
        #expect(ha.count(Color.ramp(0)) > 1000 && ha.count(Color.ramp(1)) > 1000)
    }

    @Test("bad arguments give errors naming what is wrong; empty input gives the no-data chart")
    func errors() throws {
        let (t, dir) = try Self.trained()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, String)] = [
            ("plot(history(t), y=\"rewrd\", to=\"\(dir)/x.png\")", "no column 'rewrd'"),
            ("plot(42)", "cannot plot a number"),
            ("plot(history(t), width=50)", "width must be 200…4000"),
            ("scatter(tensor([1, 2, 3]))", "points must be [n, 2]"),
            ("scatter(pca(d, 2), color=[0, 1])", "2 colours for 1500 points"),
            ("heatmap(tensor([1, 2]))", "the matrix must be 2-D"),
            ("bar(weights(t), y=\"nope\")", "no column 'nope'"),
        ]
        for (code, message) in cases {
            let r = t.run(code)
            #expect(r.status == .runtimeError, "\(code) should fail")
            #expect(r.output.contains(message), "\(code): \(r.output)")
        }
        // Empty and all-NaN input: a chart saying "no data", written like any other.
        for (i, code) in ["plot([], to=", "plot(tensor([0, 0]) / tensor([0, 0]), to=", "plot(tensor([0, -1]), log=true, to="].enumerated() {
            let r = t.run(code + "\"\(dir)/empty\(i).png\")")
            if r.status == .ok {
                let d = try Self.expectWrote(r.output, "\(dir)/empty\(i).png")
                #expect(try NoDataTests.isNoData(Charts.noData(title: "", reason: ""), title: "") && d.count(Color.axis, x0: 0, y0: 0, x1: 80, y1: d.height) == 0,
                        "\(code): the no-data chart has no axes")
            } else {
                #expect(r.output.contains("error"), "\(code): \(r.output)")
            }
        }
    }

    @Test("the same script writes the same bytes twice")
    func deterministic() throws {
        var files: [[UInt8]] = []
        for _ in 0..<2 {
            let (t, dir) = try Self.trained()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let r = t.run("plot(history(t), to=\"\(dir)/a.png\")\nbar(weights(t), to=\"\(dir)/b.png\")\nscatter(pca(d, 2), color=d.sex, to=\"\(dir)/c.png\")")
            #expect(r.status == .ok, "\(r.output)")
            files.append(try ["a", "b", "c"].flatMap { Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\($0).png"))) })
        }
        #expect(files[0] == files[1])
    }
}
