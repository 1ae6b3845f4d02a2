import Render
import Data

/// Text and CSV forms of a report.
extension FairnessReport {
    static func show(_ v: Double?, _ decimals: Int = 4, scale: Double = 1) -> String {
        v.map { formatFixed($0 * scale, decimals) } ?? "-"
    }

    /// "value [lo, hi]" at a scale and decimals.
    public static func withInterval(_ v: Double?, _ i: Interval?, _ decimals: Int, scale: Double = 1) -> String {
        guard let v else { return "-" }
        let value = formatFixed(v * scale, decimals)
        guard let i else { return value }
        return value + " [" + formatFixed(i.lo * scale, decimals) + ", " + formatFixed(i.hi * scale, decimals) + "]"
    }

    /// The paper's columns: PP, EOD and FPR diff ×100, the rest as fractions;
    /// with intervals, each as "value [lo, hi]".
    public var tableText: TextTable {
        let cols = table.columns.filter { !(["DPD", "EOdD"].contains($0.0)) || isBinary }
        return TextTable(header: cols.map { $0.2 ? $0.0 + "×100" : $0.0 },
                         rows: [cols.map { FairnessReport.withInterval($0.1, intervals?.table[$0.0], $0.2 ? 2 : 4, scale: $0.2 ? 100 : 1) }])
    }

    /// With intervals: a row per headline metric and overall score, its value and interval ends as numbers.
    public var intervalsText: TextTable? {
        guard let iv = intervals else { return nil }
        var rows: [[String]] = []
        for (name, value, _) in table.columns where value != nil {
            let i = iv.table[name]
            rows.append([name, FairnessReport.show(value, 6), FairnessReport.show(i?.lo, 6), FairnessReport.show(i?.hi, 6), i.map { String($0.defined) } ?? "0"])
        }
        for m in Metric.allCases where overall.value(m) != nil {
            let i = iv.overall[m]
            rows.append(["overall " + m.rawValue, FairnessReport.show(overall.value(m), 6), FairnessReport.show(i?.lo, 6),
                         FairnessReport.show(i?.hi, 6), i.map { String($0.defined) } ?? "0"])
        }
        return TextTable(header: ["quantity", "value", "lo", "hi", "resamples"], rows: rows)
    }

    /// What the intervals are, in one line.
    public var intervalsNote: String? {
        guard let b = intervals?.bootstrap else { return nil }
        return "[lo, hi]: \(formatFixed(b.level * 100, b.level * 100 == (b.level * 100).rounded() ? 0 : 1))% percentile bootstrap intervals, "
            + "\(b.resamples) resamples of the rows within each domain × group cell (seed \(b.seed))"
    }

    public static let groupMetrics: [Metric] = [.precision, .recall, .fpr, .fdr, .f1, .accuracyOVR, .accuracy]

    /// Like fairlearn's `MetricFrame.by_group`: a row per group.
    public var byGroupText: TextTable {
        let metrics = FairnessReport.groupMetrics + (isBinary ? [.selectionRate] : [])
        var rows: [[String]] = []
        // With intervals, each metric is followed by its interval's ends.
        func cells(_ s: Scores, _ iv: [Metric: Interval]?) -> [String] {
            metrics.flatMap { m -> [String] in
                let v = FairnessReport.show(s.value(m))
                guard let iv else { return [v] }
                return [v, FairnessReport.show(iv[m]?.lo), FairnessReport.show(iv[m]?.hi)]
            }
        }
        for (i, g) in groups.enumerated() {
            rows.append([g.domain, g.attribute, g.level, String(g.scores.n)] + cells(g.scores, intervals.map { $0.groups[i] }))
        }
        rows.append(["all", "-", "-", String(overall.n)] + cells(overall, intervals?.overall))
        let names = metrics.flatMap { intervals == nil ? [$0.rawValue] : [$0.rawValue, $0.rawValue + "_lo", $0.rawValue + "_hi"] }
        return TextTable(header: ["domain", "attribute", "group", "n"] + names, rows: rows)
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
                   tableText.description] + (intervalsNote.map { [$0] } ?? []) + ["",
                   "overall: " + FairnessReport.groupMetrics.map { "\($0.rawValue) \(FairnessReport.show(overall.value($0)))" }.joined(separator: " · ")]
        if !skipped.isEmpty {
            out.append("skipped (\(skipped.count)):")
            out += skipped.prefix(12).map { "  " + $0 }
            if skipped.count > 12 { out.append("  … and \(skipped.count - 12) more (report.skipped lists them all)") }
        }
        return out.joined(separator: "\n")
    }
}
