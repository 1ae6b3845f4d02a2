import Tensors

/// A trainable tensor with a name. Layers own their parameters; optimizers
/// update `value` in place between steps, keeping it a leaf of the autodiff
/// graph so the next forward pass records gradients for it.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public var value: Tensor

    public init(_ name: String, _ initial: Tensor) {
        self.name = name
        self.value = initial.detached().requiringGrad(name)
    }

    /// The gradient accumulated by the last `backward()`, if any.
    public var grad: Tensor? { value.grad }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { value.zeroGrad() }

    public var shape: [Int] { value.shape }
}

/// Anything with parameters that maps a batch of inputs to outputs.
public protocol Layer: AnyObject {
    /// Every parameter, in a fixed order (saving and loading rely on it).
    var parameters: [Parameter] { get }
    /// `x: [batch, inFeatures]` → `[batch, outFeatures]`.
    func callAsFunction(_ x: Tensor) throws -> Tensor
}

extension Layer {
    /// Total number of scalars in the parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}
