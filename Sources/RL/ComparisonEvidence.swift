import Render
import Data
import Fairness
import Tensors

#if canImport(Glibc)
import Glibc
#endif

/// What a comparison can say about its methods beyond their means: intervals
/// that combine seed-to-seed variation with the evaluation data's sampling
/// error, and differences against a baseline method.
///
/// Method (a two-level bootstrap): in resample b the evaluation rows are
/// resampled within their cells (as `Bootstrap` does; the same rows for every
/// run, so methods are compared on the same test sets), and the seeds are
/// drawn with replacement (the same seed positions for every method, so a
/// method is paired with the baseline seed for seed). A method's value in
/// resample b is the mean over the drawn seeds of the metric of that seed's
/// predictions on the resampled rows; its interval is the percentile interval
/// of those values. A difference's interval is that of the per-resample
/// differences. With one seed only the test rows vary.
public struct ComparisonEvidence: Sendable {
    public var bootstrap: Bootstrap
    public var baseline: TrainerConfig.Method?
    /// Per method and metric (table scale).
    public var intervals: [TrainerConfig.Method: [TableMetric: Interval]]
    /// Per method other than the baseline: method − baseline per metric.
    public var differences: [TrainerConfig.Method: [TableMetric: Difference]]

    public struct Difference: Sendable {
        /// Mean over seeds of the method minus that of the baseline.
        public var value: Double
        public var interval: Interval
        /// Whether the interval excludes zero.
        public var verdict: Verdict
    }

    public enum Verdict: String, Sendable {
        case lower, higher
        case noEvidence = "no evidence"
    }
}

extension Comparison {
    /// Intervals and paired differences (see `ComparisonEvidence`). `baseline`
    /// must be one of the finished methods; nil: no differences.
    public func evidence(evalData: Dataset, bootstrap: Bootstrap, baseline: TrainerConfig.Method?) throws -> ComparisonEvidence {
        if let baseline, !finishedMethods.contains(baseline) {
            throw RLError("compare(): baseline \"\(baseline.rawValue)\" is not among the methods compared (\(finishedMethods.map(\.rawValue).joined(separator: ", ")))")
        }
        let plan = try ResamplePlan(data: evalData)
        let metrics = TableMetric.allCases, width = metrics.count
        let values = try plan.resampled(truth: evalData.labels, predictions: runs.map(\.predictions), bootstrap: bootstrap, width: width) { r in
            let t = r.table
            return metrics.map { $0.value(t) ?? .nan }
        }
        let B = bootstrap.resamples
        // Seed draws per resample: positions into each method's runs, the same for every method.
        let seedDraws: [[Double]] = (0..<B).map { b in
            var g = SeededGenerator(seed: bootstrap.seed &+ 0x5EED_0000 &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15)
            return seeds.indices.map { _ in Double(g.next() >> 11) * 0x1p-53 }
        }
        let runsOf = Dictionary(grouping: runs.indices, by: { runs[$0].method })
        /// The method's value of metric q in resample b: mean over the drawn seeds (NaN where undefined).
        func value(_ method: TrainerConfig.Method, _ q: Int, _ b: Int) -> Double {
            let mine = runsOf[method]!
            var sum = 0.0, count = 0
            for u in seedDraws[b] {
                let run = mine[min(Int(u * Double(mine.count)), mine.count - 1)]
                let v = values[run][b * width + q]
                if !v.isNaN { sum += v; count += 1 }
            }
            return count == 0 ? .nan : sum / Double(count)
        }
        var out = ComparisonEvidence(bootstrap: bootstrap, baseline: baseline, intervals: [:], differences: [:])
        for method in finishedMethods {
            var row: [TableMetric: Interval] = [:]
            for (q, m) in metrics.enumerated() {
                if let i = bootstrap.interval((0..<B).map { value(method, q, $0) }) { row[m] = i }
            }
            out.intervals[method] = row
        }
        guard let baseline else { return out }
        for method in finishedMethods where method != baseline {
            var row: [TableMetric: ComparisonEvidence.Difference] = [:]
            for (q, m) in metrics.enumerated() {
                guard let a = summary(method, m).mean, let z = summary(baseline, m).mean,
                      let i = bootstrap.interval((0..<B).map { value(method, q, $0) - value(baseline, q, $0) }) else { continue }
                let verdict: ComparisonEvidence.Verdict = i.lo > 0 ? .higher : i.hi < 0 ? .lower : .noEvidence
                row[m] = .init(value: a - z, interval: i, verdict: verdict)
            }
            out.differences[method] = row
        }
        return out
    }

    /// Per method and evaluation step: F1 and the gaps, mean over seeds with a
    /// t interval across seeds (nil with one seed).
    public struct FrontierRow: Sendable {
        public var method: TrainerConfig.Method
        public var step: Int
        public var seeds: Int
        public var values: [TableMetric: SeedSummary]
    }

