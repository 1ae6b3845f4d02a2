import CKernels
/// Matrix products through OpenBLAS `sgemm`.
extension Tensor {
    /// The matrix product of two 2-D tensors, optionally transposing either
    /// operand without copying it: `op(self) @ op(other)` where `op` is the
    /// transpose when its flag is set.
    ///
    /// Backward (for C = A·B): dA = dC·Bᵀ and dB = Aᵀ·dC, again as sgemm calls
    /// with transpose flags, so no transposed copy is ever made.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Tensor {
        let a = self, b = other
        guard a.rank == 2, b.rank == 2 else {
            throw TensorError.shapeMismatch(op: "matmul", a.shape, b.shape, reason: "must both be 2-D (matrices)")
        }
        let m = transposeSelf ? a.shape[1] : a.shape[0]
        let k = transposeSelf ? a.shape[0] : a.shape[1]
        let k2 = transposeOther ? b.shape[1] : b.shape[0]
        let n = transposeOther ? b.shape[0] : b.shape[1]
        guard k == k2 else {
            throw TensorError.shapeMismatch(
                op: "matmul", a.shape, b.shape,
                reason: "are not aligned: inner dimensions \(k) and \(k2) differ")
        }
        var c = Tensor(uninitializedShape: [m, n])
        if k == 0 { c.storage.pointer.update(repeating: 0, count: c.count) }
        BLAS.sgemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                   alpha: 1, a: a.storage.pointer, b: b.storage.pointer, beta: 0, c: c.storage.pointer)
        let tA = transposeSelf, tB = transposeOther
        return c.recorded("matmul", a, b) { g, needA, needB in
            let ad = a.detached(), bd = b.detached()
            var ga: Tensor?, gb: Tensor?
            switch (tA, tB) {
            case (false, false):
                if needA { ga = try g.matmul(bd, transposeOther: true) }
                if needB { gb = try ad.matmul(g, transposeSelf: true) }
            case (false, true):
                if needA { ga = try g.matmul(bd) }
                if needB { gb = try g.matmul(ad, transposeSelf: true) }
            case (true, false):
                if needA { ga = try bd.matmul(g, transposeOther: true) }
                if needB { gb = try ad.matmul(g) }
            case (true, true):
                if needA { ga = try bd.matmul(g, transposeSelf: true, transposeOther: true) }
                if needB { gb = try g.matmul(ad, transposeSelf: true, transposeOther: true) }
            }
            return (ga, gb)
        }
    }

    /// `a @ b`.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.matmul(b) }

    /// An affine map followed by an optional activation,
    /// `activation(x @ weight + bias)`, for `x: [n, in]`, `weight: [in, out]`,
    /// `bias: [out]`, as one fused operation: the bias is written first,
    /// sgemm accumulates onto it (beta = 1), and the activation is applied in
    /// place. Backward makes one pass that multiplies the incoming gradient by
    /// the activation's derivative and sums the bias gradient, then two sgemm
    /// calls: dx = g'·Wᵀ, dW = xᵀ·g'.
    public static func affine(
        _ x: Tensor, weight w: Tensor, bias b: Tensor, activation: Activation = .identity
    ) throws -> Tensor {
        guard x.rank == 2, w.rank == 2, x.shape[1] == w.shape[0] else {
            throw TensorError.shapeMismatch(op: "linear", x.shape, w.shape, reason: "are not aligned: expected x [n, in] and weight [in, out]")
        }
        let n = x.shape[0], inF = w.shape[0], outF = w.shape[1]
        guard b.shape == [outF] else {
            throw TensorError.shapeMismatch(op: "linear", w.shape, b.shape, reason: "disagree: bias must be [\(outF)]")
        }
        var y = Tensor(uninitializedShape: [n, outF])
        let yp = y.storage.pointer, bp = b.storage.pointer
        for r in 0..<n { (yp + r * outF).update(from: bp, count: outF) }
        BLAS.sgemm(transposeA: false, transposeB: false, m: n, n: outF, k: inF,
                   alpha: 1, a: x.storage.pointer, b: w.storage.pointer, beta: 1, c: yp)
        // GELU's derivative needs the pre-activation; the others use the output.
        let preActivation: Tensor? = activation == .gelu ? Tensor(shape: y.shape, storage: Storage(copying: y.storage)) : nil
        activation.applyInPlace(yp, count: y.count)
        let output = y
        return y.recorded("linear", [x, w, b]) { g in
            var gz = Tensor(uninitializedShape: g.shape)
            var gb = Tensor.zeros([outF])
            activation.backward(
                gradient: g.storage.pointer, output: output.storage.pointer,
                preActivation: preActivation?.storage.pointer, into: gz.storage.pointer,
                biasGradient: gb.storage.pointer, rows: n, columns: outF)
            if x.requiresGrad && w.requiresGrad {
                // dx = g'·Wᵀ and dW = xᵀ·g' are independent: one per thread.
                let gx = Tensor(uninitializedShape: [n, inF]), gw = Tensor(uninitializedShape: [inF, outF])
                BLAS.sgemmPair(
                    .init(transposeA: false, transposeB: true, m: n, n: inF, k: outF,
                          a: gz.storage.pointer, b: w.storage.pointer, c: gx.storage.pointer),
                    .init(transposeA: true, transposeB: false, m: inF, n: outF, k: n,
                          a: x.storage.pointer, b: gz.storage.pointer, c: gw.storage.pointer))
                if n == 0 { gw.storage.pointer.update(repeating: 0, count: gw.count) }
                if outF == 0 { gx.storage.pointer.update(repeating: 0, count: gx.count) }
                return [gx, gw, b.requiresGrad ? gb : nil]
            }
            let gx = x.requiresGrad ? try gz.matmul(w.detached(), transposeOther: true) : nil
            let gw = w.requiresGrad ? try x.detached().matmul(gz, transposeSelf: true) : nil
            return [gx, gw, b.requiresGrad ? gb : nil]
        }
    }
}

