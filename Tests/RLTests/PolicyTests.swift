import Foundation
import RL
import Tensors
import Testing

@Suite("Policy sampling")
struct PolicyTests {
    @Test("sample draws exactly what SeededGenerator.nextCategorical draws from softmax(logits / T)")
    func sampleMatchesCategorical() throws {
        let policy = try Policy(inputs: 6, classes: 7, hidden: [9], seed: 3)
        var data = SeededGenerator(seed: 11)
        let x = Tensor.randomNormal([50, 6], using: &data) * 3
        for temperature: Float in [1, 0.3, 2.5] {
            var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
            let (answers, logProbs) = try policy.sample(x, g: 12, temperature: temperature, using: &a)
            let logp = try (try Autodiff.withoutGradients { try policy.logits(x) } * (1 / temperature)).logSoftmax().scalars
            for i in 0..<50 {
                let probs = (0..<7).map { expf(logp[i * 7 + $0]) }
                for j in 0..<12 {
                    let c = b.nextCategorical(weights: probs)
                    #expect(answers[i][j] == c)
                    #expect(logProbs[i][j] == logp[i * 7 + c])
                }
            }
            #expect(a == b)  // the same number of draws
        }
    }

    @Test("predictWithProbabilities: the greedy answers and softmax(logits), rows summing to 1, argmax the answer")
    func probabilities() throws {
        let policy = try Policy(inputs: 5, classes: 4, hidden: [7], seed: 2)
        var data = SeededGenerator(seed: 5)
        let x = Tensor.randomNormal([40, 5], using: &data) * 2
        let (predictions, probabilities) = try policy.predictWithProbabilities(x)
        #expect(predictions == (try policy.predict(x)))
        let logp = try (try Autodiff.withoutGradients { try policy.logits(x) }).logSoftmax().scalars
        for r in 0..<40 {
            let row = Array(probabilities[(r * 4)..<(r * 4 + 4)])
            #expect(abs(row.reduce(0, +) - 1) < 1e-12)
            #expect(row.indices.max { row[$0] < row[$1] } == predictions[r])
            for c in 0..<4 { #expect(abs(row[c] - Double(expf(logp[r * 4 + c]))) < 1e-5) }
        }
    }

    @Test("a diverged policy is an error, not a crash")
    func divergedPolicy() throws {
        let policy = try Policy(inputs: 2, classes: 3, hidden: [], seed: 0)
        policy.parameters[0].value = try Tensor(shape: [2, 3], scalars: [.nan, 0, 0, 0, 0, 0]).requiringGrad(policy.parameters[0].name)
        var rng = SeededGenerator(seed: 0)
        #expect(throws: RLError.self) { try policy.sample(try Tensor(shape: [1, 2], scalars: [1, 1]), g: 2, temperature: 1, using: &rng) }
    }
}
