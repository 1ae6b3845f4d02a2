import NN
import Tensors
import TestSupport
import Testing

/// Fraction of rows whose largest logit is the target class.
func accuracy(_ model: MLP, _ x: Tensor, _ targets: [Int]) throws -> Double {
    let predicted = try Autodiff.withoutGradients { try model(x).argmax(axis: 1) }.scalars
    return Double(zip(predicted, targets).filter { Int($0) == $1 }.count) / Double(targets.count)
}

/// Full-batch training with cross-entropy; returns the final loss.
@discardableResult
func train(_ model: MLP, _ x: Tensor, _ targets: [Int], steps: Int, optimizer: Optimizer) throws -> Float {
    var last: Float = .nan
    for _ in 0..<steps {
        optimizer.zeroGrad()
        let loss = try Tensor.crossEntropy(logits: model(x), targets: targets)
        try loss.backward()
        optimizer.step()
        last = try loss.item()
    }
    return last
}

@Suite("Layers and training")
struct TrainingTests {
    @Test("Linear initialises in ±1/√in and computes x·W + b")
    func linear() throws {
        var rng = SeededGenerator(seed: 3)
        let layer = Linear(16, 4, name: "fc", using: &rng)
        #expect(layer.weight.shape == [16, 4] && layer.bias.shape == [4])
        #expect(layer.weight.name == "fc.weight" && layer.bias.name == "fc.bias")
        let bound: Float = 0.25
        let all = layer.weight.value.scalars + layer.bias.value.scalars
        #expect(all.allSatisfy { Swift.abs($0) <= bound })
        #expect(all.contains { $0 > 0.2 } && all.contains { $0 < -0.2 })
        #expect(layer.weight.value.requiresGrad && layer.bias.value.requiresGrad)
        let x = randomTensor([3, 16], seed: 4)
        expectClose(try layer(x), try x.matmul(layer.weight.value) + layer.bias.value)
        expectClose(try layer(x, activation: .tanh), try (x.matmul(layer.weight.value) + layer.bias.value).tanh())
    }

    @Test("MLP has one Linear per pair of sizes, activation between and none after")
    func mlpStructure() throws {
        var rng = SeededGenerator(seed: 5)
        let model = MLP([3, 5, 4, 2], activation: .relu, using: &rng)
        #expect(model.layers.count == 3)
        #expect(model.parameters.map(\.name) == [
            "layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias",
        ])
        #expect(model.parameterCount == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2)
        let x = randomTensor([6, 3], seed: 6)
        let l = model.layers
        let hidden = try l[1](try l[0](x).relu()).relu()
        expectClose(try model.hidden(x), hidden)
        expectClose(try model(x), try l[2](hidden))
        // The output layer has no activation: some logits are negative.
        #expect(try model(x).scalars.contains { $0 < 0 })
    }

    @Test("an MLP learns XOR", arguments: [Activation.tanh, .relu])
    func xor(_ activation: Activation) throws {
        var rng = SeededGenerator(seed: 2024)
        let model = MLP([2, 8, 2], activation: activation, using: &rng)
        let x = try Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
        let targets = [0, 1, 1, 0]
        let loss = try train(model, x, targets, steps: 300, optimizer: Adam(model.parameters, learningRate: 0.05))
        #expect(try accuracy(model, x, targets) == 1)
        #expect(loss < 0.05)
    }

    @Test("an MLP separates a linearly separable 2-D problem")
    func linearlySeparable() throws {
        var rng = SeededGenerator(seed: 99)
        var points: [Float] = [], targets: [Int] = []
        while targets.count < 200 {
            let a = 2 * rng.nextUnitFloat() - 1, b = 2 * rng.nextUnitFloat() - 1
            let side = a + 2 * b - 0.3
            guard Swift.abs(side) > 0.1 else { continue }  // keep a margin
            points += [a, b]
            targets.append(side > 0 ? 1 : 0)
        }
        #expect(targets.filter { $0 == 1 }.count > 50 && targets.filter { $0 == 0 }.count > 50)
        let x = try Tensor(shape: [200, 2], scalars: points)
        let model = MLP([2, 8, 2], activation: .relu, using: &rng)
        let before = try accuracy(model, x, targets)
        try train(model, x, targets, steps: 300, optimizer: Adam(model.parameters, learningRate: 0.05))
        #expect(before < 1)
        #expect(try accuracy(model, x, targets) == 1)
    }

    /// Minibatch training driven entirely by `seed`: initialisation, data and
    /// batch order. The layer sizes make the products large enough to be split
    /// across threads.
    func seededRun(seed: UInt64) throws -> [[UInt32]] {
        var rng = SeededGenerator(seed: seed)
        let model = MLP([64, 128, 4], activation: .gelu, using: &rng)
        let x = Tensor.randomNormal([512, 64], using: &rng)
        let targets = (0..<512).map { _ in rng.nextIndex(below: 4) }
        let opt = Adam.adamW(model.parameters, learningRate: 0.01)
        for _ in 0..<2 {
            let order = rng.permutation(512)
            for batch in 0..<2 {
                let rows = Array(order[(batch * 256)..<((batch + 1) * 256)])
                opt.zeroGrad()
                let loss = try Tensor.crossEntropy(logits: model(x.take(rows)), targets: rows.map { targets[$0] })
                try loss.backward()
                clipGradNorm(model.parameters, maxNorm: 1)
                opt.step()
            }
        }
        return model.parameters.map { $0.value.scalars.map(\.bitPattern) }
    }

    @Test("training is bit-for-bit reproducible from the seed")
    func determinism() throws {
        let a = try seededRun(seed: 7)
        let b = try seededRun(seed: 7)
        let c = try seededRun(seed: 8)
        #expect(a == b)
        #expect(a != c)
    }
}
