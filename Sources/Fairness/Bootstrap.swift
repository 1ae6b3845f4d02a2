import Data
import Tensors

/// Percentile bootstrap intervals for fairness reports.
///
/// The method (docs/evidence.md describes it for users):
/// - Rows are resampled with replacement *within their cell*: the rows of one
///   domain with one level of every attribute. Every group, every domain and
///   the whole keep their sizes, so each resample is a test set of the same
///   make-up as the one scored, and a gap's interval reflects how well each
///   group's scores are known, not chance changes in group sizes.
/// - Every quantity (each headline metric, each overall score, each group's
///   scores) is recomputed on every resample exactly as on the data.
/// - The interval is the percentile interval: the (1 − level)/2 and
///   1 − (1 − level)/2 quantiles of the resampled values, interpolated
///   linearly between order statistics (NumPy's default `quantile` method).
///   Resamples where the quantity is undefined are left out; `Interval.defined`
///   says how many remained.
/// - Resample b is reproducible without the code: draw i (counted over the
///   resample, cells in order of first appearance, rows of a cell in row order)
///   takes h = mix(base + (i + 1)·γ) with base = mix(seed·0xD1B54A32D192ED03 + b + γ),
///   γ = 0x9E3779B97F4A7C15 and mix splitmix64's output function (arithmetic mod 2⁶⁴);
///   in a cell of n rows it picks row ⌊u·n⌋ (at most n − 1) with u = (h >> 11)·2⁻⁵³.
///   scripts/bootstrap_reference.py reproduces it in NumPy.
public struct Bootstrap: Sendable, Equatable {
    /// How many resamples.
    public var resamples: Int
    /// The interval's coverage, e.g. 0.95.
    public var level: Double
    public var seed: UInt64

    public init(resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0) throws {
        guard resamples >= 2 else { throw FairnessError("n_boot must be at least 2 resamples, got \(resamples)") }
        guard level > 0, level < 1 else { throw FairnessError("ci must be a coverage between 0 and 1 (e.g. 0.95), got \(level)") }
        self.resamples = resamples; self.level = level; self.seed = seed
    }

    /// The quantiles the interval's ends are: (1 − level)/2 and 1 − that.
    public var quantiles: (lo: Double, hi: Double) {
        let q = (1 - level) / 2
        return (q, 1 - q)
    }

    /// The q-quantile of ascending `sorted` values, interpolated linearly between
    /// order statistics as NumPy's `quantile(method="linear")` computes it, to the bit.
    public static func quantile(sorted v: [Double], _ q: Double) -> Double {
        precondition(!v.isEmpty)
        let virtual = Double(v.count - 1) * q
        let below = virtual.rounded(.down)
        let i = Int(below), gamma = virtual - below
        guard i + 1 < v.count else { return v[v.count - 1] }
        let a = v[i], b = v[i + 1], d = b - a
        return gamma >= 0.5 ? b - d * (1 - gamma) : a + d * gamma
    }

    /// The interval of `values` (NaN: undefined in that resample).
    public func interval(_ values: [Double]) -> Interval? {
        let defined = values.filter { !$0.isNaN }.sorted()
        guard !defined.isEmpty else { return nil }
        let (qlo, qhi) = quantiles
        return Interval(lo: Bootstrap.quantile(sorted: defined, qlo), hi: Bootstrap.quantile(sorted: defined, qhi), defined: defined.count)
    }
}

/// A bootstrap interval.
public struct Interval: Sendable, Equatable {
    public var lo: Double, hi: Double
    /// Resamples where the quantity was defined (the rest are left out).
    public var defined: Int
    public init(lo: Double, hi: Double, defined: Int) { self.lo = lo; self.hi = hi; self.defined = defined }
    public func scaled(_ s: Double) -> Interval { Interval(lo: lo * s, hi: hi * s, defined: defined) }
    public func contains(_ v: Double) -> Bool { lo <= v && v <= hi }
}

/// Intervals for every quantity of a report.
public struct ReportIntervals: Sendable {
    public var bootstrap: Bootstrap
    /// By headline column name (`FairnessReport.Table.columns` and `moreColumns`: "PP_pct", "dF1", "EOpD", "ECE", …),
    /// in the columns' units (the gaps in percentage points).
    public var table: [String: Interval]
    public var overall: [Metric: Interval]
    /// Parallel to the report's `groups`.
    public var groups: [[Metric: Interval]]
    /// With calibration: "ece" and "brier" overall, then for each group (empty without).
    public var calibration: [[String: Interval]] = []
}

