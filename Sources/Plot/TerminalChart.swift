#if canImport(Glibc)
import Glibc
#endif

/// Charts drawn with text for a terminal, in the manner of Julia's UnicodePlots:
/// lines and points on a braille grid (2×4 dots per character), bars of block
/// characters, axes with tick labels and a legend, fitted to a width in columns.
/// Each series gets an ANSI colour when the terminal has them; without colours
/// series are told apart by their marks (•, +, ×, …) and bar fills (█, ▓, ▒, ░).
public enum TerminalChart {
    /// What the terminal can show.
    public enum Colors: Sendable { case none, basic, extended }

    /// ANSI foreground codes near the PNG palette (Okabe & Ito): 256-colour and 8-colour versions.
    static let extendedCodes = [214, 117, 36, 32, 166, 175, 227, 250]
    static let basicCodes = [33, 36, 32, 34, 31, 35, 93, 37]
    /// Marks for series when there is no colour.
    static let marks: [Character] = ["•", "+", "×", "o", "*", "#", "@", "%"]
    static let fills: [Character] = ["█", "▓", "▒", "░"]

    static func paint(_ text: String, _ series: Int, _ colors: Colors) -> String {
        switch colors {
        case .none: return text
        case .basic: return "\u{1B}[\(basicCodes[series % basicCodes.count])m" + text + "\u{1B}[0m"
        case .extended: return "\u{1B}[38;5;\(extendedCodes[series % extendedCodes.count])m" + text + "\u{1B}[0m"
        }
    }

