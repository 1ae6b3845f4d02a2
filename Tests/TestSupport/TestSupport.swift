import Tensors
import Testing

// Shared helpers for the Tensors and NN test suites: approximate comparison
// with a message naming the worst element, and a finite-difference gradient
// checker against an independent float64 reference.

// MARK: - Approximate comparison

/// The position of flat element `flat` in a row-major tensor of `shape`, e.g. `[1, 2]`.
public func multiIndex(_ flat: Int, shape: [Int]) -> [Int] {
    var index = [Int](repeating: 0, count: shape.count)
    var rest = flat
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}

/// Compares elementwise with `|actual − expected| ≤ atol + rtol·|expected|`
/// (NumPy's `isclose`). NaN matches only NaN, and infinities only themselves.
/// Returns nil when every element is close, otherwise a message naming the
/// worst element (the one exceeding its tolerance by the largest factor).
public func closenessFailure(
    _ actual: [Double], _ expected: [Double], shape: [Int]? = nil, rtol: Double, atol: Double
) -> String? {
    guard actual.count == expected.count else {
        return "element counts differ: got \(actual.count), expected \(expected.count)"
    }
    var worst: (index: Int, ratio: Double)? = nil
    var failures = 0
    for i in actual.indices {
        let a = actual[i], e = expected[i]
        let ratio: Double
        if a.isNaN || e.isNaN {
            ratio = a.isNaN && e.isNaN ? 0 : .infinity
        } else if a.isInfinite || e.isInfinite {
            ratio = a == e ? 0 : .infinity
        } else {
            let tolerance = atol + rtol * Swift.abs(e)
            let diff = Swift.abs(a - e)
            ratio = diff <= tolerance ? 0 : (tolerance > 0 ? diff / tolerance : .infinity)
        }
        if ratio > 0 {
            failures += 1
            if worst == nil || ratio > worst!.ratio { worst = (i, ratio) }
        }
    }
    guard let worst else { return nil }
    let i = worst.index
    let position = shape.map { "\(multiIndex(i, shape: $0))" } ?? "[\(i)]"
    let diff = Swift.abs(actual[i] - expected[i])
    let tolerance = atol + rtol * Swift.abs(expected[i])
    return "\(failures) of \(actual.count) elements differ; worst at \(position): got \(actual[i]), "
        + "expected \(expected[i]) (|difference| \(diff) > \(tolerance) = atol \(atol) + rtol \(rtol)·|expected|)"
}

