import Foundation
import Tensors
import TestSupport
import Testing

/// One elementwise function of one tensor: the operation under test, an
/// independent float64 formula, and inputs inside its domain.
struct UnaryCase: Sendable, CustomStringConvertible {
    let description: String
    let op: @Sendable (Tensor) -> Tensor
    let ref: @Sendable (Double) -> Double
    let input: @Sendable () -> Tensor

    static let shape = [3, 4]
    static func normal(_ seed: UInt64) -> @Sendable () -> Tensor { { randomTensor(shape, seed: seed, scale: 1.5) } }
    static func positive(_ seed: UInt64) -> @Sendable () -> Tensor { { uniformTensor(shape, seed: seed, low: 0.4, high: 3) } }
    static func avoiding(_ kinks: [Float], _ seed: UInt64) -> @Sendable () -> Tensor {
        { randomTensor(shape, seed: seed, avoiding: kinks) }
    }

    static let all: [UnaryCase] = [
        .init(description: "neg", op: { -$0 }, ref: { -$0 }, input: normal(1)),
        .init(description: "exp", op: { $0.exp() }, ref: { Foundation.exp($0) }, input: normal(2)),
        .init(description: "log", op: { $0.log() }, ref: { Foundation.log($0) }, input: positive(3)),
        .init(description: "sqrt", op: { $0.sqrt() }, ref: { $0.squareRoot() }, input: positive(4)),
        .init(description: "squared", op: { $0.squared() }, ref: { $0 * $0 }, input: normal(5)),
        .init(description: "abs", op: { $0.abs() }, ref: { Swift.abs($0) }, input: avoiding([0], 6)),
        .init(description: "pow(3)", op: { $0.pow(3) }, ref: { Foundation.pow($0, 3) }, input: normal(7)),
        .init(description: "pow(2.5)", op: { $0.pow(2.5) }, ref: { Foundation.pow($0, 2.5) }, input: positive(8)),
        .init(description: "pow(-1.5)", op: { $0.pow(-1.5) }, ref: { Foundation.pow($0, -1.5) }, input: positive(9)),
        .init(description: "tanh", op: { $0.tanh() }, ref: { Foundation.tanh($0) }, input: normal(10)),
        .init(description: "sigmoid", op: { $0.sigmoid() }, ref: Ref.sigmoid, input: normal(11)),
        .init(description: "relu", op: { $0.relu() }, ref: { Swift.max($0, 0) }, input: avoiding([0], 12)),
        .init(description: "gelu", op: { $0.gelu() }, ref: Ref.gelu, input: normal(13)),
        .init(description: "clamped(-0.5, 0.7)", op: { $0.clamped(min: -0.5, max: 0.7) },
              ref: { Swift.min(Swift.max($0, -0.5), 0.7) }, input: avoiding([-0.5, 0.7], 14)),
        // Tensor–scalar arithmetic, both operand orders.
        .init(description: "x + 1.5", op: { $0 + 1.5 }, ref: { $0 + 1.5 }, input: normal(20)),
        .init(description: "1.5 + x", op: { 1.5 + $0 }, ref: { 1.5 + $0 }, input: normal(21)),
        .init(description: "x - 0.75", op: { $0 - 0.75 }, ref: { $0 - 0.75 }, input: normal(22)),
        .init(description: "0.75 - x", op: { 0.75 - $0 }, ref: { 0.75 - $0 }, input: normal(23)),
        .init(description: "x * -2.5", op: { $0 * -2.5 }, ref: { $0 * -2.5 }, input: normal(24)),
        .init(description: "-2.5 * x", op: { -2.5 * $0 }, ref: { -2.5 * $0 }, input: normal(25)),
        .init(description: "x / 1.75", op: { $0 / 1.75 }, ref: { $0 / 1.75 }, input: normal(26)),
        .init(description: "1.75 / x", op: { 1.75 / $0 }, ref: { 1.75 / $0 },
              input: { randomTensor(shape, seed: 27, avoiding: [0], margin: 0.25) }),
    ]
}

@Suite("Elementwise gradients")
struct ElementwiseGradientTests {
    @Test("unary and tensor–scalar operations match float64 and finite differences", arguments: UnaryCase.all)
    func unary(_ c: UnaryCase) throws {
        try checkGradients([c.input()], { c.op($0[0]) }) { x in x[0].map(c.ref) }
    }

    @Test("sigmoid is accurate and finite for large magnitudes")
    func sigmoidExtremes() {
        let y = Tensor([-100, -30, 0, 30, 100]).sigmoid()
        expectClose(y, [Ref.sigmoid(-100), Ref.sigmoid(-30), 0.5, 1, 1], rtol: 1e-5, atol: 1e-40)
        #expect(y.scalars.allSatisfy { $0.isFinite })
    }
}

