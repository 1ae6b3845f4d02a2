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
    public var html: String { HTMLTable.render(table) }
}

extension ReportObject: HTMLRepresentable {
    /// The summary with its table (the paper's columns) as HTML.
    public var html: String {
        HTMLTable.render(report.headlineTable, title: report.summaryHeadline(width: .max)) + "\n"
            + HTMLTable.preformatted(report.summaryFooter(width: .max))
    }
}

extension ComparisonObject: HTMLRepresentable {
    public var html: String {
        let c = comparison
        guard !c.runs.isEmpty else { return HTMLTable.preformatted("comparison: no finished runs") }
        // The printed form's first line is the setting and its table follows;
        // the lines after the table (units, notes) stay text.
        return HTMLTable.render(printedTable, title: setting) + "\n" + HTMLTable.preformatted(footer(width: .max))
    }
}
