#if canImport(Glibc)
import Glibc
#endif

/// A named series of points.
public struct Series: Sendable {
    public var name: String
    public var x: [Double], y: [Double]
    public init(name: String, x: [Double], y: [Double]) { self.name = name; self.x = x; self.y = y }
}

public struct PlotError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Charts drawn on a `Canvas`: line, grouped bar, scatter and heatmap, with a
/// title, axis labels, "nice" ticks and a legend. An empty or all-NaN input
/// gives an explicit "no data" chart.
public enum Charts {
    public static let defaultWidth = 800, defaultHeight = 480

    /// Plot-area geometry and the data→pixel maps.
    struct Frame {
        let left = 72, top = 44, right: Int, bottom: Int
        let width: Int, height: Int
        var xTicks: [Double], yTicks: [Double]
        var logY: Bool
        init(width: Int, height: Int, legendWidth: Int, xTicks: [Double], yTicks: [Double], logY: Bool, bottomMargin: Int = 52) {
            self.width = width; self.height = height
            right = width - 20 - legendWidth
            bottom = height - bottomMargin
            self.xTicks = xTicks; self.yTicks = yTicks; self.logY = logY
        }
        func px(_ x: Double) -> Double {
            let a = xTicks.first!, b = xTicks.last!
            return Double(left) + (b == a ? 0.5 : (x - a) / (b - a)) * Double(right - left)
        }
        func py(_ y: Double) -> Double {
            var a = yTicks.first!, b = yTicks.last!, v = y
            if logY { a = log10(a); b = log10(b); v = log10(max(y, 1e-300)) }
            return Double(bottom) - (b == a ? 0.5 : (v - a) / (b - a)) * Double(bottom - top)
        }
    }

    static func decorate(_ c: inout Canvas, _ f: Frame, title: String, xLabel: String, yLabel: String, xTickLabels: [String]? = nil) {
        c.text(title, x: f.width / 2, y: 10, .text, scale: 2, anchor: .center)
        for t in f.yTicks {
            let y = Int(f.py(t).rounded())
            c.fill(x: f.left, y: y, width: f.right - f.left, height: 1, .grid)
            c.text(Ticks.label(t), x: f.left - 6, y: y - 6, .axis, anchor: .right)
        }
        if let labels = xTickLabels {
            let slot = Double(f.right - f.left) / Double(max(labels.count, 1))
            let crowded = labels.contains { Double(Canvas.textWidth($0)) > slot - 4 }
            for (i, l) in labels.enumerated() {
                let x = Int(f.px(Double(i)).rounded())
                let shown = l.count > 20 ? String(l.prefix(19)) + "…" : l
                if crowded {
                    // Read bottom to top, ending just under the axis.
                    c.text(shown, x: x - Font6x13.height / 2, y: f.bottom + 6, .axis, anchor: .right, vertical: true)
                } else {
                    c.text(shown, x: x, y: f.bottom + 6, .axis, anchor: .center)
                }
            }
        } else {
            for t in f.xTicks {
                let x = Int(f.px(t).rounded())
                c.fill(x: x, y: f.top, width: 1, height: f.bottom - f.top, .grid)
                c.text(Ticks.label(t), x: x, y: f.bottom + 6, .axis, anchor: .center)
            }
        }
        c.fill(x: f.left, y: f.bottom, width: f.right - f.left + 1, height: 1, .axis)
        c.fill(x: f.left, y: f.top, width: 1, height: f.bottom - f.top + 1, .axis)
        c.text(xLabel, x: (f.left + f.right) / 2, y: f.height - 22, .text, anchor: .center)
        c.text(yLabel, x: 8, y: (f.top + f.bottom) / 2, .text, anchor: .center, vertical: true)
    }

    static func legend(_ c: inout Canvas, _ f: Frame, _ names: [String]) {
        guard names.count > 1 || (names.first.map { !$0.isEmpty } ?? false) else { return }
        let x = f.right + 16
        for (i, name) in names.prefix(24).enumerated() {
            let y = f.top + i * 18
            c.fill(x: x, y: y + 3, width: 12, height: 8, Color.series(i))
            c.text(name.count > 18 ? String(name.prefix(17)) + "…" : name, x: x + 18, y: y, .text)
        }
        if names.count > 24 { c.text("+\(names.count - 24) more", x: x, y: f.top + 24 * 18, .axis) }
    }

