import Tensors

/// k-means clustering, named after scikit-learn's `KMeans`: greedy
/// k-means++ initialisation, `nInit` restarts keeping the lowest inertia,
/// Lloyd iterations until the centres move less than `tol` (relative to the
/// data's mean per-feature variance, as scikit-learn does) or `maxIter`,
/// optional sample weights, and empty clusters re-seeded with the point
/// farthest from its centre. Distances to the centres are computed through
/// BLAS as ‖x‖² − 2x·c + ‖c‖². Seeded: the same seed gives the same result.
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
        /// One centre per cluster (k × d).
        public var centroids: [[Double]]
        /// Weighted sum of squared distances of points to their centre.
        public var inertia: Double
        public var iterations: Int
        public var sizes: [Int] {
            var s = [Int](repeating: 0, count: centroids.count)
            for l in labels { s[l] += 1 }
            return s
        }
    }

    /// Clusters rows of `points`.
    public func fit(_ points: [[Double]], weights: [Double]? = nil) throws -> Result {
        guard let d = points.first?.count else { throw ClusterError("kmeans: no points to cluster") }
        guard points.allSatisfy({ $0.count == d }) else { throw ClusterError("kmeans: points have different lengths") }
        return try fit(try Tensor(shape: [points.count, d], scalars: points.flatMap { $0.map(Float.init) }), weights: weights)
    }

    /// Clusters the rows of `x: [n, d]`. `k` is capped at the number of distinct rows.
    public func fit(_ x: Tensor, weights: [Double]? = nil) throws -> Result {
        guard x.rank == 2, x.shape[0] > 0, x.shape[1] > 0 else {
            throw ClusterError("kmeans: expected a non-empty [n, d] matrix, got shape \(formatShape(x.shape))")
        }
        let n = x.shape[0], d = x.shape[1]
        guard k >= 1 else { throw ClusterError("kmeans: k must be at least 1, got \(k)") }
        guard nInit >= 1, maxIter >= 1, tol >= 0 else { throw ClusterError("kmeans: n_init and max_iter must be at least 1, tol non-negative") }
        let w = weights ?? [Double](repeating: 1, count: n)
        guard w.count == n, w.allSatisfy({ $0 >= 0 && $0.isFinite }), w.contains(where: { $0 > 0 }) else {
            throw ClusterError("kmeans: sample_weight must be \(n) non-negative numbers, not all zero")
        }
        let values = x.scalars
        guard values.allSatisfy({ $0.isFinite }) else { throw ClusterError("kmeans: the data contain NaN or infinite values") }
        var distinctRows = Set<[Float]>()
        for i in 0..<n where distinctRows.count <= k { distinctRows.insert(Array(values[(i * d)..<((i + 1) * d)])) }
        let kk = min(k, distinctRows.count)
        // tol relative to the mean per-feature variance.
        var variance = 0.0
        for j in 0..<d {
            var mean = 0.0
            for i in 0..<n { mean += Double(values[i * d + j]) }
            mean /= Double(n)
            var v = 0.0
            for i in 0..<n { let t = Double(values[i * d + j]) - mean; v += t * t }
            variance += v / Double(n)
        }
        let tolerance = tol * variance / Double(d)
        let squaredNorms = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + values[i * d + $1] * values[i * d + $1] } }
        var rng = SeededGenerator(seed: seed)
        var best: Result?
        for _ in 0..<nInit {
            var centres = plusPlus(values, n: n, d: d, squaredNorms: squaredNorms, weights: w, k: kk, rng: &rng)
            var labels = [Int](repeating: 0, count: n)
            var distances = [Float](repeating: 0, count: n)
            var iterations = 0
            for it in 1...maxIter {
                iterations = it
                try assign(x, squaredNorms, centres, k: kk, d: d, labels: &labels, distances: &distances)
                var sums = [Double](repeating: 0, count: kk * d)
                var mass = [Double](repeating: 0, count: kk)
                for i in 0..<n {
                    let c = labels[i]
                    mass[c] += w[i]
                    for j in 0..<d { sums[c * d + j] += w[i] * Double(values[i * d + j]) }
                }
                var shift = 0.0
                var emptied = false
                for c in 0..<kk {
                    if mass[c] > 0 {
                        for j in 0..<d {
                            let v = Float(sums[c * d + j] / mass[c])
                            let t = Double(v - centres[c * d + j])
                            shift += t * t
                            centres[c * d + j] = v
                        }
                    } else {
                        // Empty cluster: move it to the point farthest from its centre.
                        let far = distances.indices.max { distances[$0] < distances[$1] }!
                        for j in 0..<d { centres[c * d + j] = values[far * d + j] }
                        distances[far] = 0
                        emptied = true
                    }
                }
                if !emptied && shift <= tolerance { break }
            }
            try assign(x, squaredNorms, centres, k: kk, d: d, labels: &labels, distances: &distances)
            var inertia = 0.0
            for i in 0..<n { inertia += w[i] * Double(max(distances[i], 0)) }
            if best == nil || inertia < best!.inertia {
                let centroidRows = (0..<kk).map { c in (0..<d).map { Double(centres[c * d + $0]) } }
                best = Result(labels: labels, centroids: centroidRows, inertia: inertia, iterations: iterations)
            }
        }
        return best!
    }

    /// Nearest centre of every row, and the squared distance to it, through one sgemm.
    func assign(_ x: Tensor, _ squaredNorms: [Float], _ centres: [Float], k: Int, d: Int,
                labels: inout [Int], distances: inout [Float]) throws {
        let c = try Tensor(shape: [k, d], scalars: centres)
        let cross = try x.matmul(c, transposeOther: true)  // [n, k]
        let centreNorms = (0..<k).map { cc in (0..<d).reduce(Float(0)) { $0 + centres[cc * d + $1] * centres[cc * d + $1] } }
        cross.withUnsafeBufferPointer { xc in
            for i in 0..<labels.count {
                var bestC = 0
                var bestD = Float.infinity
                for cc in 0..<k {
                    let dist = squaredNorms[i] - 2 * xc[i * k + cc] + centreNorms[cc]
                    if dist < bestD { bestD = dist; bestC = cc }
                }
                labels[i] = bestC
                distances[i] = max(bestD, 0)
            }
        }
    }

    /// Greedy k-means++: each new centre is the best of 2 + ⌊ln k⌋ candidates
    /// drawn with probability proportional to weight × squared distance to the
    /// closest centre so far (scikit-learn's scheme).
    func plusPlus(_ x: [Float], n: Int, d: Int, squaredNorms: [Float], weights: [Double], k: Int, rng: inout SeededGenerator) -> [Float] {
        let trials = 2 + Int(_logk(Double(k)))
        func distance(_ i: Int, _ j: Int) -> Double {
            var s: Float = 0
            for t in 0..<d { let u = x[i * d + t] - x[j * d + t]; s += u * u }
            return Double(s)
        }
        let first = rng.nextCategorical(weights: weights.map(Float.init))
        var chosen = [first]
        var closest = (0..<n).map { distance($0, first) }
        while chosen.count < k {
            let masses = (0..<n).map { Float(closest[$0] * weights[$0]) }
            guard masses.contains(where: { $0 > 0 }) else { break }
            var bestCandidate = -1, bestPotential = Double.infinity, bestClosest = closest
            for _ in 0..<trials {
                let candidate = rng.nextCategorical(weights: masses)
                var updated = closest
                var potential = 0.0
                for i in 0..<n {
                    updated[i] = min(updated[i], distance(i, candidate))
                    potential += weights[i] * updated[i]
                }
                if potential < bestPotential { bestPotential = potential; bestCandidate = candidate; bestClosest = updated }
            }
            chosen.append(bestCandidate)
            closest = bestClosest
        }
        var centres = [Float](repeating: 0, count: chosen.count * d)
        for (c, i) in chosen.enumerated() { for j in 0..<d { centres[c * d + j] = x[i * d + j] } }
        // Pad (only when fewer distinct rows remained than k).
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

/// Choosing k.
public enum Elbow {
    /// The FairGRPO reference's rule: k_cap = number of inertias (min(3, distinct
    /// vectors)); with drops D1 = I1 − I2 and D2 = I2 − I3, return 2 if
    /// D2 < tolerance · D1, else k_cap (1 when only one distinct vector).
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
        return fits[referenceK(inertias: fits.map(\.inertia)) - 1]
    }

    /// Inertia for k = 1…kmax, for an elbow plot.
    public static func table(_ x: Tensor, kmax: Int, seed: UInt64, nInit: Int = 4) throws -> [(k: Int, inertia: Double)] {
        guard kmax >= 1 else { throw ClusterError("elbow: kmax must be at least 1") }
        return try (1...kmax).map { k in (k, try KMeans(k: k, nInit: nInit, seed: seed).fit(x).inertia) }
    }
}
