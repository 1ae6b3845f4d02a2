import CKernels
import Tensors

/// Updates parameters from their gradients. Updates run without recording.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    var learningRate: Float { get set }
    /// One update from the current gradients (parameters without a gradient are left alone).
    func step()
}

extension Optimizer {
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// Scales all gradients together so their global L2 norm is at most
/// `maxNorm`, as PyTorch's `clip_grad_norm_` does (scale maxNorm / (norm + 1e-6)).
/// Returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.withUnsafeBufferPointer { for v in $0 { total += Double(v) * Double(v) } }
    }
    let norm = Float(total.squareRoot())
    if norm > maxNorm {
        let scale = maxNorm / (norm + 1e-6)
        for p in parameters { p.value.scaleGradient(by: scale) }
    }
    return norm
}

/// Runs `update(param, grad)` for each parameter that has a gradient, with
/// mutable access to the parameter's elements.
@inline(__always)
func forEachGradient(
    _ parameters: [Parameter],
    _ update: (Int, UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void
) {
    for (index, p) in parameters.enumerated() {
        guard let g = p.grad else { continue }
        g.withUnsafeBufferPointer { gb in
            p.value.withUnsafeMutableBufferPointer { pb in update(index, pb, gb) }
        }
    }
}

/// Stochastic gradient descent with optional momentum and L2 weight decay,
/// following PyTorch's `SGD` (no dampening):
/// g ← g + λp; b ← μb + g (b = g on the first step); p ← p − lr·b.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    /// Momentum buffers, one per parameter (empty until the first step).
    public var buffers: [[Float]]

    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.buffers = parameters.map { _ in [] }
    }

    public func step() {
        let lr = learningRate, mu = momentum, wd = weightDecay
        forEachGradient(parameters) { index, p, g in
            if mu == 0 {
                for i in 0..<p.count { p[i] -= lr * (g[i] + wd * p[i]) }
                return
            }
            let first = buffers[index].isEmpty
            if first { buffers[index] = [Float](repeating: 0, count: p.count) }
            buffers[index].withUnsafeMutableBufferPointer { b in
                for i in 0..<p.count {
                    let gi = g[i] + wd * p[i]
                    b[i] = first ? gi : mu * b[i] + gi
                    p[i] -= lr * b[i]
                }
            }
        }
    }
}

/// Adam (Kingma & Ba 2015) as in PyTorch. With `decoupledWeightDecay` it is
/// AdamW (Loshchilov & Hutter 2019): p ← p(1 − lr·λ) before the Adam update;
/// otherwise λ is an L2 term added to the gradient.
///
/// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
/// p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    /// First and second moments, one tensor per parameter. Copies share
    /// storage, and a step writes fresh buffers rather than copying shared
    /// ones first, so keeping the moments of earlier steps (e.g. to undo a
    /// step) costs no copy.
    public var moments: (first: [Tensor], second: [Tensor]) {
        get { (m, v) }
        set { (m, v) = newValue }
    }
    // Separate stored properties, so a step can update both in one access scope.
    private var m: [Tensor], v: [Tensor]
    /// The step count t.
    public var stepCount: Int = 0

    /// First moments, one array per parameter.
    public var firstMoments: [[Float]] {
        get { m.map(\.scalars) }
        set { m = newValue.map { Tensor($0) } }
    }

    /// Second moments, one array per parameter.
    public var secondMoments: [[Float]] {
        get { v.map(\.scalars) }
        set { v = newValue.map { Tensor($0) } }
    }

    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        let zeros = parameters.map { Tensor.zeros([$0.value.count]) }
        m = zeros
        v = zeros
    }

    /// AdamW with PyTorch's default decay of 0.01.
    public static func adamW(_ parameters: [Parameter], learningRate: Float = 1e-3, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters, learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        let correction1 = 1 - _pow(b1, t), correction2 = 1 - _pow(b2, t)
        let stepSize = lr / correction1
        let rootCorrection2 = correction2.squareRoot()
        let decoupled = decoupledWeightDecay
        for (index, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            g.withUnsafeBufferPointer { g in
                p.value.updateEveryElement { pIn, pOut in
                    m[index].updateEveryElement { mIn, mOut in
                        v[index].updateEveryElement { vIn, vOut in
                            fg_adam_update_into(pIn.baseAddress!, g.baseAddress!, mIn.baseAddress!, vIn.baseAddress!,
                                                pOut.baseAddress!, mOut.baseAddress!, vOut.baseAddress!, pIn.count,
                                                stepSize, b1, b2, eps, 1 / rootCorrection2,
                                                decoupled ? 0 : wd, decoupled ? 1 - lr * wd : 1)
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _pow(_ x: Float, _ y: Float) -> Float { Glibc.powf(x, y) }
#endif
