import Tensors

/// k-means clustering, named after scikit-learn's `KMeans`: greedy
/// k-means++ initialisation, `nInit` restarts keeping the lowest inertia,
/// Lloyd iterations until the centres move less than `tol` (relative to the
/// data's mean variance) or `maxIter`, empty clusters re-seeded with the
/// point farthest from its centre. Seeded: the same seed gives the same result.
public struct KMeans: Sendable {
    public var k: Int
    public var nInit = 4
    public var maxIter = 100
    public var tol = 1e-4
    public var seed: UInt64 = 0

    public init(k: Int, nInit: Int = 4, maxIter: Int = 100, tol: Double = 1e-4, seed: UInt64 = 0) {
        self.k = k; self.nInit = nInit; self.maxIter = maxIter; self.tol = tol; self.seed = seed
    }

    public struct Result: Sendable {
        public var labels: [Int]
        /// `k × d`, row-major.
        public var centroids: [[Double]]
        /// Sum of squared distances of points to their centre.
        public var inertia: Double
        public var iterations: Int
    }

    /// Clusters `points` (n rows of d values). `k` is capped at the number of distinct points.
    public func fit(_ points: [[Double]], weights: [Double]? = nil) throws -> Result {
        let n = points.count
        guard n > 0 else { throw ClusterError("kmeans: no points to cluster") }
        let d = points[0].count
        guard points.allSatisfy({ $0.count == d }) else { throw ClusterError("kmeans: points have different lengths") }
        guard k >= 1 else { throw ClusterError("kmeans: k must be at least 1, got \(k)") }
        guard nInit >= 1, maxIter >= 1 else { throw ClusterError("kmeans: n_init and max_iter must be at least 1") }
        let w = weights ?? [Double](repeating: 1, count: n)
        guard w.count == n, w.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw ClusterError("kmeans: sample weights must be n non-negative numbers") }
        let distinct = Set(points.map { $0.map(\.bitPattern) }).count
        let kk = min(k, distinct)
        // tol is relative to the mean per-feature variance, as scikit-learn does.
        var variance = 0.0
        for j in 0..<d {
            let mean = points.reduce(0) { $0 + $1[j] } / Double(n)
            variance += points.reduce(0) { $0 + ($1[j] - mean) * ($1[j] - mean) } / Double(n)
        }
        let tolerance = tol * variance / Double(max(d, 1))
        var rng = SeededGenerator(seed: seed)
        var best: Result?
        for _ in 0..<nInit {
            var centres = plusPlus(points, weights: w, k: kk, rng: &rng)
            var labels = [Int](repeating: 0, count: n)
            var iterations = 0
            for it in 1...maxIter {
                iterations = it
                // Assign.
                for i in 0..<n { labels[i] = nearest(points[i], centres).0 }
                // Update.
                var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: kk)
                var mass = [Double](repeating: 0, count: kk)
                for i in 0..<n {
                    mass[labels[i]] += w[i]
                    for j in 0..<d { sums[labels[i]][j] += w[i] * points[i][j] }
                }
                var moved = 0.0
                for c in 0..<kk {
                    if mass[c] > 0 {
                        let newCentre = sums[c].map { $0 / mass[c] }
                        moved += zip(newCentre, centres[c]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                        centres[c] = newCentre
                    } else {
                        // Empty cluster: take the point farthest from its centre.
                        let far = (0..<n).max { nearest(points[$0], centres).1 < nearest(points[$1], centres).1 }!
                        centres[c] = points[far]
                        moved = .infinity
                    }
                }
                if moved <= tolerance { break }
            }
            for i in 0..<n { labels[i] = nearest(points[i], centres).0 }
            let inertia = (0..<n).reduce(0) { $0 + w[$1] * nearest(points[$1], centres).1 }
            if best == nil || inertia < best!.inertia {
                best = Result(labels: labels, centroids: centres, inertia: inertia, iterations: iterations)
            }
        }
        return best!
    }

    @inline(__always)
    func nearest(_ p: [Double], _ centres: [[Double]]) -> (Int, Double) {
        var bestIndex = 0, bestDistance = Double.infinity
        for (c, centre) in centres.enumerated() {
            var s = 0.0
            for j in 0..<p.count { let t = p[j] - centre[j]; s += t * t }
            if s < bestDistance { bestDistance = s; bestIndex = c }
        }
        return (bestIndex, bestDistance)
    }

    /// Greedy k-means++: each new centre is the best of 2 + ⌊ln k⌋ candidates
    /// drawn with probability proportional to the squared distance (scikit-learn's scheme).
    func plusPlus(_ points: [[Double]], weights: [Double], k: Int, rng: inout SeededGenerator) -> [[Double]] {
        let n = points.count
        let trials = 2 + Int(_logk(Double(k)))
        var centres = [points[rng.nextCategorical(weights: weights.map(Float.init)) ]]
        var closest = points.map { p in zip(p, centres[0]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        while centres.count < k {
            let masses = (0..<n).map { Float(closest[$0] * weights[$0]) }
            if masses.reduce(0, +) <= 0 { break }
            var bestCandidate = 0, bestPotential = Double.infinity, bestClosest = closest
            for _ in 0..<trials {
                let candidate = rng.nextCategorical(weights: masses)
                var updated = closest
                var potential = 0.0
                for i in 0..<n {
                    let dist = zip(points[i], points[candidate]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                    updated[i] = min(updated[i], dist)
                    potential += weights[i] * updated[i]
                }
                if potential < bestPotential { bestPotential = potential; bestCandidate = candidate; bestClosest = updated }
            }
            centres.append(points[bestCandidate])
            closest = bestClosest
        }
        return centres
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

#if canImport(Glibc)
import Glibc
func _logk(_ x: Double) -> Double { Glibc.log(x) }
#endif

/// The FairGRPO reference's elbow rule for choosing k: k_cap = min(3,
/// distinct vectors); fit k = 1…k_cap; with inertia drops D1 = I1 − I2 and
/// D2 = I2 − I3, return 2 if D2 < 0.10 · D1, else k_cap (1 when all vectors
/// are identical).
public enum Elbow {
    public static func referenceK(inertias: [Double], tolerance: Double = 0.10) -> Int {
        let cap = inertias.count
        if cap <= 1 { return 1 }
        if cap == 2 { return 2 }
        let d1 = inertias[0] - inertias[1], d2 = inertias[1] - inertias[2]
        return d2 < tolerance * d1 ? 2 : cap
    }

    /// Clusters reward vectors with k chosen by the reference elbow rule.
    public static func clusterReference(_ points: [[Double]], seed: UInt64) throws -> KMeans.Result {
        let distinct = Set(points.map { $0.map(\.bitPattern) }).count
        let cap = min(3, distinct)
        var fits: [KMeans.Result] = []
        for k in 1...max(cap, 1) { fits.append(try KMeans(k: k, nInit: 4, seed: seed).fit(points)) }
        let k = referenceK(inertias: fits.map(\.inertia))
        return fits[k - 1]
    }
}