    static func legendWidth(_ names: [String]) -> Int {
        guard names.count > 1 || (names.first.map { !$0.isEmpty } ?? false) else { return 0 }
        return 30 + min(18, names.map(\.count).max() ?? 0) * Font6x13.width
    }

    /// An explicit "no data" chart.
    public static func noData(title: String, reason: String, width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        var c = Canvas(width: width, height: height)
        c.text(title, x: width / 2, y: 10, .text, scale: 2, anchor: .center)
        c.text("no data", x: width / 2, y: height / 2 - 26, .axis, scale: 2, anchor: .center)
        c.text(reason, x: width / 2, y: height / 2 + 6, .axis, anchor: .center)
        return c
    }

    /// Lines through each series' finite points; `log` makes the y axis logarithmic (positive values only).
    public static func line(_ series: [Series], title: String, xLabel: String = "", yLabel: String = "", log: Bool = false,
                            width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        let points = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite && (!log || $0.1 > 0) } }
        guard !points.isEmpty else {
            return noData(title: title, reason: log ? "no finite positive values to draw on a log scale" : "every value is missing or not finite", width: width, height: height)
        }
        let xs = points.map(\.0), ys = points.map(\.1)
        let yTicks = log ? Ticks.logarithmic(ys.min()!, ys.max()!) : Ticks.linear(ys.min()!, ys.max()!)
        let f = Frame(width: width, height: height, legendWidth: legendWidth(series.map(\.name)),
                      xTicks: Ticks.linear(xs.min()!, xs.max()!), yTicks: yTicks, logY: log)
        var c = Canvas(width: width, height: height)
        decorate(&c, f, title: title, xLabel: xLabel, yLabel: yLabel)
        for (i, s) in series.enumerated() {
            let pts = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite && (!log || $0.1 > 0) }.map { (f.px($0.0), f.py($0.1)) }
            for j in 1..<max(pts.count, 1) { c.line(pts[j - 1].0, pts[j - 1].1, pts[j].0, pts[j].1, Color.series(i), width: 2) }
            if pts.count == 1 { c.disc(pts[0].0, pts[0].1, radius: 3, Color.series(i)) }
        }
        legend(&c, f, series.map(\.name))
        return c
    }

    /// Bars per category, one colour per series (grouped side by side).
    public static func bars(categories: [String], series: [(String, [Double])], title: String, yLabel: String = "",
                            width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        let values = series.flatMap(\.1).filter(\.isFinite)
        guard !categories.isEmpty, !values.isEmpty else {
            return noData(title: title, reason: "no finite values to draw", width: width, height: height)
        }
        let yTicks = Ticks.linear(min(0, values.min()!), max(0, values.max()!))
        let legendW = legendWidth(series.map(\.0))
        let labelSlot = Double(width - 92 - legendW) / Double(categories.count)
        let crowded = categories.contains { Double(Canvas.textWidth($0)) > labelSlot - 4 }
        let longest = min(20, categories.map(\.count).max() ?? 0)
        let f = Frame(width: width, height: height, legendWidth: legendW,
                      xTicks: [-0.5, Double(categories.count) - 0.5], yTicks: yTicks, logY: false,
                      bottomMargin: crowded ? 16 + longest * Font6x13.width : 52)
        var c = Canvas(width: width, height: height)
        decorate(&c, f, title: title, xLabel: "", yLabel: yLabel, xTickLabels: categories)
        let slot = Double(f.right - f.left) / Double(categories.count)
        let barWidth = max(1, slot * 0.8 / Double(series.count))
        for (s, (_, vals)) in series.enumerated() {
            for (i, v) in vals.enumerated() where i < categories.count && v.isFinite {
                let x0 = f.px(Double(i)) - slot * 0.4 + Double(s) * barWidth
                let y0 = f.py(max(v, 0)), y1 = f.py(min(v, 0))
                c.fill(x: Int(x0.rounded()), y: Int(y0.rounded()), width: max(1, Int(barWidth.rounded()) - 1), height: max(1, Int((y1 - y0).rounded())), Color.series(s))
            }
        }
        legend(&c, f, series.map(\.0))
        return c
    }

    /// Points coloured by group (e.g. clusters on a 2-D PCA projection).
    public static func scatter(x: [Double], y: [Double], groups: [Int], groupNames: [String], title: String, xLabel: String = "", yLabel: String = "",
                               width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        let keep = x.indices.filter { x[$0].isFinite && y[$0].isFinite }
        guard !keep.isEmpty else { return noData(title: title, reason: "every point is missing or not finite", width: width, height: height) }
        let xs = keep.map { x[$0] }, ys = keep.map { y[$0] }
        let f = Frame(width: width, height: height, legendWidth: legendWidth(groupNames),
                      xTicks: Ticks.linear(xs.min()!, xs.max()!), yTicks: Ticks.linear(ys.min()!, ys.max()!), logY: false)
        var c = Canvas(width: width, height: height)
        decorate(&c, f, title: title, xLabel: xLabel, yLabel: yLabel)
        let radius = keep.count > 5000 ? 1.2 : keep.count > 500 ? 2 : 3
        for i in keep { c.disc(f.px(x[i]), f.py(y[i]), radius: radius, Color.series(max(groups[i], 0))) }
        legend(&c, f, groupNames)
        return c
    }

    /// A matrix as coloured cells with the values written in them.
    public static func heatmap(_ values: [[Double]], rows: [String], columns: [String], title: String,
                               width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        guard !values.isEmpty, !(values.first?.isEmpty ?? true), !finite.isEmpty else {
            return noData(title: title, reason: "the matrix is empty or has no finite value", width: width, height: height)
        }
        let lo = finite.min()!, hi = finite.max()!
        var c = Canvas(width: width, height: height)
        c.text(title, x: width / 2, y: 10, .text, scale: 2, anchor: .center)
        let labelWidth = min(18, rows.map(\.count).max() ?? 0) * Font6x13.width + 12
        let left = labelWidth, top = 64, right = width - 20, bottom = height - 20
        let cw = Double(right - left) / Double(values[0].count), ch = Double(bottom - top) / Double(values.count)
        for (i, row) in values.enumerated() {
            c.text(i < rows.count ? String(rows[i].prefix(18)) : "", x: left - 6, y: top + Int(ch * (Double(i) + 0.5)) - 6, .text, anchor: .right)
            for (j, v) in row.enumerated() {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                let color = v.isFinite ? Color.ramp(t) : Color.grid
                c.fill(x: left + Int(cw * Double(j)), y: top + Int(ch * Double(i)), width: Int(cw) + 1, height: Int(ch) + 1, color)
                if cw >= 30 && ch >= 16 {
                    let label = v.isFinite ? Ticks.label(v) : "-"
                    c.text(label, x: left + Int(cw * (Double(j) + 0.5)), y: top + Int(ch * (Double(i) + 0.5)) - 6, t > 0.6 ? .black : .white, anchor: .center)
                }
            }
        }
        for (j, name) in columns.enumerated() where j < values[0].count {
            c.text(String(name.prefix(max(1, Int(cw) / Font6x13.width))), x: left + Int(cw * (Double(j) + 0.5)), y: top - 16, .text, anchor: .center)
        }
        return c
    }

    /// A one-line Unicode preview of a series (for the terminal).
    public static func sparkline(_ ys: [Double], width: Int = 40) -> String {
        let v = ys.filter(\.isFinite)
        guard !v.isEmpty else { return "" }
        let blocks = Array("▁▂▃▄▅▆▇█")
        let step = max(1, v.count / width)
        let sampled = stride(from: 0, to: v.count, by: step).map { v[$0] }
        let lo = v.min()!, hi = v.max()!
        return String(sampled.map { hi > lo ? blocks[Int(((($0 - lo) / (hi - lo)) * 7).rounded())] : blocks[3] })
    }
}
