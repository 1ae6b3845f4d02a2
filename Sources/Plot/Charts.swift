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
        let left: Int, top = 44, right: Int, bottom: Int
        let width: Int, height: Int
        var xTicks: [Double], yTicks: [Double]
        var logY: Bool
        init(width: Int, height: Int, legendWidth: Int, xTicks: [Double], yTicks: [Double], logY: Bool, bottomMargin: Int = 52) {
            self.width = width; self.height = height
            // Room for the widest y tick label plus the rotated axis title at x = 8…21.
            left = max(56, (yTicks.map { Canvas.textWidth(Ticks.label($0)) }.max() ?? 0) + 34)
            right = width - 20 - legendWidth
            // Never let long rotated category labels squeeze the plot to nothing.
            bottom = height - min(bottomMargin, max(52, (height - 44) / 2))
            self.xTicks = xTicks; self.yTicks = yTicks; self.logY = logY
        }
        // Halving before subtracting keeps spans like ±1e308 finite; a non-finite
        // position (which Int() would trap on) is pinned to the plot's edge.
        static func fraction(_ v: Double, _ a: Double, _ b: Double) -> Double {
            let t = b == a ? 0.5 : (v / 2 - a / 2) / (b / 2 - a / 2)
            return t.isFinite ? min(max(t, -1), 2) : 0
        }
        func px(_ x: Double) -> Double {
            Double(left) + Frame.fraction(x, xTicks.first!, xTicks.last!) * Double(right - left)
        }
        func py(_ y: Double) -> Double {
            var a = yTicks.first!, b = yTicks.last!, v = y
            if logY { a = log10(a); b = log10(b); v = log10(max(y, 1e-300)) }
            return Double(bottom) - Frame.fraction(v, a, b) * Double(bottom - top)
        }
    }

    static func decorate(_ c: inout Canvas, _ f: Frame, title: String, xLabel: String, yLabel: String, xTickLabels: [String]? = nil) {
        drawTitle(&c, title)
        // Label every k-th y tick when the rows of text would overlap (short charts).
        let ySpacing = f.yTicks.count > 1 ? abs(f.py(f.yTicks[1]) - f.py(f.yTicks[0])) : .infinity
        let yStep = ySpacing.isFinite && ySpacing > 0 ? max(1, Int((Double(Font6x13.height + 2) / ySpacing).rounded(.up))) : 1
        for (n, t) in f.yTicks.enumerated() {
            let y = Int(f.py(t).rounded())
            c.fill(x: f.left, y: y, width: f.right - f.left, height: 1, .grid)
            if n % yStep == 0 { c.text(Ticks.label(t), x: f.left - 6, y: y - 6, .axis, anchor: .right) }
        }
        if let labels = xTickLabels {
            let slot = Double(f.right - f.left) / Double(max(labels.count, 1))
            let crowded = labels.contains { Double(Canvas.textWidth($0)) > slot - 4 }
            for (i, l) in labels.enumerated() {
                let x = Int(f.px(Double(i)).rounded())
                let shown = l.count > 28 ? String(l.prefix(27)) + "…" : l
                if crowded {
                    // Read bottom to top, ending just under the axis.
                    c.text(shown, x: x - Font6x13.height / 2, y: f.bottom + 6, .axis, anchor: .right, vertical: true)
                } else {
                    c.text(shown, x: x, y: f.bottom + 6, .axis, anchor: .center)
                }
            }
        } else {
            // Label every k-th tick when the labels would touch (narrow charts, long numbers).
            let spacing = f.xTicks.count > 1 ? abs(f.px(f.xTicks[1]) - f.px(f.xTicks[0])) : .infinity
            let widest = Double(f.xTicks.map { Canvas.textWidth(Ticks.label($0)) }.max() ?? 0)
            let k = spacing.isFinite && spacing > 0 ? max(1, Int(((widest + 8) / spacing).rounded(.up))) : 1
            for (n, t) in f.xTicks.enumerated() {
                let x = Int(f.px(t).rounded())
                c.fill(x: x, y: f.top, width: 1, height: f.bottom - f.top, .grid)
                if n % k == 0 { c.text(Ticks.label(t), x: x, y: f.bottom + 6, .axis, anchor: .center) }
            }
        }
        c.fill(x: f.left, y: f.bottom, width: f.right - f.left + 1, height: 1, .axis)
        c.fill(x: f.left, y: f.top, width: 1, height: f.bottom - f.top + 1, .axis)
        c.text(xLabel, x: (f.left + f.right) / 2, y: f.height - 22, .text, anchor: .center)
        c.text(yLabel, x: 8, y: (f.top + f.bottom) / 2, .text, anchor: .center, vertical: true)
    }

    /// The legend, right of the plot area so it never covers data. `lines` draws
    /// each entry as a short line (dashed for the second round of colours).
    static func legend(_ c: inout Canvas, _ f: Frame, _ names: [String], lines: Bool = false) {
        guard f.right < f.width - 20, names.count > 1 || (names.first.map { !$0.isEmpty } ?? false) else { return }
        let x = f.right + 16
        let fit = max(1, (f.height - f.top - 20) / 18)
        let shown = names.count > fit ? fit - 1 : names.count
        for (i, name) in names.prefix(shown).enumerated() {
            let y = f.top + i * 18
            if lines {
                c.polyline([(Double(x), Double(y) + 7), (Double(x) + 14, Double(y) + 7)], Color.series(i), width: 2, dash: dash(i))
            } else {
                c.fill(x: x, y: y + 3, width: 12, height: 8, Color.series(i))
            }
            c.text(name.count > 18 ? String(name.prefix(17)) + "…" : name, x: x + 18, y: y, .text)
        }
        if names.count > shown { c.text("+\(names.count - shown) more", x: x, y: f.top + shown * 18, .axis) }
    }

    /// Width the legend takes, or 0 when there is none or it would leave the plot narrower than 160 pixels.
    static func legendWidth(_ names: [String], chartWidth: Int) -> Int {
        guard names.count > 1 || (names.first.map { !$0.isEmpty } ?? false) else { return 0 }
        let w = 30 + min(18, names.map(\.count).max() ?? 0) * Font6x13.width
        return chartWidth - 20 - w - 90 >= 160 ? w : 0
    }

    /// Solid for the first round of palette colours, dashed for the second, dotted after.
    static func dash(_ i: Int) -> [Double]? {
        switch i / Color.palette.count % 3 {
        case 0: return nil
        case 1: return [8, 5]
        default: return [2, 4]
        }
    }

    /// The title, centred at the top: double size when it fits, else single size, else cut with "…".
    static func drawTitle(_ c: inout Canvas, _ title: String) {
        let room = c.width - 16
        if Canvas.textWidth(title, scale: 2) <= room {
            c.text(title, x: c.width / 2, y: 10, .text, scale: 2, anchor: .center)
        } else {
            let fit = room / Font6x13.width
            c.text(title.count > fit ? String(title.prefix(max(1, fit - 1))) + "…" : title, x: c.width / 2, y: 16, .text, anchor: .center)
        }
    }

    /// Words of `text` broken into lines of at most `columns` characters (a longer word is cut).
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            let w = word.count > columns ? String(word.prefix(columns)) : String(word)
            if current.isEmpty { current = w } else if current.count + 1 + w.count <= columns { current += " " + w } else { lines.append(current); current = w }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// An explicit "no data" chart.
    public static func noData(title: String, reason: String, width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        var c = Canvas(width: width, height: height)
        drawTitle(&c, title)
        c.text("no data", x: width / 2, y: height / 2 - 26, .axis, scale: 2, anchor: .center)
        for (i, line) in wrap(reason, columns: max(1, (width - 16) / Font6x13.width)).enumerated() {
            c.text(line, x: width / 2, y: height / 2 + 6 + 15 * i, .axis, anchor: .center)
        }
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
        let f = Frame(width: width, height: height, legendWidth: legendWidth(series.map(\.name), chartWidth: width),
                      xTicks: Ticks.linear(xs.min()!, xs.max()!), yTicks: yTicks, logY: log)
        var c = Canvas(width: width, height: height)
        decorate(&c, f, title: title, xLabel: xLabel, yLabel: yLabel)
        for (i, s) in series.enumerated() {
            // A missing value (NaN, ±inf, or ≤ 0 on a log axis) breaks the line rather than
            // being bridged; a point with no neighbour on either side is drawn as a dot.
            var runs: [[(Double, Double)]] = [[]]
            for (x, y) in zip(s.x, s.y) {
                if x.isFinite && y.isFinite && (!log || y > 0) { runs[runs.count - 1].append((f.px(x), f.py(y))) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            for run in runs where !run.isEmpty {
                if run.count == 1 { c.disc(run[0].0, run[0].1, radius: 3, Color.series(i)) } else { c.polyline(run, Color.series(i), width: 2, dash: dash(i)) }
            }
        }
        legend(&c, f, series.map(\.name), lines: true)
        return c
    }

    /// Charts side by side (two to a row), each `width / columns` wide: small multiples.
    public static func panels(_ make: (Int, Int) -> [Canvas], count: Int, width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        let columns = min(2, max(1, count)), rows = (count + columns - 1) / columns
        let cells = make(width / columns, height)
        var c = Canvas(width: width, height: height * rows)
        for (i, panel) in cells.enumerated() { c.draw(panel, x: (i % columns) * (width / columns), y: (i / columns) * height) }
        return c
    }

    /// Bars per category, one colour per series (grouped side by side); `errors`
    /// (per series and category) draws an error bar of ± that much on each bar.
    public static func bars(categories: [String], series: [(String, [Double])], errors: [[Double]]? = nil, title: String, yLabel: String = "",
                            width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        var values = series.flatMap(\.1).filter(\.isFinite)
        if let errors {
            for (s, (_, vals)) in series.enumerated() {
                for (i, v) in vals.enumerated() where s < errors.count && i < errors[s].count && v.isFinite && errors[s][i].isFinite {
                    values += [v - errors[s][i], v + errors[s][i]]
                }
            }
        }
        guard !categories.isEmpty, !values.isEmpty else {
            return noData(title: title, reason: "no finite values to draw", width: width, height: height)
        }
        let yTicks = Ticks.linear(min(0, values.min()!), max(0, values.max()!))
        let legendW = legendWidth(series.map(\.0), chartWidth: width)
        let labelSlot = Double(width - 92 - legendW) / Double(categories.count)
        let crowded = categories.contains { Double(Canvas.textWidth($0)) > labelSlot - 4 }
        let longest = min(28, categories.map(\.count).max() ?? 0)
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
                if let e = errors?[s], i < e.count, e[i].isFinite, e[i] > 0 {
                    let cx = x0 + barWidth / 2, top = f.py(v + e[i]), bottom = f.py(v - e[i]), cap = max(2, barWidth / 4)
                    c.line(cx, top, cx, bottom, .text, width: 1.5)
                    c.line(cx - cap, top, cx + cap, top, .text, width: 1.5)
                    c.line(cx - cap, bottom, cx + cap, bottom, .text, width: 1.5)
                }
            }
        }
        legend(&c, f, series.map(\.0))
        return c
    }

    /// Points coloured by group (e.g. clusters on a 2-D PCA projection).
    public static func scatter(x: [Double], y: [Double], groups: [Int], groupNames: [String], title: String, xLabel: String = "", yLabel: String = "",
                               width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        let keep = x.indices.filter { $0 < y.count && x[$0].isFinite && y[$0].isFinite }
        guard !keep.isEmpty else { return noData(title: title, reason: "every point is missing or not finite", width: width, height: height) }
        let xs = keep.map { x[$0] }, ys = keep.map { y[$0] }
        let f = Frame(width: width, height: height, legendWidth: legendWidth(groupNames, chartWidth: width),
                      xTicks: Ticks.linear(xs.min()!, xs.max()!), yTicks: Ticks.linear(ys.min()!, ys.max()!), logY: false)
        var c = Canvas(width: width, height: height)
        decorate(&c, f, title: title, xLabel: xLabel, yLabel: yLabel)
        let radius = keep.count > 5000 ? 1.2 : keep.count > 500 ? 2 : 3
        for i in keep { c.disc(f.px(x[i]), f.py(y[i]), radius: radius, Color.series(max(i < groups.count ? groups[i] : 0, 0))) }
        legend(&c, f, groupNames)
        return c
    }

    /// A matrix as coloured cells with the values written in them (row labels on the
    /// left, column labels on top). Cells stay close to square so a 2×2 confusion
    /// table does not stretch across the page, and each value is written in black or
    /// white, whichever reads better on its cell.
    public static func heatmap(_ values: [[Double]], rows: [String], columns: [String], title: String,
                               width: Int = defaultWidth, height: Int = defaultHeight) -> Canvas {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let columnCount = values.map(\.count).max() ?? 0
        guard !values.isEmpty, columnCount > 0, !finite.isEmpty else {
            return noData(title: title, reason: "the matrix is empty or has no finite value", width: width, height: height)
        }
        let lo = finite.min()!, hi = finite.max()!
        var c = Canvas(width: width, height: height)
        drawTitle(&c, title)
        let rowLabels = values.indices.map { $0 < rows.count ? String(rows[$0].prefix(24)) : "" }
        let columnLabels = (0..<columnCount).map { $0 < columns.count ? String(columns[$0].prefix(24)) : "" }
        let labelWidth = (rowLabels.map { Canvas.textWidth($0) }.max() ?? 0) + 16
        let availableW = Double(width - labelWidth - 20)
        // Column labels that do not fit across their cells are written upwards, which takes height.
        let across = availableW / Double(columnCount) >= Double((columnLabels.map(\.count).max() ?? 0) * Font6x13.width + 6)
        let header = (title.isEmpty ? 16 : 44) + (across ? 20 : min(height / 3, (columnLabels.map { Canvas.textWidth($0) }.max() ?? 0) + 10))
        let availableH = Double(height - header - 12)
        let cw = min(availableW / Double(columnCount), availableH / Double(values.count) * 1.8, 160)
        let ch = min(availableH / Double(values.count), cw, 110)
        let gridW = cw * Double(columnCount), gridH = ch * Double(values.count)
        // Centre the grid (with its row labels) in the space left by the title and column labels.
        let left = labelWidth + Int((availableW - gridW) / 2), top = header + Int((availableH - gridH) / 2)
        let valueLabels = values.map { $0.map { $0.isFinite ? Ticks.label($0) : "-" } }
        let widestValue = valueLabels.flatMap { $0 }.map(\.count).max() ?? 1
        let scale = cw >= Double(widestValue * 12 + 12) && ch >= 40 ? 2 : 1
        let showValues = cw >= Double(widestValue * 6 + 4) && ch >= 15
        for (i, row) in values.enumerated() {
            c.text(rowLabels[i], x: left - 8, y: top + Int(ch * (Double(i) + 0.5)) - 6, .text, anchor: .right)
            for (j, v) in row.enumerated() {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                let color = v.isFinite ? Color.ramp(t) : Color.grid
                let x0 = left + Int((cw * Double(j)).rounded()), x1 = left + Int((cw * Double(j + 1)).rounded())
                let y0 = top + Int((ch * Double(i)).rounded()), y1 = top + Int((ch * Double(i + 1)).rounded())
                c.fill(x: x0, y: y0, width: x1 - x0, height: y1 - y0, color)
                if showValues {
                    // Relative luminance decides between dark and light text.
                    let luminance = 0.2126 * Double(color.r) + 0.7152 * Double(color.g) + 0.0722 * Double(color.b)
                    c.text(valueLabels[i][j], x: (x0 + x1) / 2, y: (y0 + y1) / 2 - 13 * scale / 2, luminance > 140 ? .text : .white,
                           scale: scale, anchor: .center)
                }
            }
        }
        for (j, name) in columnLabels.enumerated() {
            let x = left + Int(cw * (Double(j) + 0.5))
            if across {
                c.text(name, x: x, y: top - 18, .text, anchor: .center)
            } else {
                let room = (top - 6 - (title.isEmpty ? 8 : 40)) / Font6x13.width
                let shown = name.count > room ? String(name.prefix(max(1, room - 1))) + "…" : name
                c.text(shown, x: x - Font6x13.height / 2, y: top - 6, .text, vertical: true)
            }
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
