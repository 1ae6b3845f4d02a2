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
    public var memberNames: [String] { ["columns", "rows", "to_csv"] }

    /// A cell as a language value: missing is none.
    static func value(_ cell: Cell) -> Value {
        switch cell {
        case .number(let v): return .number(v)
        case .text(let s): return .string(s)
        case .missing: return .none
        }
    }

    func record(_ r: Int) -> Value {
        .record(RecordObject(table.row(r).map { ($0, TableObject.value($1)) }))
    }

    func columnValues(_ c: Int) -> Value {
        .list((0..<table.rowCount).map { TableObject.value(table.cell($0, c)) })
    }

    public func member(_ name: String) throws -> Value? {
        switch name {
        case "columns": return .list(table.names.map { .string($0) })
        case "rows": return .list((0..<table.rowCount).map(record))
        case "to_csv": return .function(TableObject.csvWriter(table))
        default: return nil
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
        guard index.count == 1, case .value(let v) = index[0] else { return nil }
        switch v {
        case .string(let column): return columnValues(try columnIndex(column))
        case .number:
            return record(try v.asIndex(length: table.rowCount, what: "row index"))
        default: return nil
        }
    }

    public func iterationValues() throws -> [Value]? { (0..<table.rowCount).map(record) }
}
