import Foundation
import Tensors
import TestSupport
import Testing

/// A small PPO-clip problem: n prompts, k classes, g rollouts each, with old
/// log-probabilities chosen so the ratios spread on both sides of the clip
/// range and keep away from its bounds (where the loss has kinks).
struct PolicyLossCase: Sendable, CustomStringConvertible {
    let n: Int, k: Int, g: Int
    let temperature: Float
    let beta: Float
    var description: String { "n \(n), k \(k), G \(g), T \(temperature), β \(beta)" }

    static let low: Float = 0.8, high: Float = 1.2

    var logits: Tensor { randomTensor([n, k], seed: 300 + UInt64(n * k * g)) }

    var answers: [Int] {
        var rng = SeededGenerator(seed: 301)
        return (0..<(n * g)).map { _ in rng.nextIndex(below: k) }
    }

    /// ln ρ for each rollout: ratios 0.61, 0.90, 1.05, 1.35, 1.82 in turn.
    static let logRatios: [Float] = [-0.5, -0.1, 0.05, 0.3, 0.6]

    /// Old log-probabilities logp − ln ρ, from the current log-probabilities.
    func oldLogProbs(_ logits: Tensor) throws -> Tensor {
        let logp = try Tensor.sampledLogProbs(logits: logits, temperature: temperature, generations: g, answers: answers)
        let s = logp.scalars
        return Tensor((0..<s.count).map { s[$0] - Self.logRatios[$0 % Self.logRatios.count] })
    }

    var advantages: Tensor {
        var rng = SeededGenerator(seed: 302)
        // Both signs, away from zero.
        return Tensor((0..<(n * g)).map { i in (i % 3 == 0 ? -1 : 1) * (0.3 + rng.nextUnitFloat()) })
    }

    var reference: Tensor? {
        guard beta > 0 else { return nil }
        var rng = SeededGenerator(seed: 303)
        return Tensor((0..<(n * g)).map { _ in -1.5 + rng.nextUnitFloat() })
    }
}

/// The loss composed of primitives, as the trainer wrote it before the fused kernel.
func unfusedPolicyLoss(_ c: PolicyLossCase, logits: Tensor, old: Tensor) throws -> (loss: Tensor, ratio: Tensor, kl: Float?) {
    let rollouts = c.n * c.g
    let expand = (0..<rollouts).map { $0 / c.g }
    let index = try Tensor(shape: [rollouts, 1], scalars: c.answers.map(Float.init))
    let adv = c.advantages
    let logp = try (logits * (1 / c.temperature)).take(expand, axis: 0).logSoftmax()
        .takeAlong(axis: 1, indices: index).reshaped([rollouts])
    let ratio = try (logp - old).exp()
    let surrogate = try Tensor.minimum(try ratio * adv, try ratio.clamped(min: PolicyLossCase.low, max: PolicyLossCase.high) * adv)
    var loss = try -surrogate.mean()
    var kl: Float?
    if let ref = c.reference {
        let d = try ref - logp
        let k3 = try d.exp() - d - 1
        loss = try loss + (try k3.mean() * c.beta)
        kl = try k3.mean().item()
    }
    return (loss, ratio, kl)
}

@Suite("Fused PPO-clip policy loss")
struct PolicyLossTests {
    static let cases = [
        PolicyLossCase(n: 4, k: 5, g: 3, temperature: 1, beta: 0),
        PolicyLossCase(n: 3, k: 4, g: 5, temperature: 0.7, beta: 0),
        PolicyLossCase(n: 5, k: 3, g: 2, temperature: 1.3, beta: 0.04),
        PolicyLossCase(n: 2, k: 6, g: 8, temperature: 1, beta: 0.5),
    ]

