import Data

/// Fairness of predictions on a dataset, as the FairGRPO paper evaluates it.
///
/// Groups are formed per attribute (sex; age bin), not intersections, within
/// each domain (intersections on request). For each attribute in a domain:
/// gap = max − min over its groups and σ = sample standard deviation over
/// them; these are averaged over the domain's attributes, then over domains
/// with equal weight. Group scores are defined in `Scores`.
public struct FairnessReport: Sendable {
    public struct Group: Sendable {
        public var domain: String
        public var attribute: String
        public var level: String
        public var scores: Scores
        /// Binary tasks: TPR and FPR of class 1 (fairlearn's equalized odds).
        public var positiveTPR: Double?, positiveFPR: Double?

        /// The group's attribute in its domain (what gaps are taken over).
        public var attributeKey: AttributeKey { AttributeKey(domain: domain, attribute: attribute) }
        /// The group itself, to find it in another report (another seed's).
        public var id: ID { ID(attribute: attributeKey, level: level) }

        public struct ID: Hashable, Sendable {
            public var attribute: AttributeKey, level: String
        }
    }

    /// One attribute of one domain; ordered by domain, then attribute.
    public struct AttributeKey: Hashable, Comparable, Sendable {
        public var domain: String, attribute: String

        public static func < (a: AttributeKey, b: AttributeKey) -> Bool {
            a.domain != b.domain ? a.domain < b.domain : a.attribute < b.attribute
        }
    }

    /// Gap and σ of one metric over the groups of one attribute in one domain.
    public struct Spread: Sendable {
        public var domain: String, attribute: String, metric: Metric
        public var gap: Double, sigma: Double?, mean: Double
        public var groups: Int
    }

    public var classNames: [String]
    public var overall: Scores
    public var groups: [Group]
    public var spreads: [Spread]
    /// Groups or attributes left out of a gap, and why.
    public var skipped: [String]
    /// Scores over each (domain, attribute)'s rows: the domain's rows that record
    /// the attribute. Like the `overall` of a fairlearn MetricFrame built on them,
    /// it is what `difference(toOverall: true)` compares the groups with.
    public var frameOverall: [String: [String: Scores]] = [:]
    /// Bootstrap intervals for every quantity, when asked for (`evaluate(…, bootstrap:)`).
    public var intervals: ReportIntervals?
    /// Expected calibration error and Brier score, when the predictions came with probabilities.
    public var calibration: Calibration?
    public var isBinary: Bool { classNames.count == 2 }

    /// Metrics whose spread the paper reports.
    static let spreadMetrics: [Metric] = [.fdr, .recall, .fpr, .f1, .accuracyOVR, .selectionRate, .falseOmissionRate]

    /// Scores `predictions` against `truth` (class indices) on `data`'s groups.
    /// `probabilities` (n × classes, row-major), when given, add calibration by group.
    public static func evaluate(truth: [Int], predictions: [Int], data: Dataset, intersections: Bool = false,
                                probabilities: [Double]? = nil) throws -> FairnessReport {
        guard truth.count == data.count, predictions.count == data.count else {
            throw FairnessError("\(truth.count) labels and \(predictions.count) predictions for a dataset of \(data.count) rows")
        }
        let k = data.classNames.count
        for (i, p) in predictions.enumerated() where p < 0 || p >= k {
            throw FairnessError("prediction \(p) at row \(i) is not a class index in 0..<\(k)")
        }
        for (i, t) in truth.enumerated() where t < 0 || t >= k {
            throw FairnessError("label \(t) at row \(i) is not a class index in 0..<\(k)")
        }
        let layout = try CellLayout(data: data, intersections: intersections)
        let cellCounts = countCells(truth: truth, predictions: predictions, cellOfRow: layout.cellOfRow,
                                    cells: layout.cellKeys.count, classes: k)
        var sums: [Double]?
        if let probabilities {
            try Calibration.validate(probabilities, rows: truth.count, classes: k)
            sums = calibrationSums(truth: truth, predictions: predictions, probabilities: probabilities,
                                   cellOfRow: layout.cellOfRow, rows: Array(truth.indices), cells: layout.cellKeys.count, classes: k)
        }
        return build(layout: layout, cellCounts: cellCounts, calibrationSums: sums)
    }

