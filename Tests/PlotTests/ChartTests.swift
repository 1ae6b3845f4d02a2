import Data
import Foundation
@testable import Plot
import Testing

/// Three series over 0…10 with distinct shapes.
private func threeSeries() -> [Series] {
    let x = (0...10).map(Double.init)
    return [Series(name: "alpha", x: x, y: x.map { $0 * $0 }),
            Series(name: "beta", x: x, y: x.map { 50 + 20 * sin($0) }),
            Series(name: "gamma", x: x, y: x.map { 100 - 3 * $0 })]
}

/// The plot interior, clear of the axis labels and the legend on the right.
private func interior(_ d: Decoded) -> (x0: Int, y0: Int, x1: Int, y1: Int) { (110, 50, d.width - 200, d.height - 60) }

/// The title is drawn at scale 2 (12×26-pixel cells) centred at the top, from y = 10.
private func titleBox(_ title: String, width: Int) -> (x0: Int, x1: Int) {
    let w = title.count * 12
    return (width / 2 - w / 2, width / 2 - w / 2 + w)
}

@Suite("Charts")
struct ChartTests {
    @Test("each chart decodes with libpng to the requested size")
    func sizes() throws {
        let charts: [(String, Canvas)] = [
            ("line", Charts.line(threeSeries(), title: "t", width: 640, height: 360)),
            ("bars", Charts.bars(categories: ["a", "b"], series: [("", [1, 2])], title: "t", width: 300, height: 200)),
            ("scatter", Charts.scatter(x: [0, 1], y: [1, 0], groups: [0, 1], groupNames: ["g0", "g1"], title: "t", width: 1000, height: 700)),
            ("heatmap", Charts.heatmap([[1, 2], [3, 4]], rows: ["r0", "r1"], columns: ["c0", "c1"], title: "t", width: 500, height: 500)),
            ("no data", Charts.noData(title: "t", reason: "r", width: 321, height: 123)),
        ]
        let expected = [(640, 360), (300, 200), (1000, 700), (500, 500), (321, 123)]
        for ((name, canvas), (w, h)) in zip(charts, expected) {
            let bytes = try canvas.png()
            #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(name): PNG signature")
            let d = try Decoded(png: bytes)
            #expect(d.width == w && d.height == h, "\(name): \(d.width)×\(d.height), expected \(w)×\(h)")
            #expect(d.pixels == canvas.pixels, "\(name): decoded pixels differ from the canvas")
        }
    }

    @Test("every line's palette colour is drawn inside the plot area")
    func lineColours() throws {
        let d = try roundTrip(Charts.line(threeSeries(), title: "Three", xLabel: "x", yLabel: "y"))
        let r = interior(d)
        for i in 0..<3 {
            let n = d.count(Color.series(i), x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1)
            #expect(n > 100, "series \(i) colour \(Color.series(i)): \(n) pixels in the plot area")
        }
        // A colour no series uses is absent.
        #expect(d.count(Color.series(3)) == 0)
    }

    @Test("more series than palette colours stay distinguishable: the second round is dashed")
    func dashedSecondRound() throws {
        let x = (0...20).map(Double.init)
        let series = (0..<9).map { k in Series(name: "s\(k)", x: x, y: x.map { Double(k) * 10 + $0 }) }
        let d = try roundTrip(Charts.line(series, title: "Nine"))
        // Series 0 and 8 share a colour; series 8 is dashed.
        // The dashed line covers fewer pixels than a solid one of the same length would.
        let eightSolid = try roundTrip(Charts.line(Array(series.prefix(8)), title: "Nine")).count(Color.series(0))
        let withDashed = d.count(Color.series(0))
        #expect(withDashed > eightSolid, "the ninth series adds pixels of colour 0")
        #expect(withDashed < 2 * eightSolid, "…but fewer than a second solid line would (\(withDashed) vs \(eightSolid))")
    }