/// Activations that `Tensor.affine` fuses into a linear layer.
public enum Activation: String, CaseIterable, Sendable {
    case identity, relu, tanh, gelu

    /// The code of the C kernels in CKernels, or nil where Swift does the work.
    private var kernelCode: Int32? {
        switch self {
        case .identity: return Int32(FG_ACT_IDENTITY)
        case .relu: return Int32(FG_ACT_RELU)
        case .tanh: return Int32(FG_ACT_TANH)
        case .gelu: return nil
        }
    }

    func applyInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        if let code = kernelCode {
            fg_activation_forward(p, count, code)
        } else {
            for i in 0..<count { p[i] = p[i] * 0.5 * (1 + _erff(p[i] * 0.70710678118654752)) }
        }
    }

    /// gz = g ⊙ f'(z) row by row, and biasGradient = Σ_rows gz, in one pass.
    func backward(
        gradient g: UnsafeMutablePointer<Float>, output y: UnsafeMutablePointer<Float>,
        preActivation z: UnsafeMutablePointer<Float>?, into gz: UnsafeMutablePointer<Float>,
        biasGradient gb: UnsafeMutablePointer<Float>, rows: Int, columns: Int
    ) {
        if let code = kernelCode {
            fg_activation_backward(g, y, gz, gb, rows, columns, code)
            return
        }
        for r in 0..<rows {
            let o = r * columns
            switch self {
            case .identity, .relu, .tanh:
                break  // handled by the C kernel above
            case .gelu:
                for j in 0..<columns {
                    let x = z![o + j]
                    let cdf = 0.5 * (1 + _erff(x * 0.70710678118654752))
                    let pdf = 0.39894228040143268 * _expf(-0.5 * x * x)
                    let v = g[o + j] * (cdf + x * pdf)
                    gz[o + j] = v; gb[j] += v
                }
            }
        }
    }

    /// The activation as an ordinary (unfused) tensor operation.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .tanh: return x.tanh()
        case .gelu: return x.gelu()
        }
    }
}
