import Tensors

/// Mean silhouette coefficient (Rousseeuw 1987): for each sampled point,
/// (b − a) / max(a, b) with a the mean distance to its own cluster and b the
/// smallest mean distance to another cluster (Euclidean, as scikit-learn's
/// default). Points alone in their cluster score 0. For large n a seeded
/// sample of `sampleSize` points is scored (against all points).
public enum Silhouette {
    public static func score(_ x: Tensor, labels: [Int], sampleSize: Int? = 10_000, seed: UInt64 = 0) throws -> Double {
        guard x.rank == 2, x.shape[0] == labels.count else {
            throw ClusterError("silhouette: \(labels.count) labels for data of shape \(formatShape(x.shape))")
        }
        let n = labels.count, d = x.shape[1]
        let v = x.scalars
        guard v.allSatisfy({ $0.isFinite }) else { throw ClusterError("silhouette: the data contain NaN or infinite values") }
        let clusters = Array(Set(labels)).sorted()
        guard clusters.count >= 2, clusters.count < n else {
            throw ClusterError("silhouette: needs 2 to n−1 clusters, got \(clusters.count)")
        }
        let index = Dictionary(uniqueKeysWithValues: clusters.enumerated().map { ($1, $0) })
        var sizes = [Int](repeating: 0, count: clusters.count)
        for l in labels { sizes[index[l]!] += 1 }
        var sample = Array(0..<n)
        if let s = sampleSize, s < n {
            var rng = SeededGenerator(seed: seed)
            sample = Array(rng.permutation(n).prefix(s))
        }
        let norms = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + v[i * d + $1] * v[i * d + $1] } }
        var total = 0.0
        // Distances of a block of sampled points to all points via one sgemm per block.
        let block = 256
        for start in stride(from: 0, to: sample.count, by: block) {
            let rows = Array(sample[start..<min(start + block, sample.count)])
            let xs = try x.take(rows, axis: 0)
            let cross = try xs.matmul(x, transposeOther: true)
            cross.withUnsafeBufferPointer { c in
                for (r, i) in rows.enumerated() {
                    var sums = [Double](repeating: 0, count: clusters.count)
                    for j in 0..<n where j != i {
                        let dist = Double(max(norms[i] - 2 * c[r * n + j] + norms[j], 0)).squareRoot()
                        sums[index[labels[j]]!] += dist
                    }
                    let own = index[labels[i]]!
                    guard sizes[own] > 1 else { continue }
                    let a = sums[own] / Double(sizes[own] - 1)
                    var b = Double.infinity
                    for c in 0..<clusters.count where c != own { b = min(b, sums[c] / Double(sizes[c])) }
                    let m = max(a, b)
                    total += m > 0 ? (b - a) / m : 0
                }
            }
        }
        return total / Double(sample.count)
    }
}
