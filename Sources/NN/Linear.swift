import Tensors

/// A fully connected layer, y = x·W + b, with W: [in, out] and b: [out].
///
/// Initialisation matches PyTorch's `nn.Linear`: every entry of W and b is
/// drawn from U(−1/√in, 1/√in) (Kaiming-uniform with a = √5 gives that bound
/// for W).
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let inFeatures: Int, outFeatures: Int

    public init<G: SeededRandomSource>(_ inFeatures: Int, _ outFeatures: Int, name: String = "linear", using rng: inout G) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear needs positive sizes, got \(inFeatures) → \(outFeatures)")
        let bound = 1 / Float(inFeatures).squareRoot()
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter("\(name).weight", Tensor.randomUniform([inFeatures, outFeatures], low: -bound, high: bound, using: &rng))
        bias = Parameter("\(name).bias", Tensor.randomUniform([outFeatures], low: -bound, high: bound, using: &rng))
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Tensor.affine(x, weight: weight.value, bias: bias.value)
    }

    /// `activation(x·W + b)` as one fused operation.
    public func callAsFunction(_ x: Tensor, activation: Activation) throws -> Tensor {
        try Tensor.affine(x, weight: weight.value, bias: bias.value, activation: activation)
    }
}

/// A multilayer perceptron: Linear layers with an activation between them and
/// none after the last (it produces logits). Each layer and its activation
/// run as one fused operation (`Tensor.affine`).
///
/// `MLP([64, 128, 128, 5], activation: .relu, using: &rng)` is
/// 64 → 128 → ReLU → 128 → ReLU → 5.
public final class MLP: Layer {
    public let layers: [Linear]
    public let activation: Activation
    public let sizes: [Int]

    public init<G: SeededRandomSource>(_ sizes: [Int], activation: Activation = .relu, using rng: inout G) {
        precondition(sizes.count >= 2, "an MLP needs at least input and output sizes, got \(sizes)")
        self.sizes = sizes
        self.activation = activation
        var layers: [Linear] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear(sizes[i], sizes[i + 1], name: "layer\(i)", using: &rng))
        }
        self.layers = layers
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = try layer(h, activation: i < layers.count - 1 ? activation : .identity)
        }
        return h
    }

    /// The activations of the last hidden layer (the input to the output layer).
    public func hidden(_ x: Tensor) throws -> Tensor {
        var h = x
        for layer in layers.dropLast() { h = try layer(h, activation: activation) }
        return h
    }
}
