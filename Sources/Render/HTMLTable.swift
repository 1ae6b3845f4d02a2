/// Tables as HTML, for notebooks: the same cells the terminal shows (so
/// numbers read the same), numeric columns right-aligned, inside a box that
/// scrolls when the table is wider or longer than the page.
public enum HTMLTable {
    /// Rows beyond this are left out (a note says how many), so a notebook
    /// stays small; the value itself keeps every row.
    public static let maxRows = 500

    /// A typed table with its cells as the terminal prints them (at the display's digits), every column shown.
    public static func render(_ table: DataTable, title: String? = nil) -> String {
        let shown = Array(0..<min(table.rowCount, maxRows))
        let cells = table.columns.map { table.formatColumn($0, rows: shown, digits: Display.tableDigits) }
        let rows = shown.indices.map { r in cells.map { $0[r] } }
        let right = Set(table.columns.indices.filter { table.columns[$0].isNumeric || table.columns[$0].alignRight })
        return render(header: table.columns.map(\.label), rows: rows, rightAligned: right, title: title ?? table.title, total: table.rowCount)
    }

    public static func render(_ table: TextTable, title: String? = nil) -> String {
        render(header: table.header, rows: table.rows, rightAligned: table.rightAligned, title: title)
    }

    public static func render(header: [String], rows: [[String]], rightAligned: Set<Int>, title: String?, total: Int? = nil) -> String {
        let total = total ?? rows.count
        var out = "<div class=\"fairgrpo-table\" style=\"max-height: 32em; overflow: auto;\">\n<table>\n"
        if let title { out += "<caption style=\"text-align: left; font-weight: bold;\">\(escape(title))</caption>\n" }
        func cell(_ tag: String, _ text: String, _ c: Int) -> String {
            "<\(tag) style=\"text-align: \(rightAligned.contains(c) ? "right" : "left"); white-space: nowrap;\">\(escape(text))</\(tag)>"
        }
        out += "<thead><tr>" + header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows.prefix(maxRows) {
            out += "<tr>" + header.indices.map { cell("td", $0 < row.count ? row[$0] : "", $0) }.joined() + "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if total > min(rows.count, maxRows) { out += "<p>… \(total - min(rows.count, maxRows)) more rows (\(total) in all)</p>\n" }
        return out + "</div>"
    }

    /// Preformatted text (a summary, notes) as HTML.
    public static func preformatted(_ text: String) -> String { "<pre>\(escape(text))</pre>" }

    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
