import Render
import Data

/// Text and CSV forms of a report.
extension FairnessReport {
    static func show(_ v: Double?, _ decimals: Int = 4) -> String {
        v.map { formatFixed($0, decimals) } ?? "-"
    }

    /// The paper's columns this report shows (fairlearn's two only on binary tasks).
    var paperShown: [(String, Double?, Bool)] { table.columns.filter { !(["DPD", "EOdD"].contains($0.0)) || isBinary } }

    /// The paper's columns (gaps in percentage points, the rest as fractions), one row.
    public var headlineTable: DataTable { FairnessReport.oneRow(paperShown, nil) }

    /// Columns (name, value, in percentage points) as one row of numbers, or, given
    /// intervals, of "value [lo, hi]" texts.
    static func oneRow(_ cols: [(String, Double?, Bool)], _ iv: ReportIntervals?) -> DataTable {
        guard let iv else {
            return DataTable(cols.map { Column($0.0, format: $0.2 ? .decimals(2) : .auto, numbers: [$0.1]) }, kind: "report")
        }
        return DataTable(cols.map { c in
            var column = Column(c.0, cells: [.text(FairnessReport.withInterval(c.1, iv.table[c.0], c.2 ? 2 : 4))])
            column.alignRight = true
            return column
        }, kind: "report")
    }

    /// "value [lo, hi]" at a number of decimals.
    public static func withInterval(_ v: Double?, _ i: Interval?, _ decimals: Int, scale: Double = 1) -> String {
        guard let v else { return "-" }
        let value = formatFixed(v * scale, decimals)
        guard let i else { return value }
        return value + " [" + formatFixed(i.lo * scale, decimals) + ", " + formatFixed(i.hi * scale, decimals) + "]"
    }

    /// The metrics beside the paper's that this report has (binary-only ones on binary tasks,
    /// calibration when there were probabilities).
    var moreShown: [(String, Double?, Bool)] {
        let binaryOnly: Set<String> = ["EOpD", "DPR", "EOpR", "EOdR"], calibrationColumns: Set<String> = ["ECE", "dECE", "Brier", "dBrier"]
        return table.moreColumns.filter { (isBinary || !binaryOnly.contains($0.0)) && (calibration != nil || !calibrationColumns.contains($0.0)) }
    }

    /// `report.more`: FOR and NPV gaps, fairlearn's equal opportunity difference and ratios,
    /// calibration; with intervals, as "value [lo, hi]".
    public var moreTable: DataTable { FairnessReport.oneRow(moreShown, intervals) }

    /// With intervals, for reading: the paper's metrics down the left, those beside
    /// them down the right, each as value and interval (a one-row table of
    /// "value [lo, hi]" cells would not fit a terminal).
    public var intervalsSummaryTable: DataTable? {
        guard let iv = intervals else { return nil }
        let paper = paperShown, more = moreShown
        let rows = max(paper.count, more.count)
        func cells(_ list: [(String, Double?, Bool)]) -> (names: [Cell], values: [Cell], ranges: [Cell]) {
            var names: [Cell] = [], values: [Cell] = [], ranges: [Cell] = []
            for i in 0..<rows {
                guard i < list.count else { names.append(.text("")); values.append(.text("")); ranges.append(.text("")); continue }
                let (name, value, pct) = list[i], decimals = pct ? 2 : 4
                names.append(.text(name))
                values.append(value.map { .text(formatFixed($0, decimals)) } ?? .missing)
                ranges.append(iv.table[name].map { .text("[" + formatFixed($0.lo, decimals) + ", " + formatFixed($0.hi, decimals) + "]") } ?? .missing)
            }
            return (names, values, ranges)
        }
        let left = cells(paper), right = cells(more)
        let level = formatFixed(iv.bootstrap.level * 100, iv.bootstrap.level * 100 == (iv.bootstrap.level * 100).rounded() ? 0 : 1) + "%"
        var columns = [Column("metric", cells: left.names), Column("value", cells: left.values), Column("interval", label: level, cells: left.ranges)]
        if !more.isEmpty {
            columns += [Column("more", label: "beside them", cells: right.names), Column("more_value", label: "value", cells: right.values),
                        Column("more_interval", label: level, cells: right.ranges)]
        }
        for i in columns.indices where ["value", "interval", "more_value", "more_interval"].contains(columns[i].name) { columns[i].alignRight = true }
        return DataTable(columns, kind: "report")
    }

    /// With intervals: the headline metrics as "value [lo, hi]", one row.
    public var headlineWithIntervals: DataTable? { intervals.map { FairnessReport.oneRow(paperShown, $0) } }

