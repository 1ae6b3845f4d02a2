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
            throw RLError("policy(): needs at least one feature, two classes and positive hidden sizes")
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

    /// Samples `g` answers per row from softmax(logits / temperature). Returns
    /// answers `[n][g]` and their log-probabilities under that distribution.
    public func sample(_ x: Tensor, g: Int, temperature: Float, using rng: inout SeededGenerator) throws -> (answers: [[Int]], logProbs: [[Float]]) {
        let logits = try Autodiff.withoutGradients { try model(x) }
        let logp = try (logits * (1 / temperature)).logSoftmax()
        let n = x.shape[0], k = classCount
        var answers = [[Int]](), logProbs = [[Float]]()
        answers.reserveCapacity(n)
        logp.withUnsafeBufferPointer { lp in
            var probs = [Float](repeating: 0, count: k)
            for i in 0..<n {
                for c in 0..<k { probs[c] = _expf(lp[i * k + c]) }
                var a: [Int] = [], l: [Float] = []
                for _ in 0..<g {
                    let c = rng.nextCategorical(weights: probs)
                    a.append(c)
                    l.append(lp[i * k + c])
                }
                answers.append(a)
                logProbs.append(l)
            }
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
