/// Calibration of a policy's probabilities, overall and for every group of a report.
///
/// - Confidence of a row: the probability the policy gives the answer it
///   predicts (top-label calibration, Guo et al. 2017). Rows fall into
///   `Calibration.bins` = 10 equal-width bins of confidence, [0, 0.1), [0.1, 0.2),
///   …, [0.9, 1] (the last closed).
/// - Expected calibration error: ECE = Σ_b |Σ_{i∈b} (correct_i − confidence_i)| / n,
///   the bins' |accuracy − mean confidence| weighted by their share of the rows.
/// - Brier score: the mean over rows of Σ_k (p_k − [y = k])², halved for binary
///   tasks so that it is the mean of (p₁ − y)² (scikit-learn's `brier_score_loss`).
/// Both are sums over rows, so a group's values come from sums per cell, as its
/// confusion counts do, and each bootstrap resample recomputes them.
public struct Calibration: Sendable {
    public static let bins = 10

    public struct Scores: Sendable, Equatable {
        public var n: Int
        public var ece: Double?, brier: Double?
    }

    public var overall: Scores
    /// Parallel to the report's `groups`.
    public var groups: [Scores]

    /// Per-row sums: Σ(correct − confidence) per bin, then the row's Brier term, `width` numbers.
    static let width = bins + 1

    /// The `width` numbers one row adds to its cell's sums.
    /// The bin of a confidence: ⌊10·confidence⌋, 1 in the last bin.
    @inline(__always)
    static func bin(confidence: Double) -> Int { max(0, min(Int(confidence * Double(bins)), bins - 1)) }

    /// A row's term of the Brier score.
    @inline(__always)
    static func brierTerm(truth t: Int, probabilities row: UnsafeBufferPointer<Double>, binary: Bool) -> Double {
        var brier = 0.0
        for k in 0..<row.count {
            let e = row[k] - (k == t ? 1 : 0)
            brier += e * e
        }
        return binary ? brier / 2 : brier
    }

    /// Adds one row's terms to its cell's `width` sums.
    @inline(__always)
    static func rowTerms(truth t: Int, prediction p: Int, probabilities row: UnsafeBufferPointer<Double>, binary: Bool,
                         into out: UnsafeMutablePointer<Double>) {
        let confidence = row[p]
        out[bin(confidence: confidence)] += (t == p ? 1 : 0) - confidence
        out[bins] += brierTerm(truth: t, probabilities: row, binary: binary)
    }

    /// Scores of rows whose summed terms are `sums` (`width` numbers).
    static func scores(n: Int, sums: ArraySlice<Double>) -> Scores {
        guard n > 0 else { return Scores(n: 0, ece: nil, brier: nil) }
        let s = Array(sums)
        var ece = 0.0
        for b in 0..<bins { ece += abs(s[b]) }
        return Scores(n: n, ece: ece / Double(n), brier: s[bins] / Double(n))
    }

    /// Checks probabilities: one row of `classes` finite values in [0, 1] summing to 1 (±1e-4) per prediction.
    public static func validate(_ probabilities: [Double], rows: Int, classes: Int) throws {
        guard probabilities.count == rows * classes else {
            throw FairnessError("\(probabilities.count) probabilities for \(rows) predictions of \(classes) classes (expected \(rows * classes))")
        }
        for r in 0..<rows {
            var total = 0.0
            for k in 0..<classes {
                let v = probabilities[r * classes + k]
                guard v.isFinite, v >= 0, v <= 1 else {
                    throw FairnessError("probability \(v) of class \(k) at row \(r) is not in [0, 1]")
                }
                total += v
            }
            guard abs(total - 1) <= 1e-4 else {
                throw FairnessError("the probabilities of row \(r) sum to \(total), not 1")
            }
        }
    }
}