    /// Calibration terms summed per cell (`Calibration.width` numbers a cell) over `rows` (repeats counted).
    static func calibrationSums(truth: [Int], predictions: [Int], probabilities: [Double], cellOfRow: [Int], rows: [Int],
                                cells: Int, classes k: Int) -> [Double] {
        let w = Calibration.width
        var sums = [Double](repeating: 0, count: cells * w)
        sums.withUnsafeMutableBufferPointer { sums in
            probabilities.withUnsafeBufferPointer { probabilities in
                for r in rows {
                    Calibration.rowTerms(truth: truth[r], prediction: predictions[r],
                                         probabilities: UnsafeBufferPointer(rebasing: probabilities[(r * k)..<(r * k + k)]),
                                         binary: k == 2, into: sums.baseAddress! + cellOfRow[r] * w)
                }
            }
        }
        return sums
    }

    /// Where rows fall: every row in one cell (its domain and its level of each
    /// attribute, missing being a level of its own), and every cell in one group
    /// of each grouping scheme. One pass counts (cell, class); every group, and
    /// the overall scores, are then sums of cells. Computed once per dataset and
    /// shared by every bootstrap resample of it.
    struct CellLayout: Sendable {
        var classNames: [String], domainNames: [String]
        var cellOfRow: [Int]
        /// Per cell: domain, then the code of each attribute (-1 missing).
        var cellKeys: [[Int]]
        /// Grouping schemes: each attribute, and optionally their intersection
        /// (levels in order of first appearance, named by the attributes' short names).
        var schemes: [(name: String, levels: [String])]
        /// Per scheme: the level of each cell (-1: the cell is in no group of it).
        var schemeLevel: [[Int]]

        init(data: Dataset, intersections: Bool) throws {
            let n = data.count
            let attributes = data.attributes
            let codes = attributes.map(\.groundTruth)
            for (a, attribute) in attributes.enumerated() where codes[a].count != n {
                throw FairnessError("attribute \(attribute.name) has \(codes[a].count) values for a dataset of \(n) rows")
            }
            guard data.domains.count == n else {
                throw FairnessError("\(data.domains.count) domain values for a dataset of \(n) rows")
            }
            classNames = data.classNames
            domainNames = data.domainNames
            (cellOfRow, cellKeys) = try FairnessReport.assignCells(data: data, codes: codes)
            schemes = attributes.map { ($0.name, $0.levels) }
            let keys = cellKeys
            schemeLevel = attributes.indices.map { a in keys.map { $0[a + 1] } }
            if intersections && attributes.count >= 2 {
                var index: [ArraySlice<Int>: Int] = [:], levels: [String] = []
                schemeLevel.append(cellKeys.map { key -> Int in
                    let combination = key[1...]
                    if combination.contains(where: { $0 < 0 }) { return -1 }
                    if let i = index[combination] { return i }
                    index[combination] = levels.count
                    levels.append(zip(attributes, combination).map { $0.shortNames[$1] }.joined(separator: ","))
                    return levels.count - 1
                })
                schemes.append((attributes.map(\.name).joined(separator: "×"), levels))
            }
        }
    }