/// How one dataset's rows are resampled: its rows grouped by cell, each resample
/// drawing every cell's rows from that cell. Built once; every resample, and
/// every set of predictions scored on the same rows, shares it, so predictions
/// of several models are compared on the same resamples (paired).
public struct ResamplePlan: Sendable {
    let layout: FairnessReport.CellLayout
    /// Row numbers grouped by cell (cells in order of first appearance, rows in order within a cell).
    public let order: [Int]
    /// Cell c's rows are order[offsets[c]..<offsets[c + 1]].
    let offsets: [Int]

    public init(data: Dataset, intersections: Bool = false) throws {
        layout = try FairnessReport.CellLayout(data: data, intersections: intersections)
        let cells = layout.cellKeys.count
        var counts = [Int](repeating: 0, count: cells + 1)
        for c in layout.cellOfRow { counts[c + 1] += 1 }
        for c in 0..<cells { counts[c + 1] += counts[c] }
        offsets = counts
        var next = counts, order = [Int](repeating: 0, count: layout.cellOfRow.count)
        for (r, c) in layout.cellOfRow.enumerated() {
            order[next[c]] = r
            next[c] += 1
        }
        self.order = order
    }

    public var rowCount: Int { order.count }
    var classes: Int { layout.classNames.count }

    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The stream of resample b: base = mix(seed·0xD1B54A32D192ED03 + b + γ).
    static func base(seed: UInt64, resample b: Int) -> UInt64 {
        mix(seed &* 0xD1B5_4A32_D192_ED03 &+ UInt64(b) &+ gamma)
    }

    /// Positions into `order` drawn by resample b (plan order): draw i of the
    /// resample, in cell c of n rows starting at offset o, is
    /// o + min(⌊u·n⌋, n − 1) with u = (h >> 11)·2⁻⁵³ and h = mix(base + (i + 1)·γ).
    func positions(resample b: Int, seed: UInt64, into out: UnsafeMutableBufferPointer<Int32>) {
        var state = ResamplePlan.base(seed: seed, resample: b)
        offsets.withUnsafeBufferPointer { offsets in
            var i = 0
            for c in 0..<(offsets.count - 1) {
                let start = offsets[c], n = offsets[c + 1] - start
                let nd = Double(n)
                for _ in 0..<n {
                    state &+= ResamplePlan.gamma
                    let u = Double(ResamplePlan.mix(state) >> 11) * 0x1p-53
                    let j = min(Int(u * nd), n - 1)
                    out[i] = Int32(truncatingIfNeeded: start + j)
                    i += 1
                }
            }
        }
    }

    /// The row numbers resample b draws, in plan order (for checks outside this code).
    public func indices(resample b: Int, seed: UInt64) -> [Int] {
        var p = [Int32](repeating: 0, count: rowCount)
        p.withUnsafeMutableBufferPointer { positions(resample: b, seed: seed, into: $0) }
        return p.map { order[Int($0)] }
    }