    /// With intervals: a row per headline metric and overall score, its value and interval ends as numbers.
    public var intervalsTable: DataTable? {
        guard let iv = intervals else { return nil }
        var names: [String] = [], values: [Double?] = [], lo: [Double?] = [], hi: [Double?] = [], defined: [Int] = []
        for (name, value, _) in table.columns + moreShown where value != nil {
            names.append(name); values.append(value); lo.append(iv.table[name]?.lo); hi.append(iv.table[name]?.hi)
            defined.append(iv.table[name]?.defined ?? 0)
        }
        for m in Metric.allCases where overall.value(m) != nil {
            names.append("overall_" + m.rawValue); values.append(overall.value(m)); lo.append(iv.overall[m]?.lo)
            hi.append(iv.overall[m]?.hi); defined.append(iv.overall[m]?.defined ?? 0)
        }
        if let cal = calibration, let row = iv.calibration.first {
            for (name, value) in [("ece", cal.overall.ece), ("brier", cal.overall.brier)] where value != nil {
                names.append("overall_" + name); values.append(value); lo.append(row[name]?.lo); hi.append(row[name]?.hi)
                defined.append(row[name]?.defined ?? 0)
            }
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

    public static let groupMetrics: [Metric] = [.precision, .recall, .fpr, .fdr, .f1, .accuracyOVR, .accuracy, .npv, .falseOmissionRate]

    /// Like fairlearn's `MetricFrame.by_group`: a row per group, then the overall scores (domain "all").
    public var byGroupTable: DataTable {
        let metrics = FairnessReport.groupMetrics + (isBinary ? [.selectionRate] : [])
        let scores = groups.map(\.scores) + [overall]
        var columns = [Column("domain", texts: groups.map(\.domain) + ["all"]),
                       Column("attribute", cells: groups.map { .text($0.attribute) } + [.missing]),
                       Column("group", cells: groups.map { .text($0.level) } + [.missing]),
                       Column("n", integers: scores.map(\.n))]
        columns += metrics.map { m in Column(m.rawValue, numbers: scores.map { $0.value(m) }) }
        let calibrationRows = calibration.map { $0.groups + [$0.overall] }
        if let rows = calibrationRows {
            columns += [Column("ece", numbers: rows.map(\.ece)), Column("brier", numbers: rows.map(\.brier))]
        }
        // With intervals, each score's interval ends as _lo and _hi columns.
        if let iv = intervals {
            let rows = iv.groups + [iv.overall]
            for m in metrics {
                columns += [Column(m.rawValue + "_lo", numbers: rows.map { $0[m]?.lo }), Column(m.rawValue + "_hi", numbers: rows.map { $0[m]?.hi })]
            }
            if calibrationRows != nil, !iv.calibration.isEmpty {
                // iv.calibration is overall first, then the groups; the table has the overall row last.
                let rows = Array(iv.calibration.dropFirst()) + [iv.calibration[0]]
                for name in ["ece", "brier"] {
                    columns += [Column(name + "_lo", numbers: rows.map { $0[name]?.lo }), Column(name + "_hi", numbers: rows.map { $0[name]?.hi })]
                }
            }
        }
        return DataTable(columns, kind: "by_group", keys: ["domain", "attribute", "group"])
    }

    public func differenceTable(toOverall: Bool) -> DataTable {
        comparisonTable(difference(toOverall: toOverall), kind: "difference")
    }

    /// fairlearn's `MetricFrame.ratio` per (domain, attribute), a column per score.
    public func ratioTable(toOverall: Bool) -> DataTable {
        comparisonTable(ratio(toOverall: toOverall), kind: "ratio")
    }

    func comparisonTable(_ rows: [(domain: String, attribute: String, values: [Metric: Double])], kind: String) -> DataTable {
        let metrics = FairnessReport.groupMetrics + (isBinary ? [.selectionRate] : [])
        return DataTable([Column("domain", texts: rows.map(\.domain)), Column("attribute", texts: rows.map(\.attribute))]
                            + metrics.map { m in Column(m.rawValue, numbers: rows.map { $0.values[m] }) },
                         kind: kind, keys: ["domain", "attribute"])
    }

    /// Headline table, overall scores, and what was skipped, fitted to the terminal.
    public var summary: String {
        let width = Terminal.width
        var headline: [String]
        if let withIntervals = intervalsSummaryTable {
            headline = [withIntervals.text, wrapWords(intervalsNote!, indent: "  ", width: width)]
        } else {
            headline = [headlineTable.text]
            if !moreShown.isEmpty { headline += ["", moreTable.text] }
        }
        headline += notes.map { wrapWords("note: " + $0, indent: "  ", width: width) }
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
