import Foundation
import NN
import Tensors

/// A categorical diagnosis policy: logits over the classes given a prompt's
/// features, from a linear map (no hidden layers) or an MLP. It samples G
/// answers per prompt at a temperature, gives log-probabilities, predicts
/// greedily, and keeps a frozen reference copy for the KL penalty.
public final class Policy: @unchecked Sendable {
    public let model: MLP
    /// The frozen reference (the policy as created), for KL(π ‖ π_ref).
    public private(set) var reference: MLP
    public let inputCount: Int, classCount: Int
    public let hidden: [Int]
    public let activation: Activation

    public init(inputs: Int, classes: Int, hidden: [Int], activation: Activation = .relu, seed: UInt64) throws {
        guard inputs >= 1, classes >= 2, hidden.allSatisfy({ $0 >= 1 }) else {
            throw RLError("needs at least one feature, two classes and positive hidden sizes")
        }
        guard let count = Policy.parameterCount(inputs: inputs, classes: classes, hidden: hidden),
              count <= Policy.maximumParameters else {
            throw RLError("layers \(([inputs] + hidden + [classes]).map(String.init).joined(separator: "→")) need more than \(Policy.maximumParameters) parameters")
        }
        self.inputCount = inputs
        self.classCount = classes
        self.hidden = hidden
        self.activation = activation
        var rng = SeededGenerator(seed: seed)
        model = MLP([inputs] + hidden + [classes], activation: activation, using: &rng)
        var copy = SeededGenerator(seed: seed)
        reference = MLP([inputs] + hidden + [classes], activation: activation, using: &copy)
    }

    /// Most weights and biases a policy may have (checked before anything is
    /// allocated): 2^26 floats, 256 MB per copy, and training keeps four
    /// (the model, the reference, two optimizer moments).
    public static let maximumParameters = 1 << 26

    /// Weights and biases of the layers, or nil when the count overflows.
    public static func parameterCount(inputs: Int, classes: Int, hidden: [Int]) -> Int? {
        let sizes = [inputs] + hidden + [classes]
        var total = 0
        for (a, b) in zip(sizes, sizes.dropFirst()) {
            let (w, o1) = a.multipliedReportingOverflow(by: b)
            let (layer, o2) = w.addingReportingOverflow(b)
            let (sum, o3) = total.addingReportingOverflow(layer)
            if o1 || o2 || o3 { return nil }
            total = sum
        }
        return total
    }

    /// Makes the current parameters the new reference.
    public func resetReference() {
        for (r, p) in zip(reference.parameters, model.parameters) { r.value = p.value.detached().requiringGrad(r.name) }
    }

    /// `x: [n, inputs]` → logits `[n, classes]` (recorded for gradients).
    public func logits(_ x: Tensor) throws -> Tensor { try model(x) }

    /// Greedy answers (argmax of the logits), without recording.
    public func predict(_ x: Tensor) throws -> [Int] {
        let logits = try Autodiff.withoutGradients { try model(x) }
        return try logits.argmax(axis: 1).scalars.map { Int($0) }
    }

    /// Greedy answers and the class probabilities softmax(logits) (n × classes, row-major),
    /// from one forward pass: what a calibration check needs.
    public func predictWithProbabilities(_ x: Tensor) throws -> (predictions: [Int], probabilities: [Double]) {
        let logits = try Autodiff.withoutGradients { try model(x) }
        let predictions = try logits.argmax(axis: 1).scalars.map { Int($0) }
        // Softmax in Double, so each row sums to 1 within rounding whatever the logits' scale.
        let k = classCount, z = logits.scalars
        var probabilities = [Double](repeating: 0, count: z.count)
        for r in 0..<(z.count / k) {
            var top = -Double.infinity
            for c in 0..<k { top = max(top, Double(z[r * k + c])) }
            var total = 0.0
            for c in 0..<k {
                let e = Foundation.exp(Double(z[r * k + c]) - top)
                probabilities[r * k + c] = e
                total += e
            }
            for c in 0..<k { probabilities[r * k + c] /= total }
        }
        return (predictions, probabilities)
    }

    /// Samples `g` answers per row from softmax(logits / temperature). Returns
    /// answers `[n][g]` and their log-probabilities under that distribution.
    public func sample(_ x: Tensor, g: Int, temperature: Float, using rng: inout SeededGenerator) throws -> (answers: [[Int]], logProbs: [[Float]]) {
        try sample(logits: try Autodiff.withoutGradients { try model(x) }, g: g, temperature: temperature, using: &rng)
    }

    /// Samples `g` answers per row from softmax(logits / temperature), given
    /// logits `[n, classes]` this policy computed (e.g. in a recorded forward
    /// pass that the loss reuses).
    public func sample(logits: Tensor, g: Int, temperature: Float, using rng: inout SeededGenerator) throws -> (answers: [[Int]], logProbs: [[Float]]) {
        let flat = try sampleFlat(logits: logits, g: g, temperature: temperature, using: &rng)
        let n = logits.shape[0]
        return ((0..<n).map { Array(flat.answers[($0 * g)..<(($0 + 1) * g)]) },
                (0..<n).map { Array(flat.logProbs[($0 * g)..<(($0 + 1) * g)]) })
    }

    /// `sample(logits:…)` with the answers and log-probabilities laid end to
    /// end, `[n·g]` (rollout i belongs to row i / g): the same draws, without
    /// two arrays per row.
    public func sampleFlat(logits: Tensor, g: Int, temperature: Float, using rng: inout SeededGenerator) throws -> (answers: [Int], logProbs: [Float]) {
        let logp = try Autodiff.withoutGradients { try (logits.detached() * (1 / temperature)).logSoftmax() }
        let n = logits.shape[0], k = classCount
        var answers = [Int](repeating: 0, count: n * g), logProbs = [Float](repeating: 0, count: n * g)
        var diverged = false
        logp.withUnsafeBufferPointer { lp in
            // The draws are SeededGenerator.nextCategorical's, unrolled for speed with the
            // same arithmetic (so the same answers for the same seed): u = U[0, 1) · Σw,
            // the first class whose running sum (in Double, in class order) exceeds u, or
            // the last class with positive weight if rounding leaves u past the end.
            var cumulative = [Double](repeating: 0, count: k)
            cumulative.withUnsafeMutableBufferPointer { cum in
                for i in 0..<n {
                    let row = lp.baseAddress! + i * k
                    var total = 0.0, lastPositive = 0
                    for c in 0..<k {
                        let w = Double(_expf(row[c]))
                        if w > 0 { lastPositive = c }
                        total += w
                        cum[c] = total
                    }
                    // Non-finite logits (diverged parameters) give NaN probabilities: nothing to sample from.
                    guard total > 0, total.isFinite else { diverged = true; return }
                    for j in (i * g)..<((i + 1) * g) {
                        let u = rng.nextUnitDouble() * total
                        var c = lastPositive
                        for t in 0..<k where u < cum[t] { c = t; break }
                        answers[j] = c
                        logProbs[j] = row[c]
                    }
                }
            }
        }
        if diverged {
            throw RLError("the policy's output probabilities are not finite (its parameters have diverged); nothing can be sampled")
        }
        return (answers, logProbs)
    }

    public var parameters: [Parameter] { model.parameters }
}

public struct RLError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _expf(_ x: Float) -> Float { Glibc.expf(x) }
#endif
