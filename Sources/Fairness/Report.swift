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
    public var isBinary: Bool { classNames.count == 2 }

    /// Metrics whose spread the paper reports.
    static let spreadMetrics: [Metric] = [.fdr, .recall, .fpr, .f1, .accuracyOVR, .selectionRate]

    /// Scores `predictions` against `truth` (class indices) on `data`'s groups.
    public static func evaluate(truth: [Int], predictions: [Int], data: Dataset, intersections: Bool = false) throws -> FairnessReport {
        guard truth.count == data.count, predictions.count == data.count else {
            throw DataError.invalidArgument("metrics(): \(truth.count) labels and \(predictions.count) predictions for a dataset of \(data.count) rows")
        }
        let k = data.classNames.count
        for (i, p) in predictions.enumerated() where p < 0 || p >= k {
            throw DataError.invalidArgument("metrics(): prediction \(p) at row \(i) is not a class index in 0..<\(k)")
        }
        for (i, t) in truth.enumerated() where t < 0 || t >= k {
            throw DataError.invalidArgument("metrics(): label \(t) at row \(i) is not a class index in 0..<\(k)")
        }
        // Grouping schemes: each attribute, and optionally their intersection.
        var schemes: [(name: String, levels: [String], codes: [Int])] = data.attributes.map { ($0.name, $0.levels, $0.groundTruth) }
        if intersections && data.attributes.count >= 2 {
            var index: [String: Int] = [:], levels: [String] = []
            let codes = (0..<data.count).map { r -> Int in
                var parts: [String] = []
                for a in data.attributes {
                    let c = a.groundTruth[r]
                    if c < 0 { return -1 }
                    parts.append(a.shortNames[c])
                }
                let key = parts.joined(separator: ",")
                if let i = index[key] { return i }
                index[key] = levels.count
                levels.append(key)
                return levels.count - 1
            }
            schemes.append((data.attributes.map(\.name).joined(separator: "×"), levels, codes))
        }
        // One pass: confusion counts per (domain, scheme, level), and overall.
        let domains = data.domainNames.count
        var overall = Confusion(classes: k)
        var cells: [[[Confusion]]] = (0..<domains).map { _ in schemes.map { s in s.levels.map { _ in Confusion(classes: k) } } }
        for r in 0..<data.count {
            let t = truth[r], p = predictions[r], d = data.domains[r]
            overall.add(truth: t, prediction: p)
            for (s, scheme) in schemes.enumerated() {
                let code = scheme.codes[r]
                if code >= 0 { cells[d][s][code].add(truth: t, prediction: p) }
            }
        }
        var report = FairnessReport(classNames: data.classNames, overall: Scores(overall), groups: [], spreads: [], skipped: [])
        for d in 0..<domains {
            for (s, scheme) in schemes.enumerated() {
                var present: [Group] = []
                for (l, level) in scheme.levels.enumerated() where cells[d][s][l].n > 0 {
                    let c = cells[d][s][l]
                    var g = Group(domain: data.domainNames[d], attribute: scheme.name, level: level, scores: Scores(c))
                    if k == 2 {
                        g.positiveTPR = c.support(1) > 0 ? Double(c.truePositives[1]) / Double(c.support(1)) : nil
                        let negatives = c.n - c.support(1)
                        g.positiveFPR = negatives > 0 ? Double(c.falsePositives[1]) / Double(negatives) : nil
                    }
                    for (metric, reason) in g.scores.undefined.sorted(by: { $0.key < $1.key }) {
                        report.skipped.append("\(g.domain) \(scheme.name)=\(level): \(metric) undefined (\(reason))")
                    }
                    present.append(g)
                }
                report.groups += present
                guard present.count >= 2 else {
                    if present.count == 1 {
                        report.skipped.append("\(data.domainNames[d]) \(scheme.name): only one group has rows, so no gap")
                    }
                    continue
                }
                for metric in spreadMetrics where metric != .selectionRate || k == 2 {
                    let values = present.compactMap { $0.scores.value(metric) }
                    guard values.count >= 2 else {
                        report.skipped.append("\(data.domainNames[d]) \(scheme.name): \(metric.rawValue) gap needs two groups where it is defined, has \(values.count)")
                        continue
                    }
                    report.spreads.append(Spread(domain: data.domainNames[d], attribute: scheme.name, metric: metric,
                                                 gap: values.max()! - values.min()!, sigma: sampleStd(values),
                                                 mean: values.reduce(0, +) / Double(values.count), groups: values.count))
                }
            }
        }
        return report
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
        let domainMeans = perDomain.values.map { $0.reduce(0, +) / Double($0.count) }
        return domainMeans.isEmpty ? nil : domainMeans.reduce(0, +) / Double(domainMeans.count)
    }

    /// The paper's headline metrics (attributes only, not intersections).
    public struct Table: Sendable {
        public var pp: Double?, eod: Double?, fprDiff: Double?
        public var deltaF1: Double?, sigmaF1: Double?, deltaAcc: Double?, sigmaAcc: Double?
        public var f1: Double?, acc: Double?, f1ES: Double?, accES: Double?
        /// fairlearn-style, binary tasks only.
        public var demographicParityDifference: Double?, equalizedOddsDifference: Double?

        public init() {}

        /// (name, value, scaled ×100 in the paper's tables)
        public var columns: [(String, Double?, Bool)] {
            [("PP", pp, true), ("EOD", eod, true), ("FPR_diff", fprDiff, true), ("dF1", deltaF1, false), ("sF1", sigmaF1, false),
             ("dAcc", deltaAcc, false), ("sAcc", sigmaAcc, false), ("F1", f1, false), ("Acc", acc, false),
             ("F1_ES", f1ES, false), ("Acc_ES", accES, false), ("DPD", demographicParityDifference, false),
             ("EOdD", equalizedOddsDifference, false)]
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
        if isBinary {
            t.demographicParityDifference = averaged(.selectionRate, attributes: attrs) { $0.gap }
            // Equalized odds: the larger of the class-1 TPR and FPR gaps, per (domain, attribute).
            var perDomain: [String: [Double]] = [:]
            let keys = Set(groups.filter { attrs?.contains($0.attribute) ?? true }.map { "\($0.domain)\u{1}\($0.attribute)" })
            for key in keys {
                let parts = key.split(separator: "\u{1}").map(String.init)
                let gs = groups.filter { $0.domain == parts[0] && $0.attribute == parts[1] }
                let tprs = gs.compactMap(\.positiveTPR), fprs = gs.compactMap(\.positiveFPR)
                var gaps: [Double] = []
                if tprs.count >= 2 { gaps.append(tprs.max()! - tprs.min()!) }
                if fprs.count >= 2 { gaps.append(fprs.max()! - fprs.min()!) }
                if let m = gaps.max() { perDomain[parts[0], default: []].append(m) }
            }
            let means = perDomain.values.map { $0.reduce(0, +) / Double($0.count) }
            if !means.isEmpty { t.equalizedOddsDifference = means.reduce(0, +) / Double(means.count) }
        }
        return t
    }

    /// fairlearn's `MetricFrame.difference`: per (domain, attribute) and metric,
    /// max − min over groups ("between_groups") or the largest |group − overall| ("to_overall").
    public func difference(toOverall: Bool) -> [(domain: String, attribute: String, values: [Metric: Double])] {
        var out: [(String, String, [Metric: Double])] = []
        var seen: [String] = []
        for g in groups where !seen.contains(g.domain + "\u{1}" + g.attribute) { seen.append(g.domain + "\u{1}" + g.attribute) }
        for key in seen {
            let parts = key.split(separator: "\u{1}").map(String.init)
            let gs = groups.filter { $0.domain == parts[0] && $0.attribute == parts[1] }
            var values: [Metric: Double] = [:]
            for m in Metric.allCases {
                let v = gs.compactMap { $0.scores.value(m) }
                guard !v.isEmpty else { continue }
                if toOverall {
                    guard let o = overall.value(m) else { continue }
                    values[m] = v.map { abs($0 - o) }.max()!
                } else if v.count >= 2 {
                    values[m] = v.max()! - v.min()!
                }
            }
            out.append((parts[0], parts[1], values))
        }
        return out
    }
}