    /// The report of rows whose counts per cell are `cellCounts`.
    /// With `calibrationSums` (per cell, `Calibration.width` numbers), calibration by group too.
    /// `lean` (bootstrap resamples): without the words of `skipped` and the per-attribute overall scores, which no interval needs.
    static func build(layout: CellLayout, cellCounts: [Confusion], calibrationSums: [Double]? = nil, lean: Bool = false) -> FairnessReport {
        let k = layout.classNames.count, domains = layout.domainNames.count
        let schemes = layout.schemes, schemeLevel = layout.schemeLevel, cellKeys = layout.cellKeys
        var overall = Confusion(classes: k)
        var byGroup: [[[Confusion]]] = (0..<domains).map { _ in schemes.map { s in s.levels.map { _ in Confusion(classes: k) } } }
        let w = Calibration.width
        var overallSums = [Double](repeating: 0, count: w)
        var groupSums: [[[Double]]] = calibrationSums == nil ? [] : (0..<domains).map { _ in schemes.map { s in [Double](repeating: 0, count: s.levels.count * w) } }
        for (c, counts) in cellCounts.enumerated() {
            let d = cellKeys[c][0]
            overall.absorb(counts)
            for s in schemes.indices where schemeLevel[s][c] >= 0 { byGroup[d][s][schemeLevel[s][c]].absorb(counts) }
            if let sums = calibrationSums {
                for j in 0..<w { overallSums[j] += sums[c * w + j] }
                for s in schemes.indices where schemeLevel[s][c] >= 0 {
                    let base = schemeLevel[s][c] * w
                    for j in 0..<w { groupSums[d][s][base + j] += sums[c * w + j] }
                }
            }
        }
        var groupCalibration: [Calibration.Scores] = []
        let positiveClass: Int? = k == 2 ? 1 : nil
        let domainNames = layout.domainNames
        var report = FairnessReport(classNames: layout.classNames, overall: Scores(overall, positiveClass: positiveClass),
                                    groups: [], spreads: [], skipped: [])
        for d in 0..<domains {
            for (s, scheme) in schemes.enumerated() {
                var present: [Group] = []
                var frame = Confusion(classes: k)
                for (l, level) in scheme.levels.enumerated() where byGroup[d][s][l].n > 0 {
                    let c = byGroup[d][s][l]
                    frame.absorb(c)
                    var g = Group(domain: domainNames[d], attribute: scheme.name, level: level,
                                  scores: Scores(c, positiveClass: positiveClass, reasons: !lean))
                    if k == 2 {
                        g.positiveTPR = c.support(1) > 0 ? Double(c.truePositives[1]) / Double(c.support(1)) : nil
                        let negatives = c.n - c.support(1)
                        g.positiveFPR = negatives > 0 ? Double(c.falsePositives[1]) / Double(negatives) : nil
                    }
                    if calibrationSums != nil {
                        groupCalibration.append(Calibration.scores(n: c.n, sums: groupSums[d][s][(l * w)..<(l * w + w)]))
                    }
                    for (metric, reason) in g.scores.undefined.sorted(by: { $0.key < $1.key }) where !lean {
                        report.skipped.append("\(g.domain) \(scheme.name)=\(level): \(metric) undefined (\(reason))")
                    }
                    present.append(g)
                }
                report.groups += present
                if !present.isEmpty && !lean {
                    report.frameOverall[domainNames[d], default: [:]][scheme.name] = Scores(frame, positiveClass: positiveClass)
                }
                guard present.count >= 2 else {
                    if present.count == 1 && !lean {
                        report.skipped.append("\(domainNames[d]) \(scheme.name): only one group has rows, so no gap")
                    }
                    continue
                }
                for metric in spreadMetrics where metric != .selectionRate || k == 2 {
                    let values = present.compactMap { $0.scores.value(metric) }
                    guard values.count >= 2 else {
                        if !lean { report.skipped.append("\(domainNames[d]) \(scheme.name): \(metric.rawValue) gap needs two groups where it is defined, has \(values.count)") }
                        continue
                    }
                    report.spreads.append(Spread(domain: domainNames[d], attribute: scheme.name, metric: metric,
                                                 gap: values.max()! - values.min()!, sigma: sampleStd(values),
                                                 mean: values.reduce(0, +) / Double(values.count), groups: values.count))
                }
            }
        }
        if calibrationSums != nil {
            report.calibration = Calibration(overall: Calibration.scores(n: overall.n, sums: overallSums[...]), groups: groupCalibration)
        }
        return report
    }

