import Render
import Data
import Lang
import Tensors

/// A table as a language value: prints fitted to the terminal, exports its
/// raw values, and gives its columns by name (`t["f1"]`, `t.f1`) and rows as
/// records (`t[0]`, `t.rows`).
public final class TableObject: LangObject {
    public let table: DataTable
    public init(_ table: DataTable) { self.table = table }

    public var typeName: String { "table" }
    public func render() -> String { table.text }
    public func length() -> Int? { table.rowCount }
    static let methods = ["columns", "rows", "shape", "kind", "keys", "head", "tail", "select", "sort", "where", "group_by",
                          "with_column", "concat", "to_csv", "to_json", "to_jsonl"]
    /// Methods and properties, then the columns (t.weight is t["weight"] unless a method has that name).
    public var memberNames: [String] { TableObject.methods + table.names.filter { !TableObject.methods.contains($0) } }

    /// A cell as a language value: missing is none.
    static func value(_ cell: Cell) -> Value {
        switch cell {
        case .number(let v): return .number(v)
        case .text(let s): return .string(s)
        case .missing: return .none
        }
    }

    /// A language value as a cell: none and NaN are missing, booleans 0/1.
    static func cell(_ v: Value, what: String) throws -> Cell {
        switch v {
        case .none: return .missing
        case .number(let d): return Cell.of(d)
        case .bool(let b): return .number(b ? 1 : 0)
        case .string(let s): return .text(s)
        default: throw RuntimeError("\(what): a table cell must be a number, string, bool or none, got \(v.typeName)")
        }
    }

    func record(_ r: Int) -> Value {
        .record(RecordObject(table.row(r).map { ($0, TableObject.value($1)) }))
    }

    func columnValues(_ c: Int) -> Value {
        .list((0..<table.rowCount).map { TableObject.value(table.cell($0, c)) })
    }

    func method(_ name: String, _ parameters: [Parameter] = [], summary: String,
                _ body: @escaping (Arguments, Interpreter) throws -> Value) -> Value {
        .function(BoundMethod(name, parameters, summary: summary, body: body))
    }

    /// Column names from a string or a list of strings.
    func columnList(_ v: Value, _ what: String) throws -> [Int] {
        let names: [Value]
        switch v {
        case .string: names = [v]
        case .list(let l): names = l.items
        default: throw RuntimeError("\(what): give a column name or a list of names, got \(v.typeName)")
        }
        return try names.map { n in
            guard case .string(let s) = n else { throw RuntimeError("\(what): column names are strings, got \(n.typeName)") }
            return try columnIndex(s)
        }
    }

    func rowCount(_ a: Arguments, _ what: String) throws -> Int {
        let n = try a.integer("n")
        guard n >= 0 else { throw RuntimeError("\(what)(): n must be at least 0, got \(n)") }
        return min(n, table.rowCount)
    }

    public func member(_ name: String) throws -> Value? {
        let t = table
        switch name {
        case "columns": return .list(t.names.map { .string($0) })
        case "rows": return .list((0..<t.rowCount).map(record))
        case "shape": return .list([.number(Double(t.rowCount)), .number(Double(t.columns.count))])
        case "kind": return t.kind.map { .string($0) } ?? Value.none
        case "keys": return .list(t.keys.map { .string($0) })
        case "head":
            return method("head", [Parameter("n", default: .number(5))], summary: "The first n rows, as a table.") { [self] a, _ in
                .object(TableObject(t.rows(Array(0..<(try rowCount(a, "head"))))))
            }
        case "tail":
            return method("tail", [Parameter("n", default: .number(5))], summary: "The last n rows, as a table.") { [self] a, _ in
                let n = try rowCount(a, "tail")
                return .object(TableObject(t.rows(Array((t.rowCount - n)..<t.rowCount))))
            }
        case "select":
            return method("select", [Parameter("columns")], summary: "The given columns (a name or a list of names), in that order.") { [self] a, _ in
                .object(TableObject(t.selecting(try columnList(a["columns"], "select()"))))
            }
        case "sort":
            return method("sort", [Parameter("by"), Parameter("descending", default: .bool(false))],
                          summary: "Rows ordered by a column (or a list: the first decides, the next breaks ties); missing values last.") { [self] a, _ in
                .object(TableObject(t.sorted(by: try columnList(a["by"], "sort()"), descending: try a.bool("descending"))))
            }
        case "where":
            return method("where", [Parameter("keep")], summary: "The rows for which keep(row) is true; row is a record of the row's values.") { [self] a, interp in
                let keep = a["keep"]
                guard case .function = keep else {
                    throw RuntimeError("where(): give a function of a row, such as fn(r) { r.weight > 1 }, got \(keep.typeName)")
                }
                var kept: [Int] = []
                for r in 0..<t.rowCount where try interp.call(keep, positional: [record(r)]).isTruthy() { kept.append(r) }
                return .object(TableObject(t.rows(kept)))
            }
        case "group_by":
            return method("group_by", [Parameter("columns")],
                          summary: "Rows grouped by the given columns; .mean(), .sum(), .count(), .min(), .max() give a table with a row per group.") { [self] a, _ in
                .object(GroupedTableObject(table: t, keys: try columnList(a["columns"], "group_by()")))
            }
        case "with_column":
            return method("with_column", [Parameter("name"), Parameter("values")],
                          summary: "A copy with a column added or replaced: values is a list (one per row) or a function of a row.") { [self] a, interp in
                let name = try a.string("name")
                let values: [Value]
                if case .function = a["values"] {
                    values = try (0..<t.rowCount).map { try interp.call(a["values"], positional: [record($0)]) }
                } else {
                    values = try a.list("values")
                }
                guard values.count == t.rowCount else {
                    throw RuntimeError("with_column(): \(values.count) values for a table of \(t.rowCount) rows")
                }
                let cells = try values.map { try TableObject.cell($0, what: "with_column()") }
                let isText = cells.contains { $0.text != nil }
                return .object(TableObject(t.withColumn(Column(name, format: isText ? .text : .auto, cells: cells))))
            }
        case "concat":
            return method("concat", [Parameter("other")], summary: "This table's rows followed by another's (columns matched by name).") { a, _ in
                let other = try a.object("other", as: TableObject.self, "a table").table
                return .object(TableObject(DataTable.concatenating([t, other])))
            }
        case "to_csv": return .function(TableObject.csvWriter(t))
        case "to_json": return .function(TableObject.writer("to_json", t.json, rows: t.rowCount))
        case "to_jsonl": return .function(TableObject.writer("to_jsonl", t.jsonl, rows: t.rowCount))
        default:
            if let c = t.columns.firstIndex(where: { $0.name == name }) { return columnValues(c) }
            return nil
        }
    }

