/// A typed table: columns of raw values (numbers at full precision, text,
/// missing), with how each column prints. Every table the tool produces
/// (weights, history, reports, comparisons, confusion matrices, …) is one,
/// so it prints fitted to the terminal, exports its exact numbers, and can be
/// sliced, sorted and grouped as data.

/// One value of a table.
public enum Cell: Sendable, Hashable {
    case number(Double), text(String), missing

    /// A number, with NaN (an undefined score) as missing.
    public static func of(_ v: Double?) -> Cell {
        guard let v, !v.isNaN else { return .missing }
        return .number(v)
    }

    public var number: Double? { if case .number(let v) = self { return v }; return nil }
    public var text: String? { if case .text(let s) = self { return s }; return nil }
    public var isMissing: Bool { self == .missing }
}

/// How a column's numbers print. The cells keep their raw values whatever the format.
public enum ColumnFormat: Sendable, Equatable {
    /// Integer-valued columns as integers, others to the display's significant digits.
    case auto
    case integer
    /// Fixed decimals.
    case decimals(Int)
    /// The cell holds a fraction (0.021), shown as 2.1%; CSV keeps 0.021.
    case percent
    case text
}

public struct Column: Sendable {
    /// The ASCII name used for access and in exports: "mu_d", "n_d", "factor".
    public var name: String
    /// What the header shows (may use symbols: "μ_d"); the name by default.
    public var label: String
    public var format: ColumnFormat
    public var cells: [Cell]
    /// Right-align text cells too (text that holds numbers, such as "0.73 ± 0.05").
    public var alignRight = false

    public init(_ name: String, label: String? = nil, format: ColumnFormat = .auto, cells: [Cell]) {
        self.name = name
        self.label = label ?? name
        self.format = format
        self.cells = cells
    }

    /// A numeric column; nil and NaN are missing.
    public init(_ name: String, label: String? = nil, format: ColumnFormat = .auto, numbers: [Double?]) {
        self.init(name, label: label, format: format, cells: numbers.map(Cell.of))
    }

    public init(_ name: String, label: String? = nil, format: ColumnFormat = .auto, numbers: [Double]) {
        self.init(name, label: label, format: format, cells: numbers.map { Cell.of($0) })
    }

    public init(_ name: String, label: String? = nil, texts: [String]) {
        self.init(name, label: label, format: .text, cells: texts.map { .text($0) })
    }

    public init(_ name: String, label: String? = nil, integers: [Int]) {
        self.init(name, label: label, format: .integer, cells: integers.map { .number(Double($0)) })
    }

    /// Whether every present cell is a number (and the column is not declared text).
    public var isNumeric: Bool { format != .text && cells.allSatisfy { $0.text == nil } }
}

public struct DataTable: Sendable {
    public var columns: [Column]
    public var title: String?
    /// What the table is, so a chart or a notebook can choose a view: "weights",
    /// "history", "dynamics", "comparison", "report", "by_group", "confusion",
    /// "clusters", … (nil: a plain table).
    public var kind: String?
    /// Text columns that identify a row (a series): ["method"], ["domain", "group"].
    public var keys: [String]

    public init(_ columns: [Column], title: String? = nil, kind: String? = nil, keys: [String] = []) {
        self.columns = columns
        self.title = title
        self.kind = kind
        self.keys = keys
    }

    public var rowCount: Int { columns.map(\.cells.count).max() ?? 0 }
    public var names: [String] { columns.map(\.name) }

    /// The column with this name, or else this label.
    public func column(_ name: String) -> Column? {
        columnIndex(name).map { columns[$0] }
    }

    public func columnIndex(_ name: String) -> Int? {
        columns.firstIndex { $0.name == name } ?? columns.firstIndex { $0.label == name }
    }

    /// A cell, missing where a column is shorter than the table.
    public func cell(_ row: Int, _ column: Int) -> Cell {
        let cells = columns[column].cells
        return row < cells.count ? cells[row] : .missing
    }

    /// One row as (name, cell) pairs.
    public func row(_ r: Int) -> [(String, Cell)] {
        columns.indices.map { (columns[$0].name, cell(r, $0)) }
    }
}

// MARK: - Display

/// How tables and scalars print: the width to fit, how many rows before a
/// table shows only its head and tail, and significant digits. One setting
/// for the whole process, changed by `options(width=, rows=, digits=, table_digits=)`.
public enum Display {
    /// Tables with more rows than this show their first and last five (0: all rows).
    nonisolated(unsafe) public static var maxRows = 60
    /// Significant digits of scalars and of table numbers.
    nonisolated(unsafe) public static var digits = 6
    /// Significant digits of table columns (narrower than scalars so tables fit).
    nonisolated(unsafe) public static var tableDigits = 4
    /// Text cells longer than this are shortened with "…".
    public static let maxCellWidth = 32
    /// Tables with at most this many rows wrap their columns into blocks instead of eliding them.
    public static let wrapRows = 10
    /// Rows shown at each end of a long table.
    public static let edgeRows = 5
}

