extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// A tensor with every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(formatShape(shape))")
        return Tensor(shape: shape, storage: Storage(count: shapeProduct(shape), repeating: value))
    }

    /// A tensor of zeros with `other`'s shape.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// `start, start + step, …` up to but excluding `end`, like `numpy.arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TensorError.invalidArgument("arange: start, end and step must be finite and step non-zero")
        }
        let exact = (Double(end) - Double(start)) / Double(step)
        let count = Swift.max(0, Int(exact.rounded(.up)))
        var out = Tensor(uninitializedShape: [count])
        for i in 0..<count { out.storage.pointer[i] = Float(Double(start) + Double(i) * Double(step)) }
        return out
    }

    /// Samples from a normal distribution N(mean, std²).
    public static func randomNormal<G: SeededRandomSource>(
        _ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout G
    ) -> Tensor {
        var out = Tensor(uninitializedShape: shape)
        rng.fillNormal(out.storage.buffer, mean: mean, std: std)
        return out
    }

    /// Samples uniformly from `[low, high)`.
    public static func randomUniform<G: SeededRandomSource>(
        _ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout G
    ) -> Tensor {
        var out = Tensor(uninitializedShape: shape)
        let p = out.storage.pointer
        let width = high - low
        for i in 0..<out.count { p[i] = low + width * rng.nextUnitFloat() }
        return out
    }
}
