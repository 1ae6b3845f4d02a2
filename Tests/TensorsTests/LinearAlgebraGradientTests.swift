import Foundation
import Tensors
import TestSupport
import Testing

struct TransposeFlags: Sendable, CustomStringConvertible {
    let a: Bool, b: Bool
    var description: String { "\(a ? "Aᵀ" : "A")·\(b ? "Bᵀ" : "B")" }
    static let all = [false, true].flatMap { a in [false, true].map { TransposeFlags(a: a, b: $0) } }

    /// Stored shapes of A and B for a product of size m×k·k×n.
    func shapes(m: Int, k: Int, n: Int) -> ([Int], [Int]) {
        (a ? [k, m] : [m, k], b ? [n, k] : [k, n])
    }
}

struct GEMMSize: Sendable, CustomStringConvertible {
    let m: Int, k: Int, n: Int
    var description: String { "\(m)×\(k)·\(k)×\(n)" }
}

@Suite("Matrix product and affine gradients")
struct LinearAlgebraGradientTests {
    @Test("matmul gradients for every transpose combination", arguments: TransposeFlags.all, [
        GEMMSize(m: 3, k: 5, n: 7), GEMMSize(m: 4, k: 1, n: 2), GEMMSize(m: 1, k: 6, n: 1),
    ])
    func matmul(_ t: TransposeFlags, _ size: GEMMSize) throws {
        let (sa, sb) = t.shapes(m: size.m, k: size.k, n: size.n)
        let a = randomTensor(sa, seed: 60), b = randomTensor(sb, seed: 61)
        let c = try a.matmul(b, transposeSelf: t.a, transposeOther: t.b)
        #expect(c.shape == [size.m, size.n])
        try checkGradients([a, b], { try $0[0].matmul($0[1], transposeSelf: t.a, transposeOther: t.b) }) { x in
            Ref.matmul(x[0], x[1], m: size.m, k: size.k, n: size.n, transposeA: t.a, transposeB: t.b)
        }
    }

    @Test("matmul gradient when only one operand requires it")
    func matmulOneSided() throws {
        let a = randomTensor([3, 4], seed: 62), b = randomTensor([4, 2], seed: 63)
        let bLeaf = b.requiringGrad()
        try a.matmul(bLeaf).sum().backward()
        // d Σ(A·B) / dB[p, j] = Σ_i A[i, p]
        let colSums = (0..<4).map { p in (0..<3).reduce(0.0) { $0 + Double(a.scalars[$1 * 4 + p]) } }
        expectClose(try #require(bLeaf.grad), colSums.flatMap { [$0, $0] }, rtol: 1e-5, atol: 1e-5)
    }

    @Test("affine (fused x·W + b and activation) gradients", arguments: Activation.allCases)
    func affine(_ activation: Activation) throws {
        let n = 3, inF = 4, outF = 5
        // Pick the first seed whose pre-activations keep away from ReLU's kink.
        var seed: UInt64 = 70
        var x = Tensor.zeros([n, inF]), w = Tensor.zeros([inF, outF]), b = Tensor.zeros([outF])
        var z: [Double] = []
        repeat {
            seed += 1
            x = randomTensor([n, inF], seed: seed)
            w = randomTensor([inF, outF], seed: seed + 100)
            b = randomTensor([outF], seed: seed + 200)
            z = Ref.broadcast(Ref.matmul(doubles(x), doubles(w), m: n, k: inF, n: outF, transposeA: false, transposeB: false),
                              [n, outF], doubles(b), [outF], +)
        } while z.contains { Swift.abs($0) < 0.02 }
        let f: (Double) -> Double = switch activation {
        case .identity: { $0 }
        case .relu: { Swift.max($0, 0) }
        case .tanh: { Foundation.tanh($0) }
        case .gelu: Ref.gelu
        }
        try checkGradients([x, w, b], { try Tensor.affine($0[0], weight: $0[1], bias: $0[2], activation: activation) }) { v in
            let z = Ref.matmul(v[0], v[1], m: n, k: inF, n: outF, transposeA: false, transposeB: false)
            return Ref.broadcast(z, [n, outF], v[2], [outF], +).map(f)
        }
    }

    @Test("affine equals the unfused composition", arguments: Activation.allCases)
    func affineMatchesComposition(_ activation: Activation) throws {
        let x = randomTensor([6, 3], seed: 80), w = randomTensor([3, 4], seed: 81), b = randomTensor([4], seed: 82)
        let fused = try Tensor.affine(x, weight: w, bias: b, activation: activation)
        let composed = activation(try x.matmul(w) + b)
        expectClose(fused, composed, rtol: 1e-5, atol: 1e-6)
    }

    @Test("affine rejects misaligned weight and bias")
    func affineErrors() {
        #expect(throws: TensorError.self) {
            try Tensor.affine(Tensor.zeros([2, 3]), weight: Tensor.zeros([4, 5]), bias: Tensor.zeros([5]))
        }
        #expect(throws: TensorError.self) {
            try Tensor.affine(Tensor.zeros([2, 3]), weight: Tensor.zeros([3, 5]), bias: Tensor.zeros([4]))
        }
    }
}
