/// Elementwise functions of one tensor, each with its derivative.
extension Tensor {
    /// Applies `f` to every element into a new tensor. The closure is inlined
    /// into a plain loop, which the compiler vectorises for arithmetic.
    @inline(__always)
    func mapped(_ f: (Float) -> Float) -> Tensor {
        var out = Tensor(uninitializedShape: shape)
        let src = storage.pointer, dst = out.storage.pointer
        for i in 0..<count { dst[i] = f(src[i]) }
        return out
    }

    /// Combines two tensors of identical shape elementwise.
    @inline(__always)
    static func zipped(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        var out = Tensor(uninitializedShape: a.shape)
        let pa = a.storage.pointer, pb = b.storage.pointer, dst = out.storage.pointer
        for i in 0..<a.count { dst[i] = f(pa[i], pb[i]) }
        return out
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x.mapped { -$0 }.recorded("neg", x) { g in -g }
    }

    /// e^x.
    public func exp() -> Tensor {
        let y = mapped(_expf)
        return y.recorded("exp", self) { g in Tensor.zipped(g, y) { $0 * $1 } }
    }

    /// Natural logarithm (−inf at 0, NaN below).
    public func log() -> Tensor {
        let x = self
        return mapped(_logf).recorded("log", self) { g in Tensor.zipped(g, x) { $0 / $1 } }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let y = mapped { $0.squareRoot() }
        return y.recorded("sqrt", self) { g in Tensor.zipped(g, y) { $0 * 0.5 / $1 } }
    }

    /// x².
    public func squared() -> Tensor {
        let x = self
        return mapped { $0 * $0 }.recorded("square", self) { g in Tensor.zipped(g, x) { 2 * $0 * $1 } }
    }

    /// |x|; the derivative at 0 is taken as 0.
    public func abs() -> Tensor {
        let x = self
        return mapped { Swift.abs($0) }.recorded("abs", self) { g in
            Tensor.zipped(g, x) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }
        }
    }

    /// x raised to a constant power.
    public func pow(_ p: Float) -> Tensor {
        let x = self
        return mapped { _powf($0, p) }.recorded("pow", self) { g in
            Tensor.zipped(g, x) { $0 * p * _powf($1, p - 1) }
        }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let y = mapped(_tanhf)
        return y.recorded("tanh", self) { g in Tensor.zipped(g, y) { $0 * (1 - $1 * $1) } }
    }

    /// Logistic sigmoid 1 / (1 + e^−x), computed without overflow.
    public func sigmoid() -> Tensor {
        let y = mapped { x in
            x >= 0 ? 1 / (1 + _expf(-x)) : { let e = _expf(x); return e / (1 + e) }()
        }
        return y.recorded("sigmoid", self) { g in Tensor.zipped(g, y) { $0 * $1 * (1 - $1) } }
    }

    /// max(x, 0); the derivative at 0 is taken as 0.
    public func relu() -> Tensor {
        let y = mapped { $0 > 0 ? $0 : 0 }
        return y.recorded("relu", self) { g in Tensor.zipped(g, y) { $1 > 0 ? $0 : 0 } }
    }

    /// Gaussian error linear unit, exact form x·Φ(x) with Φ the standard normal
    /// CDF (PyTorch's default `approximate='none'`).
    public func gelu() -> Tensor {
        let x = self
        let y = mapped { $0 * 0.5 * (1 + _erff($0 * 0.70710678118654752)) }
        return y.recorded("gelu", self) { g in
            Tensor.zipped(g, x) { g, x in
                let cdf = 0.5 * (1 + _erff(x * 0.70710678118654752))
                let pdf = 0.39894228040143268 * _expf(-0.5 * x * x)
                return g * (cdf + x * pdf)
            }
        }
    }

    /// Limits every element to `[low, high]`; the gradient is zero outside.
    public func clamped(min low: Float, max high: Float) -> Tensor {
        let x = self
        return mapped { Swift.min(Swift.max($0, low), high) }.recorded("clamp", self) { g in
            Tensor.zipped(g, x) { ($1 >= low && $1 <= high) ? $0 : 0 }
        }
    }

    // MARK: Tensor–scalar arithmetic (never fails on shape)

    public static func + (x: Tensor, s: Float) -> Tensor { x.mapped { $0 + s }.recorded("add_scalar", x) { $0 } }
    public static func + (s: Float, x: Tensor) -> Tensor { x + s }
    public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }
    public static func - (s: Float, x: Tensor) -> Tensor { (-x) + s }
    public static func * (x: Tensor, s: Float) -> Tensor {
        x.mapped { $0 * s }.recorded("mul_scalar", x) { g in g.mapped { $0 * s } }
    }
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }
    public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }
    public static func / (s: Float, x: Tensor) -> Tensor {
        let y = x.mapped { s / $0 }
        return y.recorded("rdiv_scalar", x) { g in Tensor.zipped(g, Tensor.zipped(y, x) { $0 / $1 }) { -$0 * $1 } }
    }
}