    @Test("every group's bar colour and every scatter group's colour is present")
    func barAndScatterColours() throws {
        let bars = try roundTrip(Charts.bars(categories: ["a", "b", "c"], series: [("f1", [0.5, 0.7, 0.2]), ("acc", [0.8, 0.6, 0.9]), ("tpr", [0.1, 0.3, 0.4])], title: "Bars"))
        for i in 0..<3 { #expect(bars.count(Color.series(i), x0: 100, y0: 50, x1: bars.width - 120, y1: bars.height - 60) > 200, "bar series \(i)") }

        var x: [Double] = [], y: [Double] = [], g: [Int] = []
        for k in 0..<4 { for j in 0..<25 { x.append(Double(k) * 5 + Double(j % 5)); y.append(Double(j / 5) + Double(k)); g.append(k) } }
        let scatter = try roundTrip(Charts.scatter(x: x, y: y, groups: g, groupNames: ["a", "b", "c", "d"], title: "Scatter"))
        for i in 0..<4 { #expect(scatter.count(Color.series(i), x0: 100, y0: 50, x1: scatter.width - 120, y1: scatter.height - 60) >= 25, "scatter group \(i)") }
    }

    @Test("heatmap cells span the colour ramp and carry their values")
    func heatmapCells() throws {
        let d = try roundTrip(Charts.heatmap([[0, 5], [10, 2]], rows: ["a", "b"], columns: ["x", "y"], title: "Heat"))
        #expect(d.count(Color.ramp(0)) > 1000, "the minimum cell has the ramp's first colour")
        #expect(d.count(Color.ramp(1)) > 1000, "the maximum cell has the ramp's last colour")
        #expect(d.count(Color.ramp(0.5)) > 1000, "5 of 0…10 sits mid-ramp")
        // Values are written in white on the dark (low) cells and dark text on the bright (high) one.
        #expect(d.count(.white, x0: 0, y0: 60) > 0 && d.count(Color.text, x0: 0, y0: 60) > 0)
    }

    @Test("title pixels are dark and sit in the title's box; empty regions stay background")
    func titleText() throws {
        let title = "Weights over training"
        for canvas in [Charts.line(threeSeries(), title: title), Charts.noData(title: title, reason: "nothing")] {
            let d = try roundTrip(canvas)
            let box = titleBox(title, width: d.width)
            let inTitle = d.count(x0: box.x0, y0: 10, x1: box.x1, y1: 36, where: Decoded.isDark)
            #expect(inTitle > 150, "\(inTitle) dark pixels in the title box")
            // Left of the title in the same band, and the top strip above it: nothing drawn.
            #expect(d.count(x0: 0, y0: 0, x1: box.x0 - 2, y1: 40) { !Decoded.isBackground($0) } == 0)
            #expect(d.count(x0: 0, y0: 0, x1: d.width, y1: 9) { !Decoded.isBackground($0) } == 0)
        }
        // No title: the band is empty.
        let untitled = try roundTrip(Charts.line(threeSeries(), title: ""))
        #expect(untitled.count(x0: 0, y0: 0, x1: untitled.width, y1: 40) { Decoded.isDark($0) } == 0)
    }

    @Test("a golden chart: the same input gives the same bytes, and its pixels match the recorded checksum")
    func golden() throws {
        func draw() throws -> [UInt8] { try Charts.line(threeSeries(), title: "Golden", xLabel: "step", yLabel: "value", log: false, width: 400, height: 240).png() }
        let first = try draw(), second = try draw()
        #expect(first == second, "two renders of the same chart differ")
        // The pixel checksum pins the drawing itself; it is independent of the zlib build,
        // which may compress the same pixels to different bytes.
        let d = try Decoded(png: first)
        #expect(crc32(d.pixels) == Self.goldenPixelCRC, "pixel CRC-32 0x\(String(crc32(d.pixels), radix: 16))")
        // And the bytes checksum is stable within this build.
        #expect(crc32(first) == crc32(second))
    }
    static let goldenPixelCRC: UInt32 = 0xF6AB_2842

    @Test("CRC-32 helper matches the standard check value")
    func crcCheckValue() { #expect(crc32(Array("123456789".utf8)) == 0xCBF4_3926) }
}

@Suite("Charts without data")
struct NoDataTests {
    /// True when `canvas` is exactly the explicit "no data" chart for `title`, whatever the reason.
    static func isNoData(_ canvas: Canvas, title: String) throws -> Bool {
        let d = try roundTrip(canvas)
        // The "no data" label (scale 2, grey) sits mid-chart; a real chart has axes there instead.
        let label = d.count(Color.axis, x0: d.width / 2 - 42, y0: d.height / 2 - 26, x1: d.width / 2 + 42, y1: d.height / 2)
        let axisLine = d.count(Color.axis, x0: 0, y0: 0, x1: 80, y1: d.height)
        return label > 80 && axisLine == 0
    }

    @Test("empty, all-NaN and log-of-nonpositive line charts are explicit no-data charts")
    func lineNoData() throws {
        let cases: [(String, [Series], Bool)] = [
            ("no series", [], false),
            ("empty series", [Series(name: "a", x: [], y: [])], false),
            ("all NaN", [Series(name: "a", x: [0, 1, 2], y: [.nan, .nan, .nan])], false),
            ("only infinities", [Series(name: "a", x: [0, 1], y: [.infinity, -.infinity])], false),
            ("log of zeros and negatives", [Series(name: "a", x: [0, 1, 2], y: [0, -1, -5])], true),
        ]
        for (what, series, log) in cases {
            let c = Charts.line(series, title: "T", log: log)
            #expect(try Self.isNoData(c, title: "T"), "\(what): expected the no-data chart")
            #expect(try roundTrip(c).width == Charts.defaultWidth)
        }
        // The no-data chart says why.
        let reason = Charts.noData(title: "T", reason: "every value is missing or not finite")
        #expect(Charts.line([Series(name: "a", x: [0], y: [.nan])], title: "T").pixels == reason.pixels)
    }

    @Test("single-point, constant, infinite and mixed-sign-on-log series still draw a chart")
    func degenerateButDrawable() throws {
        let cases: [(String, [Series], Bool)] = [
            ("single point", [Series(name: "", x: [3], y: [7])], false),
            ("constant", [Series(name: "", x: [0, 1, 2, 3], y: [2, 2, 2, 2])], false),
            ("constant zero", [Series(name: "", x: [0, 1, 2], y: [0, 0, 0])], false),
            ("with ±inf", [Series(name: "", x: [0, 1, 2, 3], y: [1, .infinity, -.infinity, 2])], false),
            ("log with zeros and negatives", [Series(name: "", x: [0, 1, 2, 3], y: [0, 10, -3, 1000])], true),
            ("huge range", [Series(name: "", x: [0, 1], y: [-1e308, 1e308])], false),
            ("tiny positive on log", [Series(name: "", x: [0, 1], y: [1e-300, 1e300])], true),
            ("x and y of different lengths", [Series(name: "", x: [0, 1, 2], y: [1, 2])], false),
        ]
        for (what, series, log) in cases {
            let c = Charts.line(series, title: "T", log: log)
            #expect(try !Self.isNoData(c, title: "T"), "\(what): expected a chart")
            #expect(try roundTrip(c).count(Color.series(0)) > 0, "\(what): the data is drawn")
        }
        // A single point is a visible dot, not an invisible zero-length line.
        let dot = try roundTrip(Charts.line([Series(name: "", x: [3], y: [7])], title: "T"))
        #expect(dot.count(Color.series(0)) >= 9)
    }

    @Test("bars, scatter and heatmap: empty or non-finite input gives the no-data chart, degenerate input a chart")
    func otherKinds() throws {
        #expect(try Self.isNoData(Charts.bars(categories: [], series: [("", [])], title: "T"), title: "T"))
        #expect(try Self.isNoData(Charts.bars(categories: ["a", "b"], series: [("", [.nan, .infinity])], title: "T"), title: "T"))
        #expect(try !Self.isNoData(Charts.bars(categories: ["a"], series: [("", [0])], title: "T"), title: "T"))
        #expect(try roundTrip(Charts.bars(categories: ["a", "b"], series: [("", [-2, 3])], title: "T")).count(Color.series(0)) > 100)

        #expect(try Self.isNoData(Charts.scatter(x: [], y: [], groups: [], groupNames: [], title: "T"), title: "T"))
        #expect(try Self.isNoData(Charts.scatter(x: [.nan, 1], y: [1, .infinity], groups: [0, 0], groupNames: [], title: "T"), title: "T"))
        let same = try roundTrip(Charts.scatter(x: [1, 1, 1], y: [2, 2, 2], groups: [0, 0, 0], groupNames: [], title: "T"))
        #expect(same.count(Color.series(0)) > 0, "identical points are drawn")
        // Fewer labels than points (a caller's mistake) does not trap.
        _ = Charts.scatter(x: [0, 1, 2], y: [0, 1], groups: [1], groupNames: ["a"], title: "T")

        #expect(try Self.isNoData(Charts.heatmap([], rows: [], columns: [], title: "T"), title: "T"))
        #expect(try Self.isNoData(Charts.heatmap([[]], rows: [], columns: [], title: "T"), title: "T"))
        #expect(try Self.isNoData(Charts.heatmap([[.nan, .nan]], rows: [], columns: [], title: "T"), title: "T"))
        let one = try roundTrip(Charts.heatmap([[4]], rows: ["r"], columns: ["c"], title: "T"))
        #expect(one.count(Color.ramp(0.5)) > 1000, "a constant matrix sits mid-ramp")
        let ragged = try roundTrip(Charts.heatmap([[1, 2, 3], [4], [.infinity, 6, .nan]], rows: [], columns: [], title: "T"))
        #expect(ragged.count(Color.grid) > 100, "non-finite cells are drawn grey")
    }

    @Test("small canvases and long legends never trap")
    func tinyCanvas() throws {
        let many = (0..<40).map { k in Series(name: "a rather long series name \(k)", x: [0, 1], y: [Double(k), Double(k + 1)]) }
        for (w, h) in [(200, 150), (260, 150), (4000, 150), (200, 1000)] {
            let d = try roundTrip(Charts.line(many, title: "A title much wider than the canvas itself", log: true, width: w, height: h))
            #expect(d.width == w && d.height == h)
            _ = Charts.bars(categories: many.map(\.name), series: [("", many.map { $0.y[0] })], title: "T", width: w, height: h)
            _ = Charts.heatmap(Array(repeating: Array(repeating: 1.5, count: 60), count: 60), rows: many.map(\.name), columns: many.map(\.name), title: "T", width: w, height: h)
        }
    }

    @Test("long titles and reasons on narrow charts are shrunk, cut or wrapped, never clipped at the edges")
    func nothingClipped() throws {
        let long = "A title far too long for a chart only two hundred pixels wide"
        for canvas in [Charts.noData(title: long, reason: "every value is missing or not finite", width: 200, height: 150),
                       Charts.line([Series(name: "", x: [0, 1], y: [1, 2])], title: long, width: 200, height: 150)] {
            let d = try roundTrip(canvas)
            #expect(d.count(x0: 0, y0: 0, x1: 3, y1: d.height, where: Decoded.isDark) == 0, "text touches the left edge")
            #expect(d.count(x0: d.width - 3, y0: 0, x1: d.width, y1: d.height, where: Decoded.isDark) == 0, "text touches the right edge")
            #expect(d.count(x0: 0, y0: 10, x1: d.width, y1: 36, where: Decoded.isDark) > 50, "the (shortened) title is there")
        }
        #expect(Charts.wrap("every value is missing or not finite", columns: 30) == ["every value is missing or not", "finite"])
    }

    @Test("the sparkline preview handles empty, constant and non-finite input")
    func sparkline() {
        #expect(Charts.sparkline([]) == "")
        #expect(Charts.sparkline([.nan, .infinity]) == "")
        #expect(Charts.sparkline([2, 2, 2]) == "▄▄▄")
        #expect(Charts.sparkline([0, 7, .nan, 14]) == "▁▅█", "7 of 0…14 rounds up to the fifth of eight blocks")
    }
}

@Suite("Ticks")
struct TickTests {
    @Test("nice linear ticks cover the data at 1, 2 or 5 × 10^k steps")
    func linear() {
        #expect(Ticks.linear(0, 10) == [0, 2, 4, 6, 8, 10])
        let small = Ticks.linear(0.051, 0.098), expected = [0.05, 0.06, 0.07, 0.08, 0.09, 0.1]
        #expect(small.count == expected.count && zip(small, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(small)")
        let t = Ticks.linear(-3.2, 17.9)
        #expect(t.first! <= -3.2 && t.last! >= 17.9 && t.count <= 8)
        #expect(Ticks.linear(5, 5).count >= 2, "a constant range is widened")
        #expect(Ticks.linear(-1e308, 1e308).count == 2, "a range overflowing Double falls back to its ends")
    }

    @Test("log ticks are powers of ten, thinned over many decades")
    func logarithmic() {
        #expect(Ticks.logarithmic(0.03, 7) == [0.01, 0.1, 1, 10])
        #expect(Ticks.logarithmic(5, 5) == [1, 10])
        let wide = Ticks.logarithmic(1e-300, 1e300)
        #expect(wide.count <= 10 && wide.first! <= 1e-300 && wide.last! >= 1e300)
    }

    @Test("tick labels are short")
    func labels() {
        #expect(Ticks.label(0) == "0")
        #expect(Ticks.label(20) == "20")
        #expect(Ticks.label(0.25) == "0.25")
        #expect(Ticks.label(1e-4) == "1e-4")
        #expect(Ticks.label(250000) == "2.5e5")
    }
}
