import Render
import Data

/// Text and CSV forms of a report.
extension FairnessReport {
    static func show(_ v: Double?, _ decimals: Int = 4, scale: Double = 1) -> String {
        v.map { formatFixed($0 * scale, decimals) } ?? "-"
    }

    /// The paper's columns: PP, EOD and FPR diff ×100, the rest as fractions.
    public var tableText: TextTable {
        let cols = table.columns.filter { !(["DPD", "EOdD"].contains($0.0)) || isBinary }
        return TextTable(header: cols.map { $0.2 ? $0.0 + "×100" : $0.0 },
                         rows: [cols.map { FairnessReport.show($0.1, $0.2 ? 2 : 4, scale: $0.2 ? 100 : 1) }])
    }

    public static let groupMetrics: [Metric] = [.precision, .recall, .fpr, .fdr, .f1, .accuracyOVR, .accuracy]

    /// Like fairlearn's `MetricFrame.by_group`: a row per group.
    public var byGroupText: TextTable {
        let metrics = FairnessReport.groupMetrics + (isBinary ? [.selectionRate] : [])
        var rows: [[String]] = []
        for g in groups {
            rows.append([g.domain, g.attribute, g.level, String(g.scores.n)] + metrics.map { FairnessReport.show(g.scores.value($0)) })
        }
        rows.append(["all", "-", "-", String(overall.n)] + metrics.map { FairnessReport.show(overall.value($0)) })
        return TextTable(header: ["domain", "attribute", "group", "n"] + metrics.map(\.rawValue), rows: rows)
    }

    public func differenceText(toOverall: Bool) -> TextTable {
        let metrics = FairnessReport.groupMetrics + (isBinary ? [.selectionRate] : [])
        let rows = difference(toOverall: toOverall).map { d in
            [d.domain, d.attribute] + metrics.map { FairnessReport.show(d.values[$0]) }
        }
        return TextTable(header: ["domain", "attribute"] + metrics.map(\.rawValue), rows: rows)
    }

    /// Headline table, overall scores, and what was skipped.
    public var summary: String {
        var out = ["fairness report: \(overall.n) predictions · \(classNames.count) classes · \(Set(groups.map(\.domain)).count) domains · \(groups.count) groups",
                   tableText.description, "",
                   "overall: " + FairnessReport.groupMetrics.map { "\($0.rawValue) \(FairnessReport.show(overall.value($0)))" }.joined(separator: " · ")]
        if !skipped.isEmpty {
            out.append("skipped (\(skipped.count)):")
            out += skipped.prefix(12).map { "  " + $0 }
            if skipped.count > 12 { out.append("  … and \(skipped.count - 12) more (report.skipped lists them all)") }
        }
        return out.joined(separator: "\n")
    }
}