    /// Mean over seeds and its Student-t interval (nil for fewer than two seeds).
    public struct SeedSummary: Sendable {
        public var mean: Double
        public var interval: Interval?
        public init(_ v: [Double], level: Double) {
            mean = v.reduce(0, +) / Double(v.count)
            if let s = Comparison.meanStd(v).std {
                let half = studentT(quantile: 1 - (1 - level) / 2, df: Double(v.count - 1)) * s / Double(v.count).squareRoot()
                interval = Interval(lo: mean - half, hi: mean + half, defined: v.count)
            }
        }
    }

    /// The metrics the accuracy-matched views follow: F1 and the gaps.
    public static let frontierMetrics: [TableMetric] = [.f1, .pp, .eod, .fprDiff, .deltaF1, .sigmaF1]

    public func frontier(level: Double = 0.95) -> [FrontierRow] {
        var rows: [FrontierRow] = []
        for method in finishedMethods {
            let series = runs.filter { $0.method == method }.map(\.points)
            for (i, point) in (series.first ?? []).enumerated() {
                let here = series.compactMap { i < $0.count && $0[i].step == point.step ? $0[i] : nil }
                var values: [TableMetric: SeedSummary] = [:]
                for m in Comparison.frontierMetrics {
                    let v = here.compactMap { $0.metrics[m] }
                    if !v.isEmpty { values[m] = SeedSummary(v, level: level) }
                }
                rows.append(FrontierRow(method: method, step: point.step, seeds: here.count, values: values))
            }
        }
        return rows
    }

    /// Gaps at common F1 levels: the F1 range every run passes through along
    /// training (from the highest starting F1 to the lowest best F1), at
    /// `levels` evenly spaced levels. A run's gap at a level is interpolated
    /// linearly between the two evaluation steps where its F1 first reaches it.
    public struct MatchedRow: Sendable {
        public var method: TrainerConfig.Method
        public var f1: Double
        public var seeds: Int
        public var values: [TableMetric: SeedSummary]
    }

    public func matched(levels count: Int = 5, level: Double = 0.95) -> (rows: [MatchedRow], note: String?) {
        let finished = runs.filter { $0.points.count >= 2 }
        guard !finished.isEmpty, finished.count == runs.count else {
            return ([], "accuracy-matched gaps need F1 along training: give eval_every > 0")
        }
        let starts = finished.map { $0.points[0].metrics[.f1] ?? 0 }
        let bests = finished.map { $0.points.compactMap { $0.metrics[.f1] }.max() ?? 0 }
        let lo = starts.max()!, hi = bests.min()!
        guard hi > lo else {
            return ([], "no F1 level is reached by every run (highest start \(formatFixed(lo, 3)), lowest best \(formatFixed(hi, 3)))")
        }
        let grid = count <= 1 ? [hi] : (0..<count).map { lo + (hi - lo) * Double($0) / Double(count - 1) }
        var rows: [MatchedRow] = []
        for method in finishedMethods {
            let mine = finished.filter { $0.method == method }
            for f1 in grid {
                var values: [TableMetric: SeedSummary] = [:]
                var seeds = 0
                for m in Comparison.frontierMetrics where m != .f1 {
                    let v = mine.compactMap { Comparison.interpolate($0.points, metric: m, atF1: f1) }
                    seeds = max(seeds, v.count)
                    if !v.isEmpty { values[m] = SeedSummary(v, level: level) }
                }
                rows.append(MatchedRow(method: method, f1: f1, seeds: seeds, values: values))
            }
        }
        return (rows, nil)
    }

    /// A metric where a run's F1 first reaches `f1`, interpolated between the evaluation steps around it.
    static func interpolate(_ points: [ComparisonRun.Point], metric: TableMetric, atF1 f1: Double) -> Double? {
        for i in points.indices {
            guard let here = points[i].metrics[.f1], here >= f1 else { continue }
            guard let v = points[i].metrics[metric] else { return nil }
            guard i > 0, let before = points[i - 1].metrics[.f1], let w = points[i - 1].metrics[metric], here > before else { return v }
            let t = (f1 - before) / (here - before)
            return w + t * (v - w)
        }
        return nil
    }
}

/// The q-quantile of Student's t distribution with `df` degrees of freedom
/// (bisection on the CDF, which is a regularized incomplete beta function).
func studentT(quantile q: Double, df: Double) -> Double {
    func cdf(_ t: Double) -> Double {
        let x = df / (df + t * t)
        let tail = 0.5 * regularizedBeta(x, df / 2, 0.5)
        return t >= 0 ? 1 - tail : tail
    }
    var lo = -1e3, hi = 1e3
    for _ in 0..<200 {
        let mid = (lo + hi) / 2
        if cdf(mid) < q { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
}

/// I_x(a, b) by its continued fraction (Numerical Recipes' betacf).
func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logGamma: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
    let front: Double = exp(logGamma + a * log(x) + b * log(1 - x))
    func fraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
    if x < (a + 1) / (a + b + 2) { return front * fraction(x, a, b) / a }
    return 1 - front * fraction(1 - x, b, a) / b
}