extension DataTable {
    /// The table as text, fitted to the terminal with the display settings.
    public var text: String { render(width: Terminal.width, maxRows: Display.maxRows, digits: Display.tableDigits) }

    /// The table as aligned text no line of which is longer than `width`:
    /// columns that do not fit are elided in the middle (`…`), long text is
    /// shortened, and a table with more than `maxRows` rows (0: no limit) shows
    /// its head and tail around "… N more rows …". A footer gives the full
    /// size when anything was left out.
    public func render(width: Int, maxRows: Int, digits: Int) -> String {
        let width = max(width, 8)
        let n = rowCount
        // Rows shown: all, or the head and tail.
        var shown = Array(0..<n), gap: Int? = nil
        if maxRows > 0 && n > maxRows {
            let edge = min(Display.edgeRows, max(1, maxRows / 2))
            shown = Array(0..<edge) + Array((n - edge)..<n)
            gap = edge
        }
        var cells = columns.map { formatColumn($0, rows: shown, digits: digits) }
        var headers = columns.map(\.label)
        for c in columns.indices {
            headers[c] = shorten(headers[c], Display.maxCellWidth)
            cells[c] = cells[c].map { shorten($0, Display.maxCellWidth) }
        }
        var widths = columns.indices.map { c in cells[c].reduce(headers[c].count) { max($0, $1.count) } }
        let right = columns.map { $0.isNumeric || $0.alignRight }
        func line(_ visible: [Int], _ row: (Int) -> String) -> String {
            visible.map { c -> String in
                if c < 0 { return "…" }
                let s = row(c)
                let pad = String(repeating: " ", count: max(0, widths[c] - s.count))
                return right[c] ? pad + s : s + pad
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
        func block(_ visible: [Int]) -> [String] {
            var out = [line(visible) { headers[$0] }]
            for i in shown.indices {
                if i == gap { out.append(shorten("… \(n - 2 * gap!) more rows …", width)) }
                out.append(line(visible) { cells[$0][i] })
            }
            return out
        }
        func span(_ cs: [Int]) -> Int { cs.reduce(0) { $0 + widths[$1] } + 2 * max(0, cs.count - 1) }

        var out: [String] = []
        if let title { out.append(shorten(title, width)) }
        var elided = gap != nil
        let all = Array(columns.indices)
        let keyColumns = all.filter { keys.contains(columns[$0].name) }
        if span(all) <= width || columns.count == 1 {
            if columns.count == 1 && widths[0] > width {
                widths[0] = width
                headers[0] = shorten(headers[0], width)
                cells[0] = cells[0].map { shorten($0, width) }
            }
            out += block(all)
        } else if let blocks = wrapped(all, keyColumns, span, width), gap == nil && n <= Display.wrapRows {
            // A short table: the columns in a few blocks that fit, each led by the key columns.
            for (b, columns) in blocks.enumerated() {
                if b > 0 { out.append("") }
                out += block(columns)
            }
        } else {
            // Elided in the middle: as many columns from the left as fit, and
            // the last one when it is narrow, around a "…" column.
            elided = true
            let budget = width - 3  // the "…" column and its separator
            let last = columns.count - 1
            var tail: [Int] = widths[last] + 2 <= budget / 5 ? [last] : []
            var head: [Int] = []
            for c in all where c < last || tail.isEmpty {
                if span(head + [c]) + (tail.isEmpty ? 0 : span(tail) + 2) > budget { break }
                head.append(c)
            }
            if head.isEmpty {
                // Not even the first column fits: shorten it to the width.
                tail = []
                head = [0]
                widths[0] = max(1, budget)
                headers[0] = shorten(headers[0], widths[0])
                cells[0] = cells[0].map { shorten($0, widths[0]) }
            }
            out += block(head + [-1] + tail)
        }
        if elided {
            out.append(shorten("\(n) row\(n == 1 ? "" : "s") × \(columns.count) column\(columns.count == 1 ? "" : "s")", width))
        }
        return out.joined(separator: "\n")
    }

    /// The columns in at most three blocks no wider than `width`, each led by
    /// the key columns; nil when they need more.
    func wrapped(_ all: [Int], _ keyColumns: [Int], _ span: ([Int]) -> Int, _ width: Int) -> [[Int]]? {
        guard span(keyColumns) <= width / 2 else { return nil }
        var blocks: [[Int]] = [], current = keyColumns
        for c in all where !keyColumns.contains(c) {
            if span(keyColumns + [c]) > width { return nil }
            if current.count > keyColumns.count && span(current + [c]) > width {
                blocks.append(current)
                current = keyColumns
            }
            current.append(c)
        }
        blocks.append(current)
        return blocks.count <= 3 ? blocks : nil
    }

    /// The printed cells of a column at the given rows.
    func formatColumn(_ column: Column, rows: [Int], digits: Int) -> [String] {
        let values = rows.map { $0 < column.cells.count ? column.cells[$0] : .missing }
        let numbers = values.compactMap(\.number).filter(\.isFinite)
        var format = column.format
        if format == .auto && numbers.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e15 }) { format = .integer }
        // One number of decimals for the whole column, so the points line up.
        var decimals = 0, scientific = false
        if format == .auto || (format == .text && !numbers.isEmpty) {
            (decimals, scientific) = columnDecimals(numbers, digits: digits)
        }
        let texts = values.map { cell -> String in
            switch cell {
            case .missing: return "-"
            case .text(let s): return s
            case .number(let v):
                if !v.isFinite { return v.isNaN ? "-" : (v < 0 ? "-inf" : "inf") }
                switch format {
                case .integer: return abs(v) < 1e15 ? formatFixed(v, 0) : formatSignificant(v, digits: digits)
                case .decimals(let d): return formatFixed(v, d)
                case .percent: return formatFixed(v * 100, 1) + "%"
                case .auto, .text: return scientific ? formatSignificant(v, digits: digits) : formatFixed(v, decimals)
                }
            }
        }
        return format == .auto && !scientific ? trimCommonZeros(texts) : texts
    }

