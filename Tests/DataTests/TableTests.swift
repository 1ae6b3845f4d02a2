import Data
import Lang
import Notebook
import Render
import Testing
import TestSupport

/// The typed table: how it prints at a given width, and its operations
/// against results worked out by hand.
@Suite("typed tables")
struct TableTests {
    /// Four rows, with a missing weight and a text key.
    static func small() -> DataTable {
        DataTable([Column("domain", texts: ["a", "b", "a", "b"]),
                   Column("group", texts: ["F", "F", "M", "M"]),
                   Column("weight", numbers: [2.0, nil, 0.5, 4.0]),
                   Column("n", integers: [3, 1, 4, 2]),
                   Column("mu_g", label: "μ_g", numbers: [0.25, 0.5, 0.125, 1])],
                  kind: "weights", keys: ["domain", "group"])
    }

    func session(_ table: DataTable) -> Transcript {
        let t = Transcript()
        t.session.interpreter.define("w", .object(TableObject(table)))
        return t
    }

    @Test("sort, select, slices, head and tail, len, rows as records")
    func rowsAndColumns() {
        let t = session(Self.small())
        #expect(t.run("print(len(w), w.shape)").output == "4 [4, 5]\n")
        #expect(t.run("print(w.weight)").output == "[2, none, 0.5, 4]\n")
        #expect(t.run("print(w[\"μ_g\"] == w.mu_g)").output == "true\n")  // the label reaches the same column
        #expect(t.run("print(w[1].domain, w[-1].n)").output == "b 2\n")
        #expect(t.run("print(w[1:3].n, w.head(2).n, w.tail(1).n, w[::2].group)").output == "[1, 4] [3, 1] [2] [\"F\", \"M\"]\n")
        // Descending by weight: missing last; ties broken by the next column.
        #expect(t.run("print(w.sort(\"weight\", descending=true).n)").output == "[2, 3, 4, 1]\n")
        #expect(t.run("print(w.sort([\"domain\", \"n\"]).n)").output == "[3, 4, 1, 2]\n")
        #expect(t.run("print(w.select([\"n\", \"domain\"]).columns)").output == "[\"n\", \"domain\"]\n")
        #expect(t.run("print(w[[\"group\"]].columns, w.kind, w.keys)").output == "[\"group\"] weights [\"domain\", \"group\"]\n")
    }

    @Test("where, with_column and concat")
    func derived() {
        let t = session(Self.small())
        t.run("fn heavy(r) { return r.weight != none and r.weight > 1 }\nfn twice(r) { return r.n * 2 }")
        #expect(t.run("print(w.where(heavy).n)").output == "[3, 2]\n")
        #expect(t.run("print(w.with_column(\"n2\", twice).n2)").output == "[6, 2, 8, 4]\n")
        #expect(t.run("print(w.with_column(\"tag\", [\"x\", \"y\", none, \"z\"]).tag)").output == "[\"x\", \"y\", none, \"z\"]\n")
        #expect(t.run("print(w.concat(w.select(\"n\")).weight)").output == "[2, none, 0.5, 4, none, none, none, none]\n")
        #expect(t.run("print(len(concat([w, w, w])))").output == "12\n")
        let bad = t.run("w.with_column(\"x\", [1, 2])")
        #expect(bad.status == .runtimeError && bad.output.contains("2 values for a table of 4 rows"))
    }

    @Test("group_by aggregates skip missing values")
    func groupBy() {
        let t = session(Self.small())
        // domain a: weights 2, 0.5; b: none, 4.
        #expect(t.run("print(w.group_by(\"domain\").mean().weight)").output == "[1.25, 4]\n")
        #expect(t.run("print(w.group_by(\"domain\").sum().n)").output == "[7, 3]\n")
        #expect(t.run("print(w.group_by(\"domain\").count().weight)").output == "[2, 1]\n")
        #expect(t.run("print(w.group_by(\"domain\").min().mu_g, w.group_by(\"domain\").max().mu_g)").output == "[0.125, 0.5] [0.25, 1]\n")
        #expect(t.run("print(w.group_by([\"group\"]).mean().columns)").output == "[\"group\", \"weight\", \"n\", \"mu_g\"]\n")
        // The list builtins skip missing values too.
        #expect(t.run("print(max(w.weight), min(w.weight), sum(w.weight), mean(w.weight))").output == "4 0.5 6.5 2.1666666666666665\n")
        #expect(t.run("print(max([none]), sum([]))").output == "none 0\n")
    }

