import Foundation
import NN
import Tensors
import TestSupport
import Testing

/// Sets `p.grad` to exactly `g` by backpropagating loss = Σ p ⊙ g.
func setGradient(_ p: Parameter, _ g: [Float]) throws {
    p.zeroGrad()
    try (p.value * Tensor(g).reshaped(p.shape)).sum().backward()
    #expect(p.grad?.scalars == g)
}

func values(_ p: Parameter) -> [Double] { p.value.scalars.map(Double.init) }

@Suite("Optimizers")
struct OptimizerTests {
    let initial: [Float] = [0.5, -1.25, 2, 0]
    let g1: [Float] = [0.1, -0.4, 3, -0.02]
    let g2: [Float] = [-0.3, 0.2, 2.5, 0.05]

    @Test("plain SGD: p − lr·g")
    func sgd() throws {
        let p = Parameter("w", Tensor(initial))
        let opt = SGD([p], learningRate: 0.1)
        try setGradient(p, g1)
        opt.step()
        expectClose(values(p), zip(initial, g1).map { Double($0) - 0.1 * Double($1) })
        #expect(opt.buffers[0].isEmpty)  // no momentum buffer without momentum
        // The learning rate can be changed between steps.
        opt.learningRate = 0.5
        let before = values(p)
        try setGradient(p, g2)
        opt.step()
        expectClose(values(p), zip(before, g2).map { $0 - 0.5 * Double($1) })
    }

    @Test("SGD with L2 weight decay: p − lr·(g + λp)")
    func sgdWeightDecay() throws {
        let p = Parameter("w", Tensor(initial))
        let opt = SGD([p], learningRate: 0.1, weightDecay: 0.01)
        try setGradient(p, g1)
        opt.step()
        expectClose(values(p), zip(initial, g1).map { Double($0) - 0.1 * (Double($1) + 0.01 * Double($0)) })
    }

    @Test("SGD with momentum over two steps (PyTorch, no dampening)", arguments: [Float(0), 0.05])
    func sgdMomentum(weightDecay: Float) throws {
        let lr = 0.2, mu = 0.9, wd = Double(weightDecay)
        let p = Parameter("w", Tensor(initial))
        let opt = SGD([p], learningRate: Float(lr), momentum: Float(mu), weightDecay: weightDecay)
        var expected = initial.map(Double.init)

        try setGradient(p, g1)
        opt.step()
        // First step: the buffer is the gradient itself.
        var buffer = zip(g1, expected).map { Double($0) + wd * $1 }
        expected = zip(expected, buffer).map { $0 - lr * $1 }
        expectClose(values(p), expected)
        expectClose(opt.buffers[0].map(Double.init), buffer)

        try setGradient(p, g2)
        opt.step()
        buffer = (0..<4).map { i in mu * buffer[i] + Double(g2[i]) + wd * expected[i] }
        expected = zip(expected, buffer).map { $0 - lr * $1 }
        expectClose(values(p), expected)
        expectClose(opt.buffers[0].map(Double.init), buffer)
    }

    @Test("parameters without a gradient are left alone")
    func noGradient() throws {
        let a = Parameter("a", Tensor(initial)), b = Parameter("b", Tensor([1, 2]))
        try setGradient(a, g1)
        for opt in [SGD([a, b], learningRate: 0.1, momentum: 0.9) as Optimizer, Adam([a, b], learningRate: 0.1)] {
            opt.step()
            #expect(b.value.scalars == [1, 2])
        }
        #expect(a.value.scalars != initial)
    }

    /// Adam in Double, following PyTorch's `torch.optim.Adam` / `AdamW`.
    struct AdamReference {
        var p: [Double], m: [Double], v: [Double]
        var t = 0
        let lr: Double, b1: Double, b2: Double, eps: Double, wd: Double, decoupled: Bool

        init(_ p: [Float], lr: Double, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8, wd: Double = 0, decoupled: Bool = false) {
            self.p = p.map(Double.init)
            m = [Double](repeating: 0, count: p.count)
            v = m
            self.lr = lr; self.b1 = b1; self.b2 = b2; self.eps = eps; self.wd = wd; self.decoupled = decoupled
        }

