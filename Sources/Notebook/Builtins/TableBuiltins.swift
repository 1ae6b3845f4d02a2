import Render
import Data
import Lang

/// Builtins about tables: load_table (concat joins tables as well as
/// tensors; how tables print is an option, see Settings).
enum TableBuiltins {
    /// The tables of a list when every item is one (concat of tables), else nil.
    static func tables(_ items: [Value]) -> [DataTable]? {
        let tables = items.compactMap { v -> DataTable? in
            guard case .object(let o) = v, let t = o as? TableObject else { return nil }
            return t.table
        }
        return !items.isEmpty && tables.count == items.count ? tables : nil
    }

    static func register(in session: Session) {
        let i = session.interpreter
        i.register(BuiltinFunction(
            "load_table", [Parameter("path")],
            summary: "A CSV file as a table: numeric columns as numbers, others as text, empty fields as missing (none).",
            details: "Reads back what t.to_csv(path) writes, with the same values (numbers at full precision). For training data use load_csv, which builds a dataset.",
            example: "w = load_table(\"weights.csv\"); w.sort(\"weight\", descending=true).head(3)"
        ) { a, _ in
            .object(TableObject(try TableLoader.load(path: try a.string("path"))))
        })
    }
}
