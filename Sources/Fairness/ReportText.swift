import Render
import Data

/// Text and CSV forms of a report.
extension FairnessReport {
    static func show(_ v: Double?, _ decimals: Int = 4) -> String {
        v.map { formatFixed($0, decimals) } ?? "-"
    }

    /// The paper's columns (gaps in percentage points, the rest as fractions), one row.
    public var headlineTable: DataTable {
        let cols = table.columns.filter { !(["DPD", "EOdD"].contains($0.0)) || isBinary }
        return DataTable(cols.map { Column($0.0, format: $0.2 ? .decimals(2) : .auto, numbers: [$0.1]) }, kind: "report")
    }

    public static let groupMetrics: [Metric] = [.precision, .recall, .fpr, .fdr, .f1, .accuracyOVR, .accuracy]

    /// Like fairlearn's `MetricFrame.by_group`: a row per group, then the overall scores (domain "all").
    public var byGroupTable: DataTable {
        let metrics = FairnessReport.groupMetrics + (isBinary ? [.selectionRate] : [])
        let scores = groups.map(\.scores) + [overall]
        var columns = [Column("domain", texts: groups.map(\.domain) + ["all"]),
                       Column("attribute", cells: groups.map { .text($0.attribute) } + [.missing]),
                       Column("group", cells: groups.map { .text($0.level) } + [.missing]),
                       Column("n", integers: scores.map(\.n))]
        columns += metrics.map { m in Column(m.rawValue, numbers: scores.map { $0.value(m) }) }
        return DataTable(columns, kind: "by_group", keys: ["domain", "attribute", "group"])
    }

    public func differenceTable(toOverall: Bool) -> DataTable {
        let metrics = FairnessReport.groupMetrics + (isBinary ? [.selectionRate] : [])
        let rows = difference(toOverall: toOverall)
        return DataTable([Column("domain", texts: rows.map(\.domain)), Column("attribute", texts: rows.map(\.attribute))]
                            + metrics.map { m in Column(m.rawValue, numbers: rows.map { $0.values[m] }) },
                         kind: "difference", keys: ["domain", "attribute"])
    }

    /// Headline table, overall scores, and what was skipped, fitted to the terminal.
    public var summary: String {
        let width = Terminal.width
        return [summaryHeadline(width: width), headlineTable.text, "", summaryFooter(width: width)].joined(separator: "\n")
    }

    /// "fairness report: N predictions · …", broken to fit `width`.
    public func summaryHeadline(width: Int) -> String {
        wrapItems(["\(overall.n) predictions", "\(classNames.count) classes", "\(Set(groups.map(\.domain)).count) domains", "\(groups.count) groups"],
                  prefix: "fairness report: ", width: width)
    }

    /// The lines after the table: overall scores and what was skipped.
    public func summaryFooter(width: Int) -> String {
        var out = [wrapItems(FairnessReport.groupMetrics.map { "\($0.rawValue) \(FairnessReport.show(overall.value($0)))" }, prefix: "overall: ", width: width)]
        if !skipped.isEmpty {
            out.append("skipped (\(skipped.count)):")
            out += skipped.prefix(12).map { wrapWords("  " + $0, indent: "    ", width: width) }
            if skipped.count > 12 { out.append(shorten("  … and \(skipped.count - 12) more (report.skipped lists them all)", width)) }
        }
        return out.joined(separator: "\n")
    }
}