    @Test("errors name the column and suggest near names")
    func errors() {
        let t = session(Self.small())
        let typo = t.run("w[\"wieght\"]")
        #expect(typo.status == .runtimeError && typo.output.contains("table has no column 'wieght'") && typo.output.contains("did you mean 'weight'?"))
        let sort = t.run("w.sort(\"mu_d\")")
        #expect(sort.output.contains("table has no column 'mu_d'") && sort.output.contains("'mu_g'"))
        let member = t.run("w.wieght")
        #expect(member.status == .runtimeError && member.output.contains("weight"))
    }

    @Test("display: fits the width, elides the middle, head and tail of long tables, per-column formats")
    func display() {
        let wide = DataTable((0..<30).map { c in Column("column_\(c)", numbers: (0..<11).map { Double(c) * 1.5 + Double($0) * 1e-3 }) })
        for width in [40, 80, 120] {
            let text = wide.render(width: width, maxRows: 60, digits: 4)
            #expect(text.split(separator: "\n").allSatisfy { $0.count <= width }, "\(width)")
            #expect(text.contains("…") && text.hasSuffix("11 rows × 30 columns"))
            #expect(text.hasPrefix("column_0"))
        }
        let long = DataTable([Column("i", integers: Array(0..<100)), Column("x", numbers: (0..<100).map { Double($0) / 8 })])
        let lines = long.render(width: 80, maxRows: 60, digits: 4).split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 5 + 1 + 5 + 1)
        #expect(lines[6] == "… 90 more rows …" && lines.last == "100 rows × 2 columns")
        #expect(long.render(width: 80, maxRows: 0, digits: 4).split(separator: "\n").count == 101)
        // Integers as integers, percentages only where the column says so, missing as "-".
        let formats = DataTable([Column("n", numbers: [3, 10]), Column("share", format: .percent, numbers: [0.021, 0.5]),
                                 Column("f", numbers: [0.123456, nil])])
        #expect(formats.render(width: 80, maxRows: 60, digits: 4) == " n  share       f\n 3   2.1%  0.1235\n10  50.0%       -")
        // Long text is shortened.
        let text = DataTable([Column("note", texts: [String(repeating: "x", count: 50)])]).render(width: 80, maxRows: 60, digits: 4)
        #expect(text.split(separator: "\n")[1] == Substring(String(repeating: "x", count: 31) + "…"))
    }

    @Test("to_csv keeps full precision and empty missing fields; load_table reads it back")
    func csvRoundTrip() throws {
        let values = [0.1 + 0.2, 1.0 / 3, 1e-300, 123456789.0, -2.5e10]
        let table = DataTable([Column("name", texts: ["a", "b,c", "d\"e", " f", "g"]), Column("x", numbers: values),
                               Column("gap", format: .percent, numbers: [0.021, nil, 0.5, 1, 0])])
        let csv = table.csv
        #expect(csv.split(separator: "\n")[1] == "a,0.30000000000000004,0.021")
        #expect(csv.split(separator: "\n")[2] == "\"b,c\",0.3333333333333333,")
        let back = try TableLoader.load(bytes: Array(csv.utf8), file: "t.csv")
        #expect(back.names == ["name", "x", "gap"])
        #expect(back.column("x")!.cells == values.map { .number($0) })
        #expect(back.column("name")!.cells == table.column("name")!.cells)
        #expect(back.column("gap")!.cells == table.column("gap")!.cells)
        #expect(table.jsonl.split(separator: "\n")[1] == "{\"name\": \"b,c\", \"x\": 0.3333333333333333, \"gap\": null}")
    }
}
