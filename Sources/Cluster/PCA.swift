import Tensors

/// Principal component analysis for looking at data in 2-D: the covariance
/// is formed through BLAS (Xᵀ·X of the centred data) and its leading
/// eigenvectors found by the cyclic Jacobi method (exact for the symmetric
/// d×d matrix). Components are signed so their largest entry is positive.
public enum PCA {
    public struct Result: Sendable {
        public var projection: Tensor
        public var components: [[Double]]
        public var explainedVariance: [Double]
        public var explainedRatio: [Double]
    }

    public static func fit(_ x: Tensor, components k: Int = 2) throws -> Result {
        guard x.rank == 2, x.shape[0] >= 2 else { throw ClusterError("pca: needs a matrix with at least 2 rows, got \(formatShape(x.shape))") }
        let n = x.shape[0], d = x.shape[1]
        guard k >= 1, k <= d else { throw ClusterError("pca: components must be in 1…\(d), got \(k)") }
        guard d <= 2048 else { throw ClusterError("pca: at most 2048 features (got \(d))") }
        guard x.scalars.allSatisfy({ $0.isFinite }) else { throw ClusterError("pca: the data contain NaN or infinite values") }
        let means = try x.mean(axis: 0, keepDims: true)
        let centred = try x - means
        let cov = try centred.matmul(centred, transposeSelf: true) * (1 / Float(n - 1))
        var a = cov.scalars.map(Double.init)
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        // Cyclic Jacobi sweeps until the off-diagonal mass vanishes.
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in (p + 1)..<max(p + 1, d) { off += a[p * d + q] * a[p * d + q] } }
            if off < 1e-22 { break }
            for p in 0..<d {
                for q in (p + 1)..<max(p + 1, d) where abs(a[p * d + q]) > 1e-300 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for r in 0..<d {
                        let arp = a[r * d + p], arq = a[r * d + q]
                        a[r * d + p] = c * arp - s * arq
                        a[r * d + q] = s * arp + c * arq
                    }
                    for r in 0..<d {
                        let apr = a[p * d + r], aqr = a[q * d + r]
                        a[p * d + r] = c * apr - s * aqr
                        a[q * d + r] = s * apr + c * aqr
                    }
                    for r in 0..<d {
                        let vrp = v[r * d + p], vrq = v[r * d + q]
                        v[r * d + p] = c * vrp - s * vrq
                        v[r * d + q] = s * vrp + c * vrq
                    }
                }
            }
        }
        let eigen = (0..<d).map { a[$0 * d + $0] }
        let order = (0..<d).sorted { eigen[$0] > eigen[$1] }
        var comps: [[Double]] = []
        for j in order.prefix(k) {
            var col = (0..<d).map { v[$0 * d + j] }
            if let m = col.indices.max(by: { abs(col[$0]) < abs(col[$1]) }), col[m] < 0 { col = col.map { -$0 } }
            comps.append(col)
        }
        let w = try Tensor(shape: [d, k], scalars: (0..<d).flatMap { r in comps.map { Float($0[r]) } })
        let projection = try centred.matmul(w)
        let total = eigen.reduce(0) { $0 + max($1, 0) }
        let explained = order.prefix(k).map { max(eigen[$0], 0) }
        return Result(projection: projection.detached(), components: comps, explainedVariance: explained,
                      explainedRatio: explained.map { total > 0 ? $0 / total : 0 })
    }
}