    static func writer(_ name: String, _ text: String, rows: Int) -> BoundMethod {
        BoundMethod(name, [Parameter("path")]) { a, interp in
            let path = try a.string("path")
            try FileIO.writeAtomically(Array(text.utf8), to: path)
            interp.write("wrote \(path) (\(rows) rows)\n")
            return .none
        }
    }

    /// The `to_csv(path)` method of a table: writes it atomically and says
    /// where, with `what` describing the rows.
    static func csvWriter(_ table: DataTable, what: String = "rows") -> BoundMethod {
        BoundMethod("to_csv", [Parameter("path")]) { a, interp in
            let path = try a.string("path")
            try FileIO.writeAtomically(Array(table.csv.utf8), to: path)
            interp.write("wrote \(path) (\(table.rowCount) \(what))\n")
            return .none
        }
    }

    /// The index of a column by name (or header label), or an error that names it and suggests near names.
    func columnIndex(_ name: String) throws -> Int {
        guard let c = table.columnIndex(name) else {
            throw RuntimeError("table has no column '\(name)'",
                               notes: [Suggestions.note(for: name, among: table.names + table.columns.map(\.label)),
                                       "note: columns: \(table.names.joined(separator: ", "))"].compactMap { $0 })
        }
        return c
    }

    public func subscripted(_ index: [SubscriptValue]) throws -> Value? {
        guard index.count == 1 else { return nil }
        switch index[0] {
        case .slice(let start, let end, let step):
            return .object(TableObject(table.rows(Array(try resolveSlice(start: start, end: end, step: step, length: table.rowCount)))))
        case .value(let v):
            switch v {
            case .string(let column): return columnValues(try columnIndex(column))
            case .number: return record(try v.asIndex(length: table.rowCount, what: "row index"))
            case .list: return .object(TableObject(table.selecting(try columnList(v, "t[[...]]"))))
            default: return nil
            }
        }
    }

    public func iterationValues() throws -> [Value]? { (0..<table.rowCount).map(record) }
}

/// `t.group_by(cols)`: the groups, waiting for an aggregate.
final class GroupedTableObject: LangObject {
    let table: DataTable
    let keys: [Int]
    init(table: DataTable, keys: [Int]) { self.table = table; self.keys = keys }

    var typeName: String { "grouped table" }
    func render() -> String {
        "table grouped by \(keys.map { table.columns[$0].name }.joined(separator: ", ")): use .mean(), .sum(), .count(), .min() or .max()"
    }
    var memberNames: [String] { Aggregate.allCases.map(\.rawValue) }
    func member(_ name: String) throws -> Value? {
        guard let aggregate = Aggregate(rawValue: name) else { return nil }
        let summary = aggregate == .count
            ? "Per group, how many values each column has (missing values and NaN are not counted)."
            : "Per group, the \(name) of each numeric column, skipping missing values and NaN (missing when a group has none)."
        return .function(BoundMethod(name, [], summary: summary) { [table, keys] _, _ in
            .object(TableObject(table.grouped(by: keys, aggregate)))
        })
    }
}
