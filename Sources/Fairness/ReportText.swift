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

    /// "value [lo, hi]" at a number of decimals.
    public static func withInterval(_ v: Double?, _ i: Interval?, _ decimals: Int, scale: Double = 1) -> String {
        guard let v else { return "-" }
        let value = formatFixed(v * scale, decimals)
        guard let i else { return value }
        return value + " [" + formatFixed(i.lo * scale, decimals) + ", " + formatFixed(i.hi * scale, decimals) + "]"
    }

    /// With intervals: the headline metrics as "value [lo, hi]", one row.
    public var headlineWithIntervals: DataTable? {
        guard let iv = intervals else { return nil }
        let cols = table.columns.filter { !(["DPD", "EOdD"].contains($0.0)) || isBinary }
        return DataTable(cols.map { c in
            var column = Column(c.0, cells: [.text(FairnessReport.withInterval(c.1, iv.table[c.0], c.2 ? 2 : 4))])
            column.alignRight = true
            return column
        }, kind: "report")
    }

    /// With intervals: a row per headline metric and overall score, its value and interval ends as numbers.
    public var intervalsTable: DataTable? {
        guard let iv = intervals else { return nil }
        var names: [String] = [], values: [Double?] = [], lo: [Double?] = [], hi: [Double?] = [], defined: [Int] = []
        for (name, value, _) in table.columns where value != nil {
            names.append(name); values.append(value); lo.append(iv.table[name]?.lo); hi.append(iv.table[name]?.hi)
            defined.append(iv.table[name]?.defined ?? 0)
        }
        for m in Metric.allCases where overall.value(m) != nil {
            names.append("overall_" + m.rawValue); values.append(overall.value(m)); lo.append(iv.overall[m]?.lo)
            hi.append(iv.overall[m]?.hi); defined.append(iv.overall[m]?.defined ?? 0)
        }
        return DataTable([Column("quantity", texts: names), Column("value", numbers: values), Column("lo", numbers: lo),
                          Column("hi", numbers: hi), Column("resamples", integers: defined)], kind: "intervals", keys: ["quantity"])
    }

    /// What the intervals are, in one line.
    public var intervalsNote: String? {
        guard let b = intervals?.bootstrap else { return nil }
        return "[lo, hi]: \(formatFixed(b.level * 100, b.level * 100 == (b.level * 100).rounded() ? 0 : 1))% percentile bootstrap intervals, "
            + "\(b.resamples) resamples of the rows within each domain × group cell (seed \(b.seed))"
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
        // With intervals, each score's interval ends as _lo and _hi columns.
        if let iv = intervals {
            let rows = iv.groups + [iv.overall]
            for m in metrics {
                columns += [Column(m.rawValue + "_lo", numbers: rows.map { $0[m]?.lo }), Column(m.rawValue + "_hi", numbers: rows.map { $0[m]?.hi })]
            }
        }
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
        let headline = headlineWithIntervals.map { [$0.text, intervalsNote!] } ?? [headlineTable.text]
        return ([summaryHeadline(width: width)] + headline + ["", summaryFooter(width: width)]).joined(separator: "\n")
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