/// Expects two tensors to have the same shape and elementwise close values.
public func expectClose(
    _ a: Tensor, _ b: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard a.shape == b.shape else {
        Issue.record("shapes differ: got \(formatShape(a.shape)), expected \(formatShape(b.shape))",
                     sourceLocation: sourceLocation)
        return
    }
    if let message = closenessFailure(a.scalars.map(Double.init), b.scalars.map(Double.init),
                                      shape: a.shape, rtol: rtol, atol: atol) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Expects a tensor's elements (row-major) to be close to `expected`.
public func expectClose(
    _ a: Tensor, _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let message = closenessFailure(a.scalars.map(Double.init), expected, shape: a.shape, rtol: rtol, atol: atol) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Expects two arrays to have equal lengths and elementwise close values.
public func expectClose(
    _ a: [Float], _ b: [Float], rtol: Double = 1e-5, atol: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let message = closenessFailure(a.map(Double.init), b.map(Double.init), rtol: rtol, atol: atol) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Expects two arrays to have equal lengths and elementwise close values.
public func expectClose(
    _ a: [Double], _ b: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let message = closenessFailure(a, b, rtol: rtol, atol: atol) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Expects two numbers to be close.
public func expectClose(
    _ a: Float, _ b: Float, rtol: Double = 1e-5, atol: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let message = closenessFailure([Double(a)], [Double(b)], rtol: rtol, atol: atol) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Expects two numbers to be close.
public func expectClose(
    _ a: Double, _ b: Double, rtol: Double = 1e-5, atol: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let message = closenessFailure([a], [b], rtol: rtol, atol: atol) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

// MARK: - Inputs

/// A tensor of N(0, 1) samples from a generator seeded with `seed`.
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape, std: scale, using: &rng)
}

/// A tensor of N(0, 1) samples pushed at least `margin` away from every
/// point in `kinks`, for functions that are not differentiable there.
public func randomTensor(_ shape: [Int], seed: UInt64, avoiding kinks: [Float], margin: Float = 0.05) -> Tensor {
    var t = randomTensor(shape, seed: seed)
    t.withUnsafeMutableBufferPointer { p in
        for i in p.indices {
            for k in kinks where Swift.abs(p[i] - k) < margin {
                p[i] = p[i] < k ? k - 2 * margin : k + 2 * margin
            }
        }
    }
    return t
}

/// A tensor with values uniform in `[low, high)`.
public func uniformTensor(_ shape: [Int], seed: UInt64, low: Float, high: Float) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomUniform(shape, low: low, high: high, using: &rng)
}

/// `t`'s elements as Double.
public func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }

// MARK: - Finite-difference gradient check

/// Checks a differentiable tensor function against an independent float64
/// reference implementation and central finite differences.
///
/// - `f` is the function under test, applied to `inputs` (each made a leaf with
///   `requiringGrad()`).
/// - `reference` computes the same function in Double from the inputs' elements
///   (row-major) with plain loops, returning the output's elements row-major.
///
/// The check has three parts:
/// 1. forward: `f(x)` must match `reference(x)` within rtol 1e-4, atol 1e-5;
/// 2. backward: with a fixed random weight tensor `w` of the output's shape
///    (|wᵢ| in [0.5, 1.5), random signs, so every output element contributes),
///    `sum(f(x) * w)` is backpropagated;
/// 3. each input's `grad` must match the central difference
///    `(L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h` of `L(x) = Σ w·reference(x)`, computed
///    entirely in Double with `h = 1e-4·max(1, |xᵢ|)`, within
///    **rtol 1e-3, atol 1e-4** (`|analytic − numeric| ≤ 1e-4 + 1e-3·|numeric|`).
///
/// Inputs must keep a distance larger than `h` from points where `f` is not
/// differentiable (ReLU at 0, ties of max/min, clamp bounds).
public func checkGradients(
    _ inputs: [Tensor],
    weightSeed: UInt64 = 0x9E37_79B9,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) throws -> Tensor,
    reference: ([[Double]]) -> [Double]
) throws {
    let leaves = inputs.map { $0.requiringGrad() }
    let output = try f(leaves)
    let x = inputs.map(doubles)

    // 1. Forward against the reference.
    let expected = reference(x)
    if let message = closenessFailure(doubles(output), expected, shape: output.shape, rtol: 1e-4, atol: 1e-5) {
        Issue.record(Comment(rawValue: "forward: " + message), sourceLocation: sourceLocation)
        return
    }

    // 2. Backward through a weighted sum. Weights have magnitudes in [0.5, 1.5)
    // and random signs, so no output element is (nearly) ignored.
    var rng = SeededGenerator(seed: weightSeed)
    var w = Tensor.randomUniform(output.shape, low: 0.5, high: 1.5, using: &rng)
    w.withUnsafeMutableBufferPointer { p in
        for i in p.indices where rng.nextIndex(below: 2) == 0 { p[i] = -p[i] }
    }
    let wd = doubles(w)
    try (output * w).sum().backward()

    // 3. Central differences of the weighted reference, in Double.
    func loss(_ xs: [[Double]]) -> Double {
        let y = reference(xs)
        var total = 0.0
        for i in y.indices { total += wd[i] * y[i] }
        return total
    }
    for (j, leaf) in leaves.enumerated() {
        guard let grad = leaf.grad else {
            Issue.record("input \(j) \(formatShape(leaf.shape)) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        guard grad.shape == leaf.shape else {
            Issue.record("input \(j): gradient shape \(formatShape(grad.shape)) differs from the input's \(formatShape(leaf.shape))",
                         sourceLocation: sourceLocation)
            continue
        }
        var numeric = [Double](repeating: 0, count: x[j].count)
        var probe = x
        for i in x[j].indices {
            let h = 1e-4 * Swift.max(1, Swift.abs(x[j][i]))
            probe[j][i] = x[j][i] + h
            let up = loss(probe)
            probe[j][i] = x[j][i] - h
            let down = loss(probe)
            probe[j][i] = x[j][i]
            numeric[i] = (up - down) / (2 * h)
        }
        if let message = closenessFailure(doubles(grad), numeric, shape: leaf.shape, rtol: 1e-3, atol: 1e-4) {
            Issue.record(Comment(rawValue: "gradient of input \(j) \(formatShape(leaf.shape)): " + message),
                         sourceLocation: sourceLocation)
        }
    }
}