    /// Decimals that give the column's largest magnitude `digits` significant
    /// digits; scientific notation when that would be unreadable (very large
    /// or very small numbers).
    func columnDecimals(_ numbers: [Double], digits: Int) -> (Int, Bool) {
        let largest = numbers.map(abs).max() ?? 0
        guard largest > 0 else { return (1, false) }
        if largest >= 1e15 || largest < 1e-4 { return (0, true) }
        var magnitude = 0, x = largest
        while x >= 10 { x /= 10; magnitude += 1 }
        while x < 1 { x *= 10; magnitude -= 1 }
        return (min(12, max(0, digits - 1 - magnitude)), false)
    }

    /// Drops the trailing zeros every cell of a column has ("0.5000", "0.2500" → "0.50", "0.25").
    func trimCommonZeros(_ texts: [String]) -> [String] {
        let numeric = texts.filter { $0.contains(".") }
        guard !numeric.isEmpty else { return texts }
        let zeros = numeric.map { s in s.reversed().prefix { $0 == "0" }.count }.min() ?? 0
        let keep = numeric.map { s in s.count - s.firstIndex(of: ".").map { s.distance(from: s.startIndex, to: $0) }! - 1 }.min()!
        let drop = min(zeros, keep - 1)  // at least one decimal stays
        guard drop > 0 else { return texts }
        return texts.map { $0.contains(".") ? String($0.dropLast(drop)) : $0 }
    }
}

/// Shortens text to `width` characters, ending in "…".
public func shorten(_ s: String, _ width: Int) -> String {
    guard s.count > width else { return s }
    guard width > 1 else { return String(s.prefix(max(0, width))) }
    return String(s.prefix(width - 1)) + "…"
}

// MARK: - Export

extension DataTable {
    /// CSV with the ASCII column names and raw values: numbers at full
    /// precision (shortest text that reads back as the same float64) and
    /// unquoted, missing values as empty fields.
    public var csv: String {
        var out = columns.map { csvQuote($0.name) }.joined(separator: ",") + "\n"
        for r in 0..<rowCount {
            out += columns.indices.map { c -> String in
                switch cell(r, c) {
                case .missing: return ""
                case .text(let s): return csvQuote(s)
                case .number(let v): return exactNumber(v)
                }
            }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// One JSON object per row (names as keys, missing as null).
    public func jsonRecords() -> [String] {
        (0..<rowCount).map { r in
            "{" + columns.indices.map { c -> String in
                let value: String
                switch cell(r, c) {
                case .missing: value = "null"
                case .text(let s): value = jsonString(s)
                case .number(let v): value = v.isFinite ? exactNumber(v) : "null"
                }
                return jsonString(columns[c].name) + ": " + value
            }.joined(separator: ", ") + "}"
        }
    }

    /// A JSON array of records, as pandas' `to_json(orient="records")`.
    public var json: String { "[" + jsonRecords().joined(separator: ",\n ") + "]\n" }
    /// One record per line.
    public var jsonl: String { jsonRecords().map { $0 + "\n" }.joined() }
}

/// A number as the shortest text that reads back as the same float64;
/// integer-valued numbers without ".0".
public func exactNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}

/// A JSON string literal.
public func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