        mutating func step(_ grad: [Float]) {
            t += 1
            for i in p.indices {
                var g = Double(grad[i])
                if decoupled { p[i] *= 1 - lr * wd } else { g += wd * p[i] }
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                let mHat = m[i] / (1 - Foundation.pow(b1, Double(t)))
                let vHat = v[i] / (1 - Foundation.pow(b2, Double(t)))
                p[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
    }

    struct AdamCase: Sendable, CustomStringConvertible {
        let description: String
        let lr: Float, beta1: Float, beta2: Float, eps: Float, wd: Float, decoupled: Bool
    }

    @Test("Adam and AdamW over two steps match the formulas", arguments: [
        AdamCase(description: "Adam defaults", lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0, decoupled: false),
        AdamCase(description: "Adam, large epsilon", lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 0.1, wd: 0, decoupled: false),
        AdamCase(description: "Adam with L2 decay", lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.1, decoupled: false),
        AdamCase(description: "AdamW", lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.1, decoupled: true),
    ])
    func adam(_ c: AdamCase) throws {
        let p = Parameter("w", Tensor(initial))
        let opt = Adam([p], learningRate: c.lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.eps,
                       weightDecay: c.wd, decoupledWeightDecay: c.decoupled)
        var ref = AdamReference(initial, lr: Double(c.lr), b1: Double(c.beta1), b2: Double(c.beta2),
                                eps: Double(c.eps), wd: Double(c.wd), decoupled: c.decoupled)
        for g in [g1, g2] {
            try setGradient(p, g)
            opt.step()
            ref.step(g)
            expectClose(values(p), ref.p, rtol: 1e-5, atol: 1e-6)
            expectClose(opt.firstMoments[0].map(Double.init), ref.m, rtol: 1e-5, atol: 1e-7)
            expectClose(opt.secondMoments[0].map(Double.init), ref.v, rtol: 1e-5, atol: 1e-9)
        }
        #expect(opt.stepCount == 2)
    }

    @Test("the first Adam step moves each parameter by about lr against its gradient")
    func adamFirstStep() throws {
        let p = Parameter("w", Tensor([1, 1, 1]))
        let opt = Adam([p], learningRate: 0.01)
        try setGradient(p, [1e-3, -50, 7])
        opt.step()
        expectClose(p.value.scalars, [0.99, 1.01, 0.99], rtol: 1e-5, atol: 1e-6)
    }

    @Test("adamW uses decoupled decay with PyTorch's default 0.01")
    func adamWFactory() throws {
        let opt = Adam.adamW([Parameter("w", Tensor([1]))])
        #expect(opt.decoupledWeightDecay)
        #expect(opt.weightDecay == 0.01)
        #expect(opt.learningRate == 1e-3)
        // With a zero gradient only the decay acts: p·(1 − lr·λ).
        let p = Parameter("w", Tensor([2, -4]))
        let w = Adam.adamW([p], learningRate: 0.1, weightDecay: 0.5)
        try setGradient(p, [0, 0])
        w.step()
        expectClose(p.value.scalars, [1.9, -3.8])
    }

    @Test("clipGradNorm scales by maxNorm / (norm + 1e-6) and returns the norm")
    func clip() throws {
        let a = Parameter("a", Tensor([3, 0])), b = Parameter("b", Tensor([0, 0, 4])), c = Parameter("c", Tensor([1]))
        try setGradient(a, [3, 0])
        try setGradient(b, [0, 0, 4])
        // c has no gradient and is skipped.
        let norm = clipGradNorm([a, b, c], maxNorm: 1)
        #expect(norm == 5)
        let scale = 1 / (5 + 1e-6)
        expectClose(try #require(a.grad).scalars.map(Double.init), [3 * scale, 0], rtol: 1e-6)
        expectClose(try #require(b.grad).scalars.map(Double.init), [0, 0, 4 * scale], rtol: 1e-6)
        #expect(c.grad == nil)
        // The clipped global norm is maxNorm (up to the 1e-6 guard).
        let clippedNorm = (a.grad!.scalars + b.grad!.scalars).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        expectClose(clippedNorm, 1, rtol: 1e-5)
    }

    @Test("clipGradNorm leaves gradients below the limit unchanged")
    func clipNoop() throws {
        let a = Parameter("a", Tensor([0.3, -0.4]))
        try setGradient(a, [0.3, -0.4])
        let norm = clipGradNorm([a], maxNorm: 1)
        expectClose(norm, 0.5, rtol: 1e-6)
        #expect(a.grad?.scalars == [0.3, -0.4])
        #expect(clipGradNorm([Parameter("none", Tensor([1]))], maxNorm: 1) == 0)
    }

    @Test("zeroGrad on an optimizer and on a layer clears every gradient")
    func zeroGrad() throws {
        var rng = SeededGenerator(seed: 1)
        let model = MLP([2, 3, 2], using: &rng)
        try model(Tensor.ones([4, 2])).sum().backward()
        #expect(model.parameters.allSatisfy { $0.grad != nil })
        let opt = SGD(model.parameters, learningRate: 0.1)
        opt.zeroGrad()
        #expect(model.parameters.allSatisfy { $0.grad == nil })
        try model(Tensor.ones([4, 2])).sum().backward()
        model.zeroGrad()
        #expect(model.parameters.allSatisfy { $0.grad == nil })
    }
}
