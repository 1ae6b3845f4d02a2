/// The operations a table offers as data: row subsets, column selection,
/// sorting, grouping with aggregates, new columns and joining by rows. Each
/// returns a new table; the table's kind and keys follow where they still
/// make sense. Columns are given by index; the language layer resolves names.

/// How `grouped` combines a column's values within a group. Every aggregate
/// skips missing values (and NaN); a group with none left gives missing
/// (count gives 0).
public enum Aggregate: String, CaseIterable, Sendable {
    case mean, sum, count, min, max

    public func apply(_ values: [Double]) -> Double? {
        let present = values.filter { !$0.isNaN }
        if self == .count { return Double(present.count) }
        guard !present.isEmpty else { return nil }
        switch self {
        case .mean: return present.reduce(0, +) / Double(present.count)
        case .sum: return present.reduce(0, +)
        case .min: return present.min()!
        case .max: return present.max()!
        case .count: return Double(present.count)
        }
    }
}

extension DataTable {
    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> DataTable {
        var t = self
        for c in t.columns.indices {
            let cells = columns[c].cells
            t.columns[c].cells = indices.map { $0 < cells.count ? cells[$0] : .missing }
        }
        return t
    }

    /// The columns at `indices`, in that order; keys that were left out are dropped.
    public func selecting(_ indices: [Int]) -> DataTable {
        var t = self
        t.columns = indices.map { columns[$0] }
        t.keys = keys.filter { k in t.columns.contains { $0.name == k } }
        return t
    }

    /// Rows ordered by the given columns (the first decides, the next breaks
    /// ties, …): numbers numerically, text alphabetically, numbers before text;
    /// missing values last in either direction. The sort is stable.
    public func sorted(by columnIndices: [Int], descending: Bool = false) -> DataTable {
        func compare(_ a: Cell, _ b: Cell) -> Int {
            switch (a, b) {
            case (.missing, .missing): return 0
            case (.missing, _): return 2  // after everything, whatever the direction
            case (_, .missing): return -2
            case let (.number(x), .number(y)): return x.isNaN ? (y.isNaN ? 0 : 2) : y.isNaN ? -2 : x < y ? -1 : x > y ? 1 : 0
            case let (.text(x), .text(y)): return x < y ? -1 : x > y ? 1 : 0
            case (.number, .text): return -1
            case (.text, .number): return 1
            }
        }
        let order = (0..<rowCount).sorted { i, j in
            for c in columnIndices {
                var r = compare(cell(i, c), cell(j, c))
                if abs(r) == 1 && descending { r = -r }
                if r != 0 { return r < 0 }
            }
            return i < j
        }
        return rows(order)
    }

    /// One row per distinct combination of the key columns (in order of first
    /// appearance), with every other numeric column aggregated (count: every
    /// other column, counting its present values).
    public func grouped(by keyIndices: [Int], _ aggregate: Aggregate) -> DataTable {
        var groupOf: [[Cell]: Int] = [:], members: [[Int]] = [], firstRows: [Int] = []
        for r in 0..<rowCount {
            let key = keyIndices.map { cell(r, $0) }
            if let g = groupOf[key] { members[g].append(r) } else {
                groupOf[key] = members.count
                members.append([r])
                firstRows.append(r)
            }
        }
        var out = keyIndices.map { c -> Column in
            var column = columns[c]
            column.cells = firstRows.map { cell($0, c) }
            return column
        }
        for c in columns.indices where !keyIndices.contains(c) && (aggregate == .count || columns[c].isNumeric) {
            var column = columns[c]
            column.cells = members.map { rows in
                if aggregate == .count { return .number(Double(rows.filter { !cell($0, c).isMissing && !(cell($0, c).number?.isNaN ?? false) }.count)) }
                return Cell.of(aggregate.apply(rows.compactMap { cell($0, c).number }))
            }
            switch aggregate {
            case .count: column.format = .integer
            case .mean: if column.format == .integer { column.format = .auto }
            default: break
            }
            out.append(column)
        }
        let keyNames = keyIndices.map { columns[$0].name }
        return DataTable(out, title: nil, kind: kind.map { $0 + "_" + aggregate.rawValue }, keys: keyNames)
    }

    /// A copy with a column added (or replaced, when one has that name).
    public func withColumn(_ column: Column) -> DataTable {
        var t = self
        if let c = t.columns.firstIndex(where: { $0.name == column.name }) { t.columns[c] = column } else { t.columns.append(column) }
        return t
    }

    /// The rows of several tables one after another. Columns are matched by
    /// name, in order of first appearance; a table without a column has
    /// missing values there. Kind and keys are kept when every table agrees.
    public static func concatenating(_ tables: [DataTable]) -> DataTable {
        var columns: [Column] = []
        var index: [String: Int] = [:]
        for t in tables {
            for c in t.columns where index[c.name] == nil {
                index[c.name] = columns.count
                columns.append(Column(c.name, label: c.label, format: c.format, cells: []))
            }
        }
        for t in tables {
            let n = t.rowCount
            for c in columns.indices {
                if let own = t.columnIndex(columns[c].name), t.columns[own].name == columns[c].name {
                    columns[c].cells += (0..<n).map { t.cell($0, own) }
                    if t.columns[own].format != columns[c].format && columns[c].format != .text { columns[c].format = .auto }
                } else {
                    columns[c].cells += Array(repeating: .missing, count: n)
                }
            }
        }
        let kinds = Set(tables.map { $0.kind ?? "" }), keySets = Set(tables.map(\.keys))
        return DataTable(columns, kind: kinds.count == 1 ? tables.first?.kind : nil, keys: keySets.count == 1 ? tables.first?.keys ?? [] : [])
    }
}
