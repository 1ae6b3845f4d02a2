/// Softmax, log-softmax and cross-entropy along the last axis.
///
/// These are fused kernels rather than compositions of primitives: each makes
/// one pass per row with the row maximum subtracted (so `exp` never
/// overflows), and each has its own backward rule, checked against finite
/// differences like every primitive.
extension Tensor {
    /// Rows of the last axis: (number of rows, row length).
    private func rows(op: String) throws -> (Int, Int) {
        guard rank >= 1 else { throw TensorError.invalidArgument("\(op): needs at least one dimension, got a scalar") }
        let c = shape[rank - 1]
        guard c > 0 else { throw TensorError.invalidArgument("\(op): the last axis is empty") }
        return (count / c, c)
    }

    /// Writes log-softmax of each row of `src` into `dst`.
    static func logSoftmaxRows(_ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, columns c: Int) {
        for r in 0..<rows {
            let x = src + r * c, y = dst + r * c
            var m = x[0]
            for j in 1..<c { m = Swift.max(m, x[j]) }
            var acc: Float = 0
            for j in 0..<c { acc += _expf(x[j] - m) }
            // (x − m) − log Σ is exact in its first step; x − (m + log Σ) would
            // round m + log Σ to the spacing of m (6e-5 at |m| = 1000).
            let logAcc = _logf(acc)
            for j in 0..<c { y[j] = (x[j] - m) - logAcc }
        }
    }

    /// Softmax along the last axis. Backward: dx = y ⊙ (g − Σ g⊙y).
    public func softmax() throws -> Tensor {
        let (n, c) = try rows(op: "softmax")
        var y = Tensor(uninitializedShape: shape)
        Tensor.logSoftmaxRows(storage.pointer, y.storage.pointer, rows: n, columns: c)
        let p = y.storage.pointer
        for i in 0..<count { p[i] = _expf(p[i]) }
        let probs = y
        return y.recorded("softmax", self) { g in
            var gx = Tensor(uninitializedShape: probs.shape)
            let gp = g.storage.pointer, yp = probs.storage.pointer, dp = gx.storage.pointer
            for r in 0..<n {
                var dot: Float = 0
                for j in 0..<c { dot += gp[r * c + j] * yp[r * c + j] }
                for j in 0..<c { dp[r * c + j] = yp[r * c + j] * (gp[r * c + j] - dot) }
            }
            return gx
        }
    }

    /// log(softmax(x)) along the last axis. Backward: dx = g − softmax(x)·Σg.
    public func logSoftmax() throws -> Tensor {
        let (n, c) = try rows(op: "log_softmax")
        var y = Tensor(uninitializedShape: shape)
        Tensor.logSoftmaxRows(storage.pointer, y.storage.pointer, rows: n, columns: c)
        let logp = y
        return y.recorded("log_softmax", self) { g in
            var gx = Tensor(uninitializedShape: logp.shape)
            let gp = g.storage.pointer, lp = logp.storage.pointer, dp = gx.storage.pointer
            for r in 0..<n {
                var total: Float = 0
                for j in 0..<c { total += gp[r * c + j] }
                for j in 0..<c { dp[r * c + j] = gp[r * c + j] - _expf(lp[r * c + j]) * total }
            }
            return gx
        }
    }

    /// Mean softmax cross-entropy of `logits: [n, classes]` against integer
    /// class `targets` (n of them, each in 0..<classes), as a scalar.
    ///
    /// loss = −(1/n) Σ_i log softmax(logits_i)[targets_i];
    /// d loss / d logits = (softmax(logits) − onehot(targets)) / n.
    public static func crossEntropy(logits: Tensor, targets: [Int]) throws -> Tensor {
        guard logits.rank == 2 else {
            throw TensorError.invalidArgument("cross_entropy: logits must be [n, classes], got \(formatShape(logits.shape))")
        }
        let n = logits.shape[0], c = logits.shape[1]
        guard targets.count == n else {
            throw TensorError.shapeMismatch(op: "cross_entropy", logits.shape, [targets.count], reason: "disagree on the number of rows")
        }
        guard n > 0, c > 0 else { throw TensorError.invalidArgument("cross_entropy: empty logits \(formatShape(logits.shape))") }
        for (i, t) in targets.enumerated() where t < 0 || t >= c {
            throw TensorError.invalidArgument("cross_entropy: target \(t) at row \(i) is not a class in 0..<\(c)")
        }
        var logp = Tensor(uninitializedShape: logits.shape)
        logSoftmaxRows(logits.storage.pointer, logp.storage.pointer, rows: n, columns: c)
        var total: Double = 0
        for i in 0..<n { total -= Double(logp.storage.pointer[i * c + targets[i]]) }
        let loss = Tensor(scalar: Float(total / Double(n)))
        return loss.recorded("cross_entropy", logits) { g in
            let scale = g.storage.pointer[0] / Float(n)
            let lp = logp.storage.pointer
            var gx = Tensor(uninitializedShape: logits.shape)
            let dp = gx.storage.pointer
            for i in 0..<(n * c) { dp[i] = _expf(lp[i]) * scale }
            for i in 0..<n { dp[i * c + targets[i]] -= scale }
            return gx
        }
    }
}