    /// The cell of every row (ids in order of first appearance) and each cell's
    /// key: domain, then the code of each attribute (-1 where missing).
    static func assignCells(data: Dataset, codes: [[Int]]) throws -> (cellOfRow: [Int], cellKeys: [[Int]]) {
        let n = data.count, domains = data.domainNames.count
        let radix = data.attributes.map { $0.levels.count + 1 }
        func invalid(_ r: Int) -> FairnessError {
            if data.domains[r] < 0 || data.domains[r] >= domains {
                return FairnessError("domain \(data.domains[r]) at row \(r) is not a domain index in 0..<\(domains)")
            }
            let a = codes.indices.first { codes[$0][r] < -1 || codes[$0][r] >= radix[$0] - 1 }!
            return FairnessError("\(data.attributes[a].name) code \(codes[a][r]) at row \(r) is not a level index in -1..<\(radix[a] - 1)")
        }
        var cellOfRow = [Int](repeating: 0, count: n), keys: [[Int]] = []
        // Mixed-radix cell numbers index a table when there are few of them; a dictionary otherwise.
        var table = domains
        for r in radix {
            let (m, overflow) = table.multipliedReportingOverflow(by: r)
            table = overflow ? Int.max : m
        }
        if table <= 1 << 16 {
            var slot = [Int](repeating: -1, count: table)
            for r in 0..<n {
                let d = data.domains[r]
                guard d >= 0 && d < domains else { throw invalid(r) }
                var number = d
                for a in codes.indices {
                    let c = codes[a][r]
                    guard c >= -1 && c < radix[a] - 1 else { throw invalid(r) }
                    number = number * radix[a] + c + 1
                }
                if slot[number] < 0 {
                    slot[number] = keys.count
                    keys.append([d] + codes.indices.map { codes[$0][r] })
                }
                cellOfRow[r] = slot[number]
            }
        } else {
            var index: [[Int]: Int] = [:]
            for r in 0..<n {
                let key = [data.domains[r]] + codes.indices.map { codes[$0][r] }
                guard key[0] >= 0 && key[0] < domains, codes.indices.allSatisfy({ key[$0 + 1] >= -1 && key[$0 + 1] < radix[$0] - 1 }) else {
                    throw invalid(r)
                }
                if let c = index[key] { cellOfRow[r] = c } else {
                    index[key] = keys.count
                    cellOfRow[r] = keys.count
                    keys.append(key)
                }
            }
        }
        return (cellOfRow, keys)
    }