    /// For each set of predictions, `extract` of the report of every resample:
    /// result[v][b * width + q] (NaN where undefined). With `probabilities` (one set of
    /// predictions only, n × classes), each resample's report has calibration too.
    /// The resamples run on two cores; each is a function of (seed, b) alone, so
    /// results do not depend on the split.
    ///
    /// One pass per resample draws the rows (the recipe of `positions`) and counts each
    /// drawn row's (truth, prediction) in its cell's table at once: the rows themselves
    /// are never gathered, and the tables are all a report needs.
    public func resampled(truth: [Int], predictions: [[Int]], probabilities: [Double]? = nil, bootstrap: Bootstrap, width: Int,
                          extract: @escaping @Sendable (FairnessReport) -> [Double]) throws -> [[Double]] {
        let k = classes, n = rowCount, cells = offsets.count - 1, V = predictions.count, kk = k * k
        guard n > 0 else { throw FairnessError("bootstrap: the dataset has no rows") }
        guard n < Int(Int32.max) else { throw FairnessError("bootstrap: too many rows (\(n))") }
        guard truth.count == n, predictions.allSatisfy({ $0.count == n }) else {
            throw FairnessError("bootstrap: labels and predictions must have one value per row (\(n))")
        }
        guard probabilities == nil || V == 1 else { throw FairnessError("bootstrap: probabilities go with one set of predictions") }
        if let probabilities { try Calibration.validate(probabilities, rows: n, classes: k) }
        // Read-only inputs of every resample, in plan order: the truth and prediction of each row as
        // one code (the sets of predictions interleaved) and, with probabilities, each row's
        // calibration bin, correct − confidence and Brier term. Plain buffers, shared by both cores.
        let codes = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n * V)
        let calibrated = probabilities != nil
        let calibrationBin = UnsafeMutableBufferPointer<Int32>.allocate(capacity: calibrated ? n : 0)
        let calibrationTerms = UnsafeMutableBufferPointer<Double>.allocate(capacity: calibrated ? 2 * n : 0)
        let cellStart = UnsafeMutableBufferPointer<Int>.allocate(capacity: offsets.count)
        defer { codes.deallocate(); calibrationBin.deallocate(); calibrationTerms.deallocate(); cellStart.deallocate() }
        _ = cellStart.initialize(from: offsets)
        for (i, r) in order.enumerated() {
            for v in 0..<V { codes[i * V + v] = Int32(truth[r] * k + predictions[v][r]) }
        }
        if let probabilities {
            probabilities.withUnsafeBufferPointer { p in
                for (i, r) in order.enumerated() {
                    let answer = predictions[0][r], confidence = p[r * k + answer]
                    calibrationBin[i] = Int32(Calibration.bin(confidence: confidence))
                    calibrationTerms[2 * i] = (truth[r] == answer ? 1 : 0) - confidence
                    calibrationTerms[2 * i + 1] = Calibration.brierTerm(truth: truth[r], probabilities: UnsafeBufferPointer(rebasing: p[(r * k)..<(r * k + k)]),
                                                                        binary: k == 2)
                }
            }
        }
        let w = Calibration.width, B = bootstrap.resamples, seed = bootstrap.seed, layout = layout
        var out = [[Double]](repeating: [Double](repeating: .nan, count: B * width), count: V)
        let outPointers = out.indices.map { v in out[v].withUnsafeMutableBufferPointer { $0.baseAddress! } }
        // One half of the resamples: each writes rows b of every output.
        func work(_ range: Range<Int>) {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: V * cells * kk)
            let quarters = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * kk)
            let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: calibrated ? cells * w : 0)
            defer { counts.deallocate(); quarters.deallocate(); sums.deallocate() }
            for b in range {
                counts.initialize(repeating: 0)
                sums.initialize(repeating: 0)
                var state = ResamplePlan.base(seed: seed, resample: b)
                for c in 0..<cells {
                    let start = cellStart[c], size = cellStart[c + 1] - start
                    let nd = Double(size), last = size - 1
                    /// The next draw's position in the cell: the recipe of `positions`.
                    @inline(__always) func draw() -> Int {
                        state &+= ResamplePlan.gamma
                        return min(Int(Double(ResamplePlan.mix(state) >> 11) * 0x1p-53 * nd), last)
                    }
                    if V == 1 && !calibrated {
                        // The common case, kept tight. Four tables take the draws in turn, so
                        // consecutive draws of the same code do not wait on each other's increment.
                        let table = counts.baseAddress! + c &* kk, cellCodes = codes.baseAddress! + start
                        let t0 = quarters.baseAddress!, t1 = t0 + kk, t2 = t1 + kk, t3 = t2 + kk
                        quarters.initialize(repeating: 0)
                        var left = size
                        while left >= 4 {
                            t0[Int(cellCodes[draw()])] &+= 1; t1[Int(cellCodes[draw()])] &+= 1
                            t2[Int(cellCodes[draw()])] &+= 1; t3[Int(cellCodes[draw()])] &+= 1
                            left &-= 4
                        }
                        while left > 0 { t0[Int(cellCodes[draw()])] &+= 1; left &-= 1 }
                        for i in 0..<kk { table[i] = t0[i] &+ t1[i] &+ t2[i] &+ t3[i] }
                    } else {
                        for _ in 0..<size {
                            let j = start &+ draw()
                            for v in 0..<V { counts[(v &* cells &+ c) &* kk &+ Int(codes[j &* V &+ v])] &+= 1 }
                            if calibrated {
                                sums[c &* w &+ Int(calibrationBin[j])] += calibrationTerms[2 &* j]
                                sums[c &* w &+ Calibration.bins] += calibrationTerms[2 &* j &+ 1]
                            }
                        }
                    }
                }
                for v in 0..<V {
                    let table = Array(counts[(v * cells * kk)..<((v + 1) * cells * kk)])
                    let report = FairnessReport.build(layout: layout, cellCounts: ResamplePlan.confusions(table, cells: cells, classes: k),
                                                      calibrationSums: calibrated ? Array(sums) : nil, lean: true)
                    let values = extract(report)
                    let row = outPointers[v] + b * width
                    for q in 0..<min(width, values.count) { row[q] = values[q] }
                }
            }
        }
        let half = B / 2
        runOnTwoCores({ work(0..<half) }, { work(half..<B) })
        _ = out.count  // the pointers above point into `out`, which lives until here
        return out
    }

    /// Per-cell confusion counts from a truth × prediction table per cell.
    static func confusions(_ counts: [Int], cells: Int, classes k: Int) -> [Confusion] {
        (0..<cells).map { c in
            var confusion = Confusion(classes: k)
            let base = c * k * k
            for t in 0..<k {
                for p in 0..<k {
                    let m = counts[base + t * k + p]
                    guard m > 0 else { continue }
                    confusion.n += m
                    if t == p {
                        confusion.truePositives[t] += m
                        confusion.correct += m
                    } else {
                        confusion.falseNegatives[t] += m
                        confusion.falsePositives[p] += m
                    }
                }
            }
            return confusion
        }
    }
}

