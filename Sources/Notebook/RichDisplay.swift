import Lang
import Render

/// A value a notebook can show as HTML besides its text: tables, fairness
/// reports (the paper's table), comparisons. The terminal keeps `render()`.
public protocol HTMLRepresentable {
    var html: String { get }
}

public enum RichDisplay {
    /// The HTML form of a value, or nil when it has none (it shows as text).
    public static func html(for value: Value) -> String? {
        guard case .object(let o) = value, let rich = o as? HTMLRepresentable else { return nil }
        return rich.html
    }
}

extension TableObject: HTMLRepresentable {
    public var html: String { HTMLTable.render(table, title: title) }
}

extension ReportObject: HTMLRepresentable {
    /// The summary with its table (the paper's columns) as HTML.
    public var html: String {
        let table = report.tableText
        let lines = report.summary.split(separator: "\n", omittingEmptySubsequences: false)
        let rest = lines.dropFirst(2 + table.rows.count).drop { $0.isEmpty }.joined(separator: "\n")
        return HTMLTable.render(table, title: lines.first.map(String.init)) + "\n" + HTMLTable.preformatted(rest)
    }
}

extension ComparisonObject: HTMLRepresentable {
    public var html: String {
        let c = comparison
        guard !c.runs.isEmpty else { return HTMLTable.preformatted("comparison: no finished runs") }
        // The printed form's first line is the setting and its table follows;
        // the lines after the table (units, notes) stay text.
        let after = render().split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst(2 + printedTable.rows.count).drop { $0.isEmpty }.joined(separator: "\n")
        return HTMLTable.render(printedTable, title: setting) + "\n" + HTMLTable.preformatted(after)
    }
}
