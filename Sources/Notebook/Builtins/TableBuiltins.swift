import Render
import Data
import Lang

/// Builtins about tables and how values print: load_table, set_display
/// (concat joins tables as well as tensors).
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
        i.register(BuiltinFunction(
            "set_display",
            [Parameter("width", default: Value.none), Parameter("rows", default: Value.none), Parameter("digits", default: Value.none),
             Parameter("table_digits", default: Value.none)],
            summary: "How tables and numbers print: width (columns; 0 = the terminal's), rows (tables longer than this show head and tail; 0 = all), digits.",
            details: """
                digits: significant digits of a number shown on its own (default 6; print(x) and str(x) always show every digit). \
                table_digits: significant digits of table columns (default 4). Values keep full precision whatever is shown; \
                to_csv writes every digit. With no arguments, shows the current settings. In the REPL, :set width 100 does the same.
                """,
            example: "set_display(width=120, rows=20, digits=8)"
        ) { a, interp in
            if !a.isNone("width") {
                let w = try a.integer("width")
                guard w == 0 || w >= 20 else { throw RuntimeError("set_display(): width must be 0 (the terminal's) or at least 20, got \(w)") }
                Terminal.widthOverride = w == 0 ? nil : w
            }
            if !a.isNone("rows") {
                let r = try a.integer("rows")
                guard r >= 0 else { throw RuntimeError("set_display(): rows must be 0 (all) or more, got \(r)") }
                Display.maxRows = r
            }
            for (name, keyPath) in [("digits", \Display.Type.digits), ("table_digits", \Display.Type.tableDigits)] where !a.isNone(name) {
                let d = try a.integer(name)
                guard (1...17).contains(d) else { throw RuntimeError("set_display(): \(name) must be 1 to 17, got \(d)") }
                Display.self[keyPath: keyPath] = d
            }
            let width = Terminal.widthOverride.map(String.init) ?? "\(Terminal.width) (measured)"
            interp.write("display: width \(width) · rows \(Display.maxRows == 0 ? "all" : String(Display.maxRows)) · digits \(Display.digits) · table_digits \(Display.tableDigits)\n")
            return .none
        })
    }
}