/// Inputs for a broadcasting binary operation. `a` lies on the grid
/// 0.05 + 0.2ℤ and `b` on 0.15 + 0.2ℤ with |b| ≥ 0.25, so a and b never tie
/// (maximum/minimum stay differentiable) and division stays away from zero.
func binaryInputs(_ aShape: [Int], _ bShape: [Int], seed: UInt64) -> (Tensor, Tensor) {
    func grid(_ t: Tensor, offset: Float, awayFromZero: Bool) -> Tensor {
        var t = t
        t.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                var v = (p[i] / 0.2).rounded() * 0.2 + offset
                if awayFromZero, Swift.abs(v) < 0.2 { v += v < 0 ? -0.4 : 0.4 }
                p[i] = v
            }
        }
        return t
    }
    let a = grid(randomTensor(aShape, seed: seed), offset: 0.05, awayFromZero: false)
    let b = grid(randomTensor(bShape, seed: seed &+ 1000), offset: 0.15, awayFromZero: true)
    return (a, b)
}

struct BinaryOp: Sendable, CustomStringConvertible {
    let description: String
    let op: @Sendable (Tensor, Tensor) throws -> Tensor
    let ref: @Sendable (Double, Double) -> Double

    static let all: [BinaryOp] = [
        .init(description: "+", op: { try $0 + $1 }, ref: { $0 + $1 }),
        .init(description: "-", op: { try $0 - $1 }, ref: { $0 - $1 }),
        .init(description: "*", op: { try $0 * $1 }, ref: { $0 * $1 }),
        .init(description: "/", op: { try $0 / $1 }, ref: { $0 / $1 }),
        .init(description: "maximum", op: { try Tensor.maximum($0, $1) }, ref: { Swift.max($0, $1) }),
        .init(description: "minimum", op: { try Tensor.minimum($0, $1) }, ref: { Swift.min($0, $1) }),
    ]
}

struct ShapePair: Sendable, CustomStringConvertible {
    let a: [Int], b: [Int]
    var description: String { "\(formatShape(a)) with \(formatShape(b))" }

    static let all: [ShapePair] = [
        .init(a: [2, 3], b: [2, 3]),
        .init(a: [2, 3], b: [3]),
        .init(a: [3], b: [2, 3]),
        .init(a: [2, 1], b: [1, 4]),
        .init(a: [3, 1, 2], b: [2]),
        .init(a: [2, 1, 4], b: [3, 1]),
        .init(a: [], b: [2, 3]),
        .init(a: [2, 3], b: []),
        .init(a: [1, 1], b: [2, 3]),
    ]
}

@Suite("Broadcasting binary gradients")
struct BinaryGradientTests {
    @Test("binary operations with broadcasting match float64 and finite differences",
          arguments: BinaryOp.all, ShapePair.all)
    func binary(_ op: BinaryOp, _ shapes: ShapePair) throws {
        let (a, b) = binaryInputs(shapes.a, shapes.b, seed: UInt64(shapes.a.count * 10 + shapes.b.count))
        let out = try op.op(a, b)
        #expect(out.shape == Ref.broadcastShape(shapes.a, shapes.b))
        try checkGradients([a, b], { try op.op($0[0], $0[1]) }) { x in
            Ref.broadcast(x[0], shapes.a, x[1], shapes.b, op.ref)
        }
    }

    @Test("a tensor combined with itself gets both gradient contributions")
    func sameTensorBothSides() throws {
        let x = randomTensor([2, 3], seed: 40)
        try checkGradients([x], { try $0[0] * $0[0] + $0[0] / ($0[0].squared() + 1) }) { x in
            x[0].map { $0 * $0 + $0 / ($0 * $0 + 1) }
        }
    }

    @Test("gradients flow through a chain of broadcasting operations")
    func composite() throws {
        let x = randomTensor([4, 3], seed: 41)
        let b = randomTensor([3], seed: 42)
        let s = uniformTensor([4, 1], seed: 43, low: 0.5, high: 2)
        try checkGradients([x, b, s], { v in try ((v[0] + v[1]).tanh() * v[2]).exp() / v[2] }) { v in
            let t = Ref.broadcast(v[0], [4, 3], v[1], [3]) { Foundation.tanh($0 + $1) }
            let u = Ref.broadcast(t, [4, 3], v[2], [4, 1]) { Foundation.exp($0 * $1) / $1 }
            return u
        }
    }
}
