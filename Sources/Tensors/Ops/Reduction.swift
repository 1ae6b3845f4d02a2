/// Reductions along one axis (with `keepDims`) or over all elements.
///
/// An axis reduction views the tensor as `[outer, n, inner]`, where `n` is the
/// reduced dimension, so every kernel is two plain loops.
extension Tensor {
    struct AxisSplit {
        let outer: Int, n: Int, inner: Int
        let outShape: [Int]
    }

    func split(axis: Int, keepDims: Bool, op: String) throws -> AxisSplit {
        let a = try normalizedAxis(axis, rank: rank, op: op)
        let outer = shapeProduct(Array(shape[..<a]))
        let inner = shapeProduct(Array(shape[(a + 1)...]))
        var out = shape
        if keepDims { out[a] = 1 } else { out.remove(at: a) }
        return AxisSplit(outer: outer, n: shape[a], inner: inner, outShape: out)
    }

    /// Sum of all elements, as a scalar tensor (accumulated in Double).
    public func sum() throws -> Tensor {
        let acc = Tensor.sumAsDouble(storage.pointer, count: count)
        let shape = self.shape
        return Tensor(scalar: Float(acc)).recorded("sum_all", self) { g in
            Tensor.full(shape, g.storage.pointer[0])
        }
    }

    /// The sum of `count` elements in Double. Eight partial sums keep the loop
    /// vectorisable and reduce rounding error. (Fused kernels that replace a
    /// `sum()` call this, so they round exactly as it does.)
    static func sumAsDouble(_ p: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD8<Double>()
        var i = 0
        while i + 8 <= count {
            lanes += SIMD8<Double>(SIMD8<Float>(UnsafeBufferPointer(start: p + i, count: 8)))
            i += 8
        }
        var acc = lanes.sum()
        while i < count { acc += Double(p[i]); i += 1 }
        return acc
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() throws -> Tensor {
        guard count > 0 else { throw TensorError.invalidArgument("mean(): the tensor is empty") }
        return try sum() * (1 / Float(count))
    }

    /// Sum along `axis`.
    public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor {
        let s = try split(axis: axis, keepDims: keepDims, op: "sum")
        var out = Tensor.zeros(s.outShape)
        let src = storage.pointer, dst = out.storage.pointer
        for o in 0..<s.outer {
            let y = dst + o * s.inner
            for k in 0..<s.n {
                let x = src + (o * s.n + k) * s.inner
                for j in 0..<s.inner { y[j] += x[j] }
            }
        }
        let inShape = shape
        return out.recorded("sum", self) { g in
            // Every input element along the axis receives the output's gradient.
            var gx = Tensor(uninitializedShape: inShape)
            let gp = g.storage.pointer, dp = gx.storage.pointer
            for o in 0..<s.outer {
                for k in 0..<s.n {
                    (dp + (o * s.n + k) * s.inner).update(from: gp + o * s.inner, count: s.inner)
                }
            }
            return gx
        }
    }

    /// Mean along `axis`.
    public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor {
        let a = try normalizedAxis(axis, rank: rank, op: "mean")
        guard shape[a] > 0 else { throw TensorError.invalidArgument("mean(): axis \(axis) has length 0") }
        return try sum(axis: a, keepDims: keepDims) * (1 / Float(shape[a]))
    }

    /// Maximum along `axis`; the gradient flows to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) throws -> Tensor {
        let s = try split(axis: axis, keepDims: keepDims, op: "max")
        guard s.n > 0 else { throw TensorError.invalidArgument("max(): axis \(axis) has length 0") }
        let (values, indices) = maxAndArgmax(s)
        let inShape = shape
        return values.recorded("max", self) { g in
            var gx = Tensor.zeros(inShape)
            let gp = g.storage.pointer, dp = gx.storage.pointer
            for o in 0..<s.outer {
                for j in 0..<s.inner {
                    let k = indices[o * s.inner + j]
                    dp[(o * s.n + k) * s.inner + j] = gp[o * s.inner + j]
                }
            }
            return gx
        }
    }

    /// Index of the first maximum along `axis`, as a Float tensor of integers
    /// (no gradient).
    public func argmax(axis: Int, keepDims: Bool = false) throws -> Tensor {
        let s = try split(axis: axis, keepDims: keepDims, op: "argmax")
        guard s.n > 0 else { throw TensorError.invalidArgument("argmax(): axis \(axis) has length 0") }
        let (_, indices) = maxAndArgmax(s)
        return try Tensor(shape: s.outShape, scalars: indices.map(Float.init))
    }

    /// Row maxima and their positions. NaN counts as the maximum, as in NumPy.
    func maxAndArgmax(_ s: AxisSplit) -> (Tensor, [Int]) {
        var values = Tensor(uninitializedShape: s.outShape)
        var indices = [Int](repeating: 0, count: s.outer * s.inner)
        let src = storage.pointer, dst = values.storage.pointer
        for o in 0..<s.outer {
            for j in 0..<s.inner {
                var best = src[o * s.n * s.inner + j], bestK = 0
                if !best.isNaN {
                    for k in 1..<Swift.max(s.n, 1) {
                        let v = src[(o * s.n + k) * s.inner + j]
                        if v > best || v.isNaN { best = v; bestK = k; if v.isNaN { break } }
                    }
                }
                dst[o * s.inner + j] = best
                indices[o * s.inner + j] = bestK
            }
        }
        return (values, indices)
    }

    /// log Σ exp(x) along `axis`, stable: the maximum is subtracted first.
    /// Gradient: softmax(x) along the axis.
    public func logSumExp(axis: Int, keepDims: Bool = false) throws -> Tensor {
        let s = try split(axis: axis, keepDims: keepDims, op: "logsumexp")
        guard s.n > 0 else { throw TensorError.invalidArgument("logsumexp(): axis \(axis) has length 0") }
        var out = Tensor(uninitializedShape: s.outShape)
        let src = storage.pointer, dst = out.storage.pointer
        for o in 0..<s.outer {
            for j in 0..<s.inner {
                var m = -Float.infinity
                for k in 0..<s.n { m = Swift.max(m, src[(o * s.n + k) * s.inner + j]) }
                if !m.isFinite { dst[o * s.inner + j] = m; continue }
                var acc: Float = 0
                for k in 0..<s.n { acc += _expf(src[(o * s.n + k) * s.inner + j] - m) }
                dst[o * s.inner + j] = m + _logf(acc)
            }
        }
        let x = self
        return out.recorded("logsumexp", self) { g in
            // d lse / dx = exp(x - lse)
            var gx = Tensor(uninitializedShape: x.shape)
            let xp = x.storage.pointer, lp = out.storage.pointer, gp = g.storage.pointer, dp = gx.storage.pointer
            for o in 0..<s.outer {
                for k in 0..<s.n {
                    for j in 0..<s.inner {
                        let i = (o * s.n + k) * s.inner + j
                        dp[i] = gp[o * s.inner + j] * _expf(xp[i] - lp[o * s.inner + j])
                    }
                }
            }
            return gx
        }
    }
}
