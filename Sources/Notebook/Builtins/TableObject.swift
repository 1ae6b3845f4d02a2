import Render
import Data
import Lang
import Tensors

/// A table as a language value: prints aligned, exports to CSV, and gives
/// its columns by name (`t["f1"]`) and rows as records (`t.rows`).
public final class TableObject: LangObject {
    public let table: TextTable
    public let title: String?
    public init(_ table: TextTable, title: String? = nil) { self.table = table; self.title = title }

    public var typeName: String { "table" }
    public func render() -> String { (title.map { $0 + "\n" } ?? "") + table.description }
    public func length() -> Int? { table.rows.count }
    public var memberNames: [String] { ["columns", "rows", "to_csv"] }

    static func cell(_ s: String) -> Value {
        if let v = Double(s) { return .number(v) }
        if s == "-" { return .none }
        return .string(s)
    }

    public func member(_ name: String) throws -> Value? {
        switch name {
        case "columns": return .list(table.header.map { .string($0) })
        case "rows":
            return .list(table.rows.map { row in
                .record(RecordObject(zip(table.header, row).map { ($0, TableObject.cell($1)) }))
            })
        case "to_csv": return .function(TableObject.csvWriter(table))
        default: return nil
        }
    }

    /// The `to_csv(path)` method of a table: writes it atomically and says
    /// where, with `what` describing the rows.
    static func csvWriter(_ table: TextTable, what: String = "rows") -> BoundMethod {
        BoundMethod("to_csv", [Parameter("path")]) { a, interp in
            let path = try a.string("path")
            try FileIO.writeAtomically(Array(table.csv.utf8), to: path)
            interp.write("wrote \(path) (\(table.rows.count) \(what))\n")
            return .none
        }
    }

    public func subscripted(_ index: [SubscriptValue]) throws -> Value? {
        guard index.count == 1, case .value(let v) = index[0] else { return nil }
        switch v {
        case .string(let column):
            guard let c = table.header.firstIndex(of: column) else {
                throw RuntimeError("table has no column '\(column)'", notes: Suggestions.note(for: column, among: table.header).map { [$0] } ?? ["note: columns: \(table.header.joined(separator: ", "))"])
            }
            return .list(table.rows.map { TableObject.cell(c < $0.count ? $0[c] : "") })
        case .number:
            let r = try v.asIndex(length: table.rows.count, what: "row index")
            return .record(RecordObject(zip(table.header, table.rows[r]).map { ($0, TableObject.cell($1)) }))
        default: return nil
        }
    }

    public func iterationValues() throws -> [Value]? { try member("rows").map { if case .list(let l) = $0 { return l.items }; return [] } }
}