extension FairnessReport {
    /// Every quantity a report carries intervals for, in a fixed order: the
    /// headline table's columns and those beside it, the overall scores, each
    /// group's scores, then (with calibration) overall and each group's ECE and Brier.
    static func quantities(_ r: FairnessReport) -> [Double] {
        let t = r.table
        var out = (t.columns + t.moreColumns).map { $0.1 ?? .nan }
        out += Metric.allCases.map { r.overall.value($0) ?? .nan }
        for g in r.groups { out += Metric.allCases.map { g.scores.value($0) ?? .nan } }
        if let cal = r.calibration {
            for s in [cal.overall] + cal.groups { out += [s.ece ?? .nan, s.brier ?? .nan] }
        }
        return out
    }

    /// The report of `predictions`, with bootstrap intervals for every quantity
    /// (and calibration, with its intervals, when `probabilities` are given).
    public static func evaluate(truth: [Int], predictions: [Int], data: Dataset, intersections: Bool = false,
                                probabilities: [Double]? = nil, bootstrap: Bootstrap) throws -> FairnessReport {
        var report = try evaluate(truth: truth, predictions: predictions, data: data, intersections: intersections,
                                  probabilities: probabilities)
        let plan = try ResamplePlan(data: data, intersections: intersections)
        let width = quantities(report).count
        let values = try plan.resampled(truth: truth, predictions: [predictions], probabilities: probabilities,
                                        bootstrap: bootstrap, width: width, extract: quantities)[0]
        let B = bootstrap.resamples
        func interval(_ q: Int) -> Interval? { bootstrap.interval((0..<B).map { values[$0 * width + q] }) }
        let columns = report.table.columns + report.table.moreColumns
        var table: [String: Interval] = [:]
        for (q, c) in columns.enumerated() where c.1 != nil { table[c.0] = interval(q) }
        var overall: [Metric: Interval] = [:]
        for (i, m) in Metric.allCases.enumerated() where report.overall.value(m) != nil { overall[m] = interval(columns.count + i) }
        var groups: [[Metric: Interval]] = []
        for (gi, g) in report.groups.enumerated() {
            var row: [Metric: Interval] = [:]
            for (i, m) in Metric.allCases.enumerated() where g.scores.value(m) != nil {
                row[m] = interval(columns.count + Metric.allCases.count * (gi + 1) + i)
            }
            groups.append(row)
        }
        var calibration: [[String: Interval]] = []
        if let cal = report.calibration {
            let first = columns.count + Metric.allCases.count * (report.groups.count + 1)
            for (i, s) in ([cal.overall] + cal.groups).enumerated() {
                var row: [String: Interval] = [:]
                if s.ece != nil { row["ece"] = interval(first + 2 * i) }
                if s.brier != nil { row["brier"] = interval(first + 2 * i + 1) }
                calibration.append(row)
            }
        }
        report.intervals = ReportIntervals(bootstrap: bootstrap, table: table, overall: overall, groups: groups,
                                           calibration: calibration)
        return report
    }
}
