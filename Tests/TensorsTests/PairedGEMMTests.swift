import Tensors
import TestSupport
import Testing

@Suite("Linear layer gradients computed as a concurrent pair of products")
struct PairedGEMMTests {
    /// Big enough that dx and dW run at the same time on two threads (when the
    /// machine has them); the results must equal the separate products exactly.
    @Test("dx and dW of a large affine map equal the separate matmul results bit for bit",
          arguments: [(256, 128, 128), (256, 128, 5), (1024, 256, 512), (1024, 512, 80)])
    func pairedEqualsSeparate(_ size: (Int, Int, Int)) throws {
        let (n, inF, outF) = size
        let x = randomTensor([n, inF], seed: 400).requiringGrad()
        let w = randomTensor([inF, outF], seed: 401).requiringGrad()
        let b = randomTensor([outF], seed: 402).requiringGrad()
        let weights = randomTensor([n, outF], seed: 403)
        // Identity activation: the gradient reaching the products is exactly `weights`.
        try (try Tensor.affine(x, weight: w, bias: b) * weights).sum().backward()
        let gx = try weights.matmul(w.detached(), transposeOther: true)
        let gw = try x.detached().matmul(weights, transposeSelf: true)
        #expect(try #require(x.grad).scalars == gx.scalars)
        #expect(try #require(w.grad).scalars == gw.scalars)
        // And both are the right numbers (float64 reference of one entry each).
        var ref = 0.0
        for j in 0..<outF { ref += Double(weights.scalars[j]) * Double(w.scalars[j]) }
        expectClose(Double(try #require(x.grad).scalars[0]), ref, rtol: 1e-4, atol: 1e-4)
    }
}