    /// A grid of braille cells, each remembering the series drawn last into it.
    struct Braille {
        let columns: Int, rows: Int
        var bits: [UInt8], owner: [Int]
        init(columns: Int, rows: Int) {
            self.columns = columns; self.rows = rows
            bits = [UInt8](repeating: 0, count: columns * rows)
            owner = [Int](repeating: -1, count: columns * rows)
        }
        /// Dot (x, y) in dot coordinates, y down; off-grid dots are dropped.
        mutating func set(_ x: Int, _ y: Int, series: Int) {
            guard x >= 0, y >= 0, x < columns * 2, y < rows * 4 else { return }
            let dot: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
            let i = (y / 4) * columns + x / 2
            bits[i] |= dot[x % 2][y % 4]
            owner[i] = series
        }
        /// A straight run of dots from one point to another (Bresenham).
        mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, series: Int) {
            var x = x0, y = y0
            let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
            var err = dx + dy
            for _ in 0...(dx - dy) {
                set(x, y, series: series)
                if x == x1 && y == y1 { break }
                let e2 = 2 * err
                if e2 >= dy { err += dy; x += sx }
                if e2 <= dx { err += dx; y += sy }
            }
        }
        /// The character of a cell: braille, or the series' mark when there are no colours to tell series apart.
        func character(_ column: Int, _ row: Int, plainMarks: Bool) -> (Character, Int)? {
            let i = row * columns + column
            guard bits[i] != 0 else { return nil }
            if plainMarks { return (TerminalChart.marks[owner[i] % TerminalChart.marks.count], owner[i]) }
            return (Character(Unicode.Scalar(0x2800 + UInt32(bits[i]))!), owner[i])
        }
    }

    /// Tick labels placed along an axis of `length` characters: one every ~`spacing` characters.
    static func yAxis(_ ticks: [Double], rows: Int, map: (Double) -> Int) -> [Int: String] {
        var labels: [Int: String] = [:]
        for t in ticks { let r = map(t); if r >= 0, r < rows, labels[r] == nil { labels[r] = Ticks.label(t) } }
        return labels
    }

    /// Assembles the chart: title, rows with y labels and the left axis, the x axis with labels, the legend.
    static func frame(title: String, cells: [[String]], yLabels: [Int: String], xLabels: [(Int, String)], xName: String,
                      legend: [(String, Int)], legendMark: (Int) -> String, colors: Colors, width: Int) -> String {
        let labelWidth = yLabels.values.map(\.count).max() ?? 1
        let plotWidth = cells.first?.count ?? 0
        var out: [String] = []
        if !title.isEmpty { out.append(String(repeating: " ", count: max(0, labelWidth + 2 + (plotWidth - title.count) / 2)) + title) }
        for (r, row) in cells.enumerated() {
            let label = yLabels[r] ?? ""
            out.append(String(repeating: " ", count: labelWidth - label.count) + label + (yLabels[r] == nil ? " │" : " ┤") + row.joined())
        }
        out.append(String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: plotWidth))
        if !xLabels.isEmpty {
            var line = [Character](repeating: " ", count: labelWidth + 2 + plotWidth + 12)
            var free = 0
            for (col, text) in xLabels {
                let start = max(free, labelWidth + 2 + col - text.count / 2)
                guard start + text.count <= line.count else { continue }
                for (k, c) in text.enumerated() { line[start + k] = c }
                free = start + text.count + 1
            }
            var text = String(line)
            while text.hasSuffix(" ") { text.removeLast() }
            if !xName.isEmpty, text.count + 2 + xName.count <= width { text += "  " + xName }
            out.append(text)
        }
        // The legend, wrapped to the width.
        if legend.count > 1 || legend.first.map({ !$0.0.isEmpty }) == true {
            var line = String(repeating: " ", count: labelWidth + 2), length = labelWidth + 2
            for (name, s) in legend {
                let shown = name.count > 24 ? String(name.prefix(23)) + "…" : name
                let entryLength = 2 + shown.count + 3
                if length + entryLength > width, length > labelWidth + 2 {
                    out.append(line)
                    line = String(repeating: " ", count: labelWidth + 2); length = labelWidth + 2
                }
                line += paint(legendMark(s), s, colors) + " " + shown + "   "
                length += entryLength
            }
            out.append(line)
        }
        return out.map { l in var l = l; while l.hasSuffix(" ") { l.removeLast() }; return l }.joined(separator: "\n")
    }

    /// Lines through each series' finite points, `height` rows tall, fitted to `width` columns.
    public static func line(_ series: [Series], title: String, xLabel: String = "", log: Bool = false,
                            width: Int, height: Int = 12, colors: Colors) -> String {
        let points = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite && (!log || $0.1 > 0) } }
        guard !points.isEmpty else { return "" }
        let xs = points.map(\.0), ys = points.map(\.1)
        let yTicks = log ? Ticks.logarithmic(ys.min()!, ys.max()!) : Ticks.linear(ys.min()!, ys.max()!, count: 4)
        let xTicks = Ticks.linear(xs.min()!, xs.max()!, count: 5)
        let labelWidth = yTicks.map { Ticks.label($0).count }.max() ?? 1
        let columns = max(10, width - labelWidth - 3)
        var grid = Braille(columns: columns, rows: height)
        func fx(_ x: Double) -> Int { Int((Charts.Frame.fraction(x, xTicks.first!, xTicks.last!) * Double(columns * 2 - 1)).rounded()) }
        func fy(_ y: Double) -> Int {
            var a = yTicks.first!, b = yTicks.last!, v = y
            if log { a = log10(a); b = log10(b); v = log10(max(y, 1e-300)) }
            return Int(((1 - Charts.Frame.fraction(v, a, b)) * Double(height * 4 - 1)).rounded())
        }
        for (i, s) in series.enumerated() {
            var previous: (Int, Int)?
            for (x, y) in zip(s.x, s.y) {
                guard x.isFinite, y.isFinite, !log || y > 0 else { previous = nil; continue }
                let p = (fx(x), fy(y))
                if let q = previous { grid.line(q.0, q.1, p.0, p.1, series: i) } else { grid.set(p.0, p.1, series: i) }
                previous = p
            }
        }
        let plain = colors == .none && series.count > 1
        let cells = (0..<height).map { r in
            (0..<columns).map { c -> String in
                guard let (ch, s) = grid.character(c, r, plainMarks: plain) else { return " " }
                return series.count > 1 || colors != .none ? paint(String(ch), s, colors) : String(ch)
            }
        }
        let yLabels = yAxis(yTicks, rows: height) { fy($0) / 4 }
        let xLabels = xTicks.map { (fx($0) / 2, Ticks.label($0)) }
        return frame(title: title, cells: cells, yLabels: yLabels, xLabels: xLabels, xName: xLabel,
                     legend: series.enumerated().map { ($1.name, $0) }, legendMark: { plain ? String(repeating: String(marks[$0 % marks.count]), count: 2) : "──" },
                     colors: colors, width: width)
    }

    /// Points coloured by group.
    public static func scatter(x: [Double], y: [Double], groups: [Int], groupNames: [String], title: String,
                               width: Int, height: Int = 14, colors: Colors) -> String {
        let series = (0..<max(1, groupNames.count)).map { g -> Series in
            let idx = x.indices.filter { $0 < y.count && (groupNames.isEmpty || ($0 < groups.count && groups[$0] == g)) }
            return Series(name: g < groupNames.count ? groupNames[g] : "", x: idx.map { x[$0] }, y: idx.map { y[$0] })
        }
        // Points are not joined: each is its own run.
        let apart = series.map { s in
            Series(name: s.name, x: s.x.flatMap { [$0, .nan] }, y: s.y.flatMap { [$0, .nan] })
        }
        return line(apart, title: title, width: width, height: height, colors: colors)
    }

    /// Horizontal bars, one row per category and series, with the value (± error) after each bar.
    public static func bars(categories: [String], series: [(String, [Double])], errors: [[Double]]? = nil, title: String,
                            width: Int, colors: Colors) -> String {
        let values = series.flatMap(\.1).filter(\.isFinite)
        guard !categories.isEmpty, !values.isEmpty else { return "" }
        let lo = min(0, values.min()!), hi = max(0, values.max()!)
        func label(_ s: Int, _ i: Int) -> String {
            let v = series[s].1[i]
            guard v.isFinite else { return "-" }
            var t = Ticks.label(v)
            if let e = errors?[s][i], e.isFinite, e > 0 { t += " ± " + Ticks.label(e) }
            return t
        }
        let nameWidth = min(24, categories.map(\.count).max() ?? 0)
        let valueWidth = series.indices.flatMap { s in categories.indices.map { label(s, $0).count } }.max() ?? 1
        let room = max(10, width - nameWidth - valueWidth - 4)
        let zero = Int((Charts.Frame.fraction(0, lo, hi) * Double(room)).rounded())
        var out: [String] = []
        if !title.isEmpty { out.append(String(repeating: " ", count: max(0, nameWidth + 2 + (room - title.count) / 2)) + title) }
        let plain = colors == .none && series.count > 1
        for (i, category) in categories.enumerated() {
            for s in series.indices {
                let v = i < series[s].1.count ? series[s].1[i] : .nan
                let name = s == 0 ? (category.count > nameWidth ? String(category.prefix(nameWidth - 1)) + "…" : category) : ""
                var row = name + String(repeating: " ", count: nameWidth - name.count) + " │"
                if v.isFinite {
                    let end = Int((Charts.Frame.fraction(v, lo, hi) * Double(room)).rounded())
                    let (a, b) = (min(zero, end), max(zero, end))
                    let fill = String(plain ? fills[s % fills.count] : "█")
                    let bar = String(repeating: fill, count: max(b - a, v == 0 ? 0 : 1))
                    row += String(repeating: " ", count: a) + (colors == .none ? bar : paint(bar, s, colors)) + " " + label(s, i)
                } else {
                    row += String(repeating: " ", count: zero) + "-"
                }
                out.append(row)
            }
        }
        if series.count > 1 {
            out.append(String(repeating: " ", count: nameWidth + 2) + series.enumerated().map { s, entry in
                paint(String(repeating: String(plain ? fills[s % fills.count] : "█"), count: 2), s, colors) + " " + entry.0
            }.joined(separator: "   "))
        }
        return out.joined(separator: "\n")
    }

    /// A matrix as shaded cells (darker is larger) with row and column labels.
    public static func heatmap(_ values: [[Double]], rows: [String], columns: [String], title: String, width: Int) -> String {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        guard !finite.isEmpty else { return "" }
        let lo = finite.min()!, hi = finite.max()!
        let shades: [Character] = [" ", "░", "▒", "▓", "█"]
        let rowWidth = min(16, rows.map(\.count).max() ?? 0)
        let cell = max(4, min(10, (width - rowWidth - 2) / max(1, columns.count)))
        var out: [String] = []
        if !title.isEmpty { out.append(title) }
        out.append(String(repeating: " ", count: rowWidth + 1) + columns.map { c in
            let t = c.count > cell - 1 ? String(c.prefix(cell - 1)) : c
            return t + String(repeating: " ", count: cell - t.count)
        }.joined())
        for (i, row) in values.enumerated() {
            let name = i < rows.count ? String(rows[i].prefix(rowWidth)) : ""
            var line = name + String(repeating: " ", count: rowWidth - name.count + 1)
            for v in row {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                let shade = v.isFinite ? shades[min(4, Int((t * 4).rounded()))] : " "
                let text = v.isFinite ? Ticks.label(v) : "-"
                let shown = text.count >= cell ? String(text.prefix(cell - 1)) : text
                line += String(repeating: shade, count: cell - 1 - shown.count) + shown + " "
            }
            out.append(line)
        }
        return out.map { l in var l = l; while l.hasSuffix(" ") { l.removeLast() }; return l }.joined(separator: "\n")
    }
}