    /// One-vs-rest counts of each cell. Labels and predictions must be class indices.
    static func countCells(truth: [Int], predictions: [Int], cellOfRow: [Int], cells: Int, classes k: Int) -> [Confusion] {
        var support = [Int](repeating: 0, count: cells * k), predicted = support, hits = support
        support.withUnsafeMutableBufferPointer { support in
            predicted.withUnsafeMutableBufferPointer { predicted in
                hits.withUnsafeMutableBufferPointer { hits in
                    truth.withUnsafeBufferPointer { truth in
                        predictions.withUnsafeBufferPointer { predictions in
                            cellOfRow.withUnsafeBufferPointer { cellOfRow in
                                for r in 0..<cellOfRow.count {
                                    let base = cellOfRow[r] &* k, t = truth[r], p = predictions[r]
                                    support[base &+ t] &+= 1
                                    predicted[base &+ p] &+= 1
                                    hits[base &+ t] &+= t == p ? 1 : 0
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<cells).map { c in
            var confusion = Confusion(classes: k)
            for j in 0..<k {
                let i = c * k + j
                confusion.truePositives[j] = hits[i]
                confusion.falsePositives[j] = predicted[i] - hits[i]
                confusion.falseNegatives[j] = support[i] - hits[i]
                confusion.n += support[i]
                confusion.correct += hits[i]
            }
            return confusion
        }
    }

    static func sampleStd(_ v: [Double]) -> Double? {
        guard v.count >= 2 else { return nil }
        let m = v.reduce(0, +) / Double(v.count)
        return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
    }

    /// Average of a per-(domain, attribute) quantity: over attributes within a domain, then over domains.
    func averaged(_ metric: Metric, attributes: Set<String>?, _ value: (Spread) -> Double?) -> Double? {
        var perDomain: [String: [Double]] = [:]
        for s in spreads where s.metric == metric && (attributes == nil || attributes!.contains(s.attribute)) {
            if let v = value(s) { perDomain[s.domain, default: []].append(v) }
        }
        // In key order: a dictionary's order differs between instances, and the sum's last bit with it.
        let domainMeans = perDomain.keys.sorted().map { perDomain[$0]!.reduce(0, +) / Double(perDomain[$0]!.count) }
        return domainMeans.isEmpty ? nil : domainMeans.reduce(0, +) / Double(domainMeans.count)
    }

    /// The paper's headline metrics (attributes only, not intersections).
    public struct Table: Sendable {
        public var pp: Double?, eod: Double?, fprDiff: Double?
        public var deltaF1: Double?, sigmaF1: Double?, deltaAcc: Double?, sigmaAcc: Double?
        public var f1: Double?, acc: Double?, f1ES: Double?, accES: Double?
        /// fairlearn-style, binary tasks only.
        public var demographicParityDifference: Double?, equalizedOddsDifference: Double?
        /// Beside the paper's: FOR and NPV gaps (every task); fairlearn's equal opportunity
        /// difference (class-1 TPR gap) and its ratio forms, min/max over groups (binary tasks).
        /// (NPV = 1 − FOR, so the NPV gap is the FOR gap: one column holds both.)
        public var forDiff: Double?
        public var equalOpportunityDifference: Double?
        public var demographicParityRatio: Double?, equalOpportunityRatio: Double?, equalizedOddsRatio: Double?
        /// Calibration from the policy's probabilities (`FairnessReport.calibration`): overall
        /// expected calibration error and Brier score, and their gaps between groups.
        public var ece: Double?, brier: Double?, deltaECE: Double?, deltaBrier: Double?

        public init() {}

        /// (name, value, whether it is in percentage points): the one place that
        /// names the headline metrics and their unit for every output (reports,
        /// history(t, fairness=true), compare, CSV). The paper's three gaps are
        /// reported ×100, so their names end in _pct; the rest are fractions.
        public var columns: [(String, Double?, Bool)] {
            [("PP_pct", pp.map { $0 * 100 }, true), ("EOD_pct", eod.map { $0 * 100 }, true), ("FPR_diff_pct", fprDiff.map { $0 * 100 }, true),
             ("dF1", deltaF1, false), ("sF1", sigmaF1, false), ("dAcc", deltaAcc, false), ("sAcc", sigmaAcc, false),
             ("F1", f1, false), ("Acc", acc, false), ("F1_ES", f1ES, false), ("Acc_ES", accES, false),
             ("DPD", demographicParityDifference, false), ("EOdD", equalizedOddsDifference, false)]
        }

        /// The metrics beside the paper's (`report.more`), in the same form as `columns`.
        /// Kept apart so the paper's table, and every output built on it, keeps its shape.
        public var moreColumns: [(String, Double?, Bool)] {
            [("FOR_diff_pct", forDiff.map { $0 * 100 }, true),
             ("EOpD", equalOpportunityDifference, false), ("DPR", demographicParityRatio, false),
             ("EOpR", equalOpportunityRatio, false), ("EOdR", equalizedOddsRatio, false),
             ("ECE", ece, false), ("dECE", deltaECE, false), ("Brier", brier, false), ("dBrier", deltaBrier, false)]
        }
    }

    public var table: Table {
        let attrs: Set<String>? = Set(groups.map(\.attribute).filter { !$0.contains("×") })
        var t = Table()
        t.pp = averaged(.fdr, attributes: attrs) { $0.gap }
        t.eod = averaged(.recall, attributes: attrs) { $0.gap }
        t.fprDiff = averaged(.fpr, attributes: attrs) { $0.gap }
        t.deltaF1 = averaged(.f1, attributes: attrs) { $0.gap }
        t.sigmaF1 = averaged(.f1, attributes: attrs) { $0.sigma }
        t.deltaAcc = averaged(.accuracyOVR, attributes: attrs) { $0.gap }
        t.sigmaAcc = averaged(.accuracyOVR, attributes: attrs) { $0.sigma }
        t.f1 = averaged(.f1, attributes: attrs) { $0.mean }
        t.acc = averaged(.accuracyOVR, attributes: attrs) { $0.mean }
        if let f1 = t.f1, let s = t.sigmaF1 { t.f1ES = f1 / (1 + s) }
        if let acc = t.acc, let s = t.sigmaAcc { t.accES = acc / (1 + s) }
        t.forDiff = averaged(.falseOmissionRate, attributes: attrs) { $0.gap }
        if isBinary {
            t.demographicParityDifference = averaged(.selectionRate, attributes: attrs) { $0.gap }
            t.demographicParityRatio = averagedOverAttributes(attrs) { gs in FairnessReport.ratio(gs.compactMap { $0.group.scores.selectionRate }) }
            t.equalOpportunityDifference = averagedOverAttributes(attrs) { gs in FairnessReport.gap(gs.compactMap(\.group.positiveTPR)) }
            t.equalOpportunityRatio = averagedOverAttributes(attrs) { gs in FairnessReport.ratio(gs.compactMap(\.group.positiveTPR)) }
            // Equalized odds: the larger of the class-1 TPR and FPR gaps (the smaller of their ratios), per (domain, attribute).
            t.equalizedOddsDifference = averagedOverAttributes(attrs) { gs in
                [FairnessReport.gap(gs.compactMap(\.group.positiveTPR)), FairnessReport.gap(gs.compactMap(\.group.positiveFPR))].compactMap { $0 }.max()
            }
            t.equalizedOddsRatio = averagedOverAttributes(attrs) { gs in
                [FairnessReport.ratio(gs.compactMap(\.group.positiveTPR)), FairnessReport.ratio(gs.compactMap(\.group.positiveFPR))].compactMap { $0 }.min()
            }
        }
        if let cal = calibration {
            t.ece = cal.overall.ece
            t.brier = cal.overall.brier
            t.deltaECE = averagedOverAttributes(attrs) { gs in FairnessReport.gap(gs.compactMap { cal.groups[$0.index].ece }) }
            t.deltaBrier = averagedOverAttributes(attrs) { gs in FairnessReport.gap(gs.compactMap { cal.groups[$0.index].brier }) }
        }
        return t
    }

    /// max − min of values defined in at least two groups.
    static func gap(_ v: [Double]) -> Double? { v.count >= 2 ? v.max()! - v.min()! : nil }

    /// fairlearn's between-groups ratio, min / max, over values defined in at least two groups
    /// (undefined when every value is 0).
    static func ratio(_ v: [Double]) -> Double? {
        guard v.count >= 2, let hi = v.max(), hi > 0 else { return nil }
        return v.min()! / hi
    }

    /// A quantity of each (domain, attribute)'s groups, averaged over a domain's attributes, then
    /// over domains (the paper's convention). The closure gets the groups with their index in `groups`.
    func averagedOverAttributes(_ attributes: Set<String>?, _ value: ([(index: Int, group: Group)]) -> Double?) -> Double? {
        var byKey: [AttributeKey: [(index: Int, group: Group)]] = [:]
        for (i, g) in groups.enumerated() where attributes?.contains(g.attribute) ?? true {
            byKey[g.attributeKey, default: []].append((i, g))
        }
        var perDomain: [String: [Double]] = [:]
        for key in byKey.keys.sorted() {
            if let v = value(byKey[key]!) { perDomain[key.domain, default: []].append(v) }
        }
        let means = perDomain.keys.sorted().map { perDomain[$0]!.reduce(0, +) / Double(perDomain[$0]!.count) }
        return means.isEmpty ? nil : means.reduce(0, +) / Double(means.count)
    }

    /// fairlearn's `MetricFrame.difference`: per (domain, attribute) and metric,
    /// max − min over groups ("between_groups") or the largest |group − overall| ("to_overall"),
    /// where overall is the score over the groups' rows together (`frameOverall`).
    public func difference(toOverall: Bool) -> [(domain: String, attribute: String, values: [Metric: Double])] {
        perAttribute { v, overall in
            if toOverall { return overall.map { o in v.map { abs($0 - o) }.max()! } }
            return FairnessReport.gap(v)
        }
    }

    /// fairlearn's `MetricFrame.ratio`: per (domain, attribute) and metric, min / max over
    /// groups ("between_groups"), or the smallest of group / overall taken as ≤ 1 (its
    /// inverse when above 1, "to_overall"). Undefined where a denominator is 0 and the
    /// numerator too (fairlearn's NaN); a group at 0 against a positive overall gives 0.
    public func ratio(toOverall: Bool) -> [(domain: String, attribute: String, values: [Metric: Double])] {
        perAttribute { v, overall in
            guard toOverall else { return FairnessReport.ratio(v) }
            guard let o = overall else { return nil }
            return v.compactMap { x -> Double? in
                if o == 0 { return x == 0 ? nil : 0 }
                let r = x / o
                return r > 1 ? 1 / r : r
            }.min()
        }
    }

    /// For each (domain, attribute) in order of first appearance and each metric: `summary` of the
    /// groups' defined values (never empty) and the score over their rows together.
    func perAttribute(_ summary: ([Double], Double?) -> Double?) -> [(domain: String, attribute: String, values: [Metric: Double])] {
        var out: [(String, String, [Metric: Double])] = []
        var seen: [AttributeKey] = []
        for g in groups where !seen.contains(g.attributeKey) { seen.append(g.attributeKey) }
        for key in seen {
            let gs = groups.filter { $0.attributeKey == key }
            var values: [Metric: Double] = [:]
            for m in Metric.allCases {
                let v = gs.compactMap { $0.scores.value(m) }
                guard !v.isEmpty else { continue }
                if let s = summary(v, frameOverall[key.domain]?[key.attribute]?.value(m)) { values[m] = s }
            }
            out.append((key.domain, key.attribute, values))
        }
        return out
    }
}

extension FairnessReport {
    /// Things a reader of the table should know about these numbers.
    public var notes: [String] {
        var out: [String] = []
        let attributeGroups = groups.filter { !$0.attribute.contains("×") }
        if isBinary, !attributeGroups.isEmpty, attributeGroups.allSatisfy({ $0.positiveTPR != nil && $0.positiveFPR != nil }),
           let eod = table.eod, let fpr = table.fprDiff, abs(eod - fpr) < 1e-12 {
            out.append("EOD_pct equals FPR_diff_pct here: with two classes, both present in every group, a group's macro "
                       + "recall is 1 − its macro FPR, so the two gaps are one number (EOpD is the class-1 TPR gap alone)")
        }
        if calibration != nil {
            out.append("ECE over \(Calibration.bins) equal-width bins of the predicted class's probability; "
                       + "Brier: mean squared error of the \(isBinary ? "class-1 probability" : "class probabilities")")
        }
        return out
    }
}

extension Confusion {
    /// Adds another set of rows' counts to these.
    mutating func absorb(_ other: Confusion) {
        n += other.n
        correct += other.correct
        for c in 0..<classCount {
            truePositives[c] += other.truePositives[c]
            falsePositives[c] += other.falsePositives[c]
            falseNegatives[c] += other.falseNegatives[c]
        }
    }
}