    @Test("bit-identical to the composition of primitives: loss, ratios, KL and gradient", arguments: cases)
    func matchesComposition(_ c: PolicyLossCase) throws {
        let base = c.logits
        let old = try c.oldLogProbs(base)

        let a = base.requiringGrad()
        let fused = try Tensor.clippedPolicyLoss(
            logits: a, temperature: c.temperature, generations: c.g, answers: c.answers, oldLogProbs: old,
            advantages: c.advantages, low: PolicyLossCase.low, high: PolicyLossCase.high, referenceLogProbs: c.reference, beta: c.beta)
        try fused.loss.backward()

        let b = base.requiringGrad()
        let composed = try unfusedPolicyLoss(c, logits: b, old: old)
        try composed.loss.backward()

        #expect(try fused.loss.item() == composed.loss.item())
        #expect(fused.ratios.scalars == composed.ratio.scalars)
        #expect(fused.klMean == composed.kl)
        let ga = try #require(a.grad), gb = try #require(b.grad)
        #expect(ga.scalars == gb.scalars, "gradients differ: \(ga.scalars) vs \(gb.scalars)")
        // The case must exercise both the clipped and unclipped branches.
        let r = fused.ratios.scalars
        #expect(r.contains { $0 < PolicyLossCase.low } && r.contains { $0 > PolicyLossCase.high })
        #expect(r.contains { $0 > PolicyLossCase.low && $0 < PolicyLossCase.high })
    }

    @Test("gradient matches finite differences of a float64 reference", arguments: cases)
    func finiteDifferences(_ c: PolicyLossCase) throws {
        let logits = c.logits
        let old = try c.oldLogProbs(logits)
        let answers = c.answers, adv = c.advantages.scalars.map(Double.init)
        let oldD = old.scalars.map(Double.init), ref = c.reference?.scalars.map(Double.init)
        let low = Double(PolicyLossCase.low), high = Double(PolicyLossCase.high)
        try checkGradients([logits], { x in
            try Tensor.clippedPolicyLoss(
                logits: x[0], temperature: c.temperature, generations: c.g, answers: answers, oldLogProbs: old,
                advantages: c.advantages, low: PolicyLossCase.low, high: PolicyLossCase.high,
                referenceLogProbs: c.reference, beta: c.beta).loss
        }) { x in
            let z = x[0], t = Double(c.temperature)
            var surrogate = 0.0, kl = 0.0
            for i in 0..<(c.n * c.g) {
                let row = (0..<c.k).map { z[(i / c.g) * c.k + $0] / t }
                let m = row.max()!
                let logp = row[answers[i]] - m - Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
                let r = Foundation.exp(logp - oldD[i])
                surrogate += min(r * adv[i], min(max(r, low), high) * adv[i])
                if let ref {
                    let d = ref[i] - logp
                    kl += Foundation.exp(d) - d - 1
                }
            }
            let count = Double(c.n * c.g)
            return [-surrogate / count + Double(c.beta) * kl / count]
        }
    }

    @Test("sampled log-probabilities equal log-softmax rows gathered per rollout")
    func sampledLogProbs() throws {
        let logits = try Tensor([[1, 2, 3], [0.5, -1, 2]])
        let lp = try Tensor.sampledLogProbs(logits: logits, temperature: 2, generations: 2, answers: [2, 0, 1, 1])
        func ls(_ row: [Double], _ j: Int) -> Double {
            let s = row.map { $0 / 2 }
            return s[j] - Foundation.log(s.reduce(0) { $0 + Foundation.exp($1) })
        }
        expectClose(lp, [ls([1, 2, 3], 2), ls([1, 2, 3], 0), ls([0.5, -1, 2], 1), ls([0.5, -1, 2], 1)])
    }

    @Test("bad arguments are reported, naming what is wrong")
    func errors() throws {
        let logits = Tensor.zeros([2, 3])
        let v = Tensor.zeros([4])
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return ""
        }
        #expect(message { _ = try Tensor.sampledLogProbs(logits: logits, temperature: 1, generations: 2, answers: [0, 1, 2]) }
            .contains("need 4 answers, got 3"))
        #expect(message { _ = try Tensor.sampledLogProbs(logits: logits, temperature: 1, generations: 2, answers: [0, 1, 3, 0]) }
            .contains("3"))
        #expect(message {
            _ = try Tensor.clippedPolicyLoss(logits: logits, temperature: 1, generations: 2, answers: [0, 1, 2, 0],
                                             oldLogProbs: Tensor.zeros([3]), advantages: v, low: 0.8, high: 1.2)
        }.contains("old log-probabilities must have 4 elements"))
        #expect(message {
            _ = try Tensor.clippedPolicyLoss(logits: Tensor.zeros([4]), temperature: 1, generations: 1, answers: [0, 1, 2, 0],
                                             oldLogProbs: v, advantages: v, low: 0.8, high: 1.2)
        }.contains("logits must be [prompts, classes]"))
    }
}
