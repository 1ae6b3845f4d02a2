import Tensors
import Testing

@Suite("Printing")
struct PrintingTests {
    @Test("a 2×2 matrix prints with aligned columns")
    func matrix() throws {
        let x = try Tensor([[1, 2.5], [3, 4]])
        #expect(x.description == "tensor([[  1, 2.5],\n        [  3,   4]])")
        #expect("\(x)" == x.description)
    }

    @Test("scalars, vectors and special values")
    func scalars() throws {
        #expect(Tensor(scalar: 3.5).description == "tensor(3.5)")
        #expect(Tensor(scalar: -2).description == "tensor(-2)")
        #expect(Tensor(scalar: 1.0 / 3).description == "tensor(0.3333)")
        #expect(Tensor([1, -0.125, .nan, .infinity, -.infinity]).description == "tensor([     1, -0.125,    nan,    inf,   -inf])")
        #expect(Tensor([Float]()).description == "tensor([], shape=[0])")
        #expect(Tensor([1e-5]).description == "tensor([1e-05])")
        #expect(Tensor([3, 4]).formatted(prefix: "x = (") == "x = ([3, 4])")
    }

    @Test("rank 3 separates blocks with a blank line")
    func rank3() throws {
        let x = try Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        #expect(x.description == "tensor([[[1, 2]],\n\n        [[3, 4]]])")
    }

    @Test("more than 1,000 elements are summarised with ...")
    func summarised() throws {
        let v = try Tensor.arange(0, 2000)
        #expect(v.description == "tensor([   0,    1,    2, ..., 1997, 1998, 1999])")
        let m = try v.reshaped([40, 50])
        let text = m.description
        #expect(text.contains("..."))
        #expect(text.hasPrefix("tensor([[   0,    1,    2, ...,   47,   48,   49],\n        [  50,   51,   52, ...,   97,   98,   99],"))
        #expect(text.hasSuffix("[1950, 1951, 1952, ..., 1997, 1998, 1999]])"))
        #expect(text.split(separator: "\n").count == 7)  // 3 rows, "...", 3 rows
        #expect(!text.contains("1000"))
        // Exactly at the threshold nothing is elided.
        #expect(!(try Tensor.arange(0, 1000)).description.contains("..."))
    }
}
