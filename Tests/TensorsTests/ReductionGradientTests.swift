import Foundation
import Tensors
import TestSupport
import Testing

struct ReductionOp: Sendable, CustomStringConvertible {
    let description: String
    let op: @Sendable (Tensor, Int, Bool) throws -> Tensor
    let ref: @Sendable ([Double]) -> Double

    static let all: [ReductionOp] = [
        .init(description: "sum", op: { try $0.sum(axis: $1, keepDims: $2) }, ref: { $0.reduce(0, +) }),
        .init(description: "mean", op: { try $0.mean(axis: $1, keepDims: $2) }, ref: { $0.reduce(0, +) / Double($0.count) }),
        .init(description: "max", op: { try $0.max(axis: $1, keepDims: $2) }, ref: { $0.max()! }),
        .init(description: "logSumExp", op: { try $0.logSumExp(axis: $1, keepDims: $2) }, ref: Ref.logSumExp),
    ]
}

struct AxisCase: Sendable, CustomStringConvertible {
    let shape: [Int], axis: Int, keepDims: Bool
    var description: String { "\(formatShape(shape)) axis \(axis)\(keepDims ? " keepDims" : "")" }

    static let all: [AxisCase] = [[3, 4], [2, 3, 4]].flatMap { shape in
        (shape.count == 2 ? [0, 1, -1] : [0, 1, 2, -1]).flatMap { axis in
            [false, true].map { AxisCase(shape: shape, axis: axis, keepDims: $0) }
        }
    }

    var outShape: [Int] {
        var s = shape
        let a = axis < 0 ? axis + shape.count : axis
        if keepDims { s[a] = 1 } else { s.remove(at: a) }
        return s
    }
}

/// Distinct values spaced 0.13 apart in a seeded order, so `max` has a
/// unique argmax that a finite-difference step cannot change.
func distinctValues(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    let n = Ref.product(shape)
    let order = rng.permutation(n)
    return try! Tensor(shape: shape, scalars: order.map { (Float($0) - Float(n) / 2) * 0.13 })
}

@Suite("Reduction and softmax gradients")
struct ReductionGradientTests {
    @Test("axis reductions match float64 and finite differences", arguments: ReductionOp.all, AxisCase.all)
    func axisReduction(_ op: ReductionOp, _ c: AxisCase) throws {
        let x = distinctValues(c.shape, seed: UInt64(c.shape.count * 7 + c.axis + 3))
        let y = try op.op(x, c.axis, c.keepDims)
        #expect(y.shape == c.outShape)
        try checkGradients([x], { try op.op($0[0], c.axis, c.keepDims) }) { x in
            Ref.reduce(x[0], c.shape, axis: c.axis, op.ref)
        }
    }

    @Test("sum() and mean() over all elements", arguments: [[3, 4], [2, 3, 4], [5]])
    func fullReductions(_ shape: [Int]) throws {
        let x = randomTensor(shape, seed: 50)
        let s = try x.sum(), m = try x.mean()
        #expect(s.shape == [] && m.shape == [])
        try checkGradients([x], { try $0[0].sum() }) { x in [x[0].reduce(0, +)] }
        try checkGradients([x], { try $0[0].mean() }) { x in [x[0].reduce(0, +) / Double(x[0].count)] }
    }

    @Test("softmax and logSoftmax along the last axis", arguments: [[3, 4], [2, 3, 4], [1, 6]])
    func softmax(_ shape: [Int]) throws {
        let x = randomTensor(shape, seed: 51, scale: 2)
        try checkGradients([x], { try $0[0].softmax() }) { x in Ref.mapLines(x[0], shape, axis: -1, Ref.softmax) }
        try checkGradients([x], { try $0[0].logSoftmax() }) { x in
            Ref.mapLines(x[0], shape, axis: -1) { line in Ref.softmax(line).map { Foundation.log($0) } }
        }
    }

    @Test("softmax survives large logits without overflow")
    func softmaxLargeLogits() throws {
        let x = try Tensor([[1000, 1001, 1002], [-1000, -1000, -1000]])
        let p = try x.softmax()
        let e = Ref.softmax([0, 1, 2])
        expectClose(p, e + [1.0 / 3, 1.0 / 3, 1.0 / 3])
        let lp = try x.logSoftmax()
        expectClose(lp, e.map { Foundation.log($0) } + [Foundation.log(1.0 / 3), Foundation.log(1.0 / 3), Foundation.log(1.0 / 3)])
        let lse = try x.logSumExp(axis: 1)
        expectClose(lse, [1002 + Foundation.log(1 + Foundation.exp(-1) + Foundation.exp(-2)), -1000 + Foundation.log(3)])
    }

    @Test("crossEntropy matches −mean log softmax[target] and its gradient", arguments: [
        (rows: 4, classes: 5, targets: [0, 4, 2, 2]),
        (rows: 1, classes: 3, targets: [1]),
        (rows: 6, classes: 2, targets: [1, 0, 0, 1, 1, 1]),
    ])
    func crossEntropy(rows: Int, classes: Int, targets: [Int]) throws {
        let logits = randomTensor([rows, classes], seed: 52, scale: 2)
        let loss = try Tensor.crossEntropy(logits: logits, targets: targets)
        #expect(loss.shape == [])
        try checkGradients([logits], { try Tensor.crossEntropy(logits: $0[0], targets: targets) }) { x in
            var total = 0.0
            for i in 0..<rows {
                let row = Array(x[0][(i * classes)..<((i + 1) * classes)])
                total -= Foundation.log(Ref.softmax(row)[targets[i]])
            }
            return [total / Double(rows)]
        }
    }

    @Test("crossEntropy rejects targets outside the classes and a wrong number of targets")
    func crossEntropyErrors() {
        let logits = Tensor.zeros([2, 3])
        #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: [0, 3]) }
        #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: [0, -1]) }
        #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: [0]) }
        #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: Tensor.zeros([6]), targets: [0]) }
    }
}
