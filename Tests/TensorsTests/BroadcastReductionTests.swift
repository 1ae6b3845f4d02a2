import Tensors
import TestSupport
import Testing

@Suite("Broadcasting and reductions by hand")
struct BroadcastReductionTests {
    let m = try! Tensor([[1, 2, 3], [4, 5, 6]])

    @Test("row vector, column vector and scalar broadcasting")
    func broadcasting() throws {
        #expect(try m + Tensor([10, 20, 30]) == Tensor([[11, 22, 33], [14, 25, 36]]))
        #expect(try m - Tensor([10, 20, 30]) == Tensor([[-9, -18, -27], [-6, -15, -24]]))
        let column = try Tensor([[10], [100]])
        #expect(try m * column == Tensor([[10, 20, 30], [400, 500, 600]]))
        #expect(try column * m == Tensor([[10, 20, 30], [400, 500, 600]]))
        #expect(try m / Tensor(scalar: 2) == Tensor([[0.5, 1, 1.5], [2, 2.5, 3]]))
        #expect(try Tensor(scalar: 12) / m == Tensor([[12, 6, 4], [3, 2.4, 2]]))
        #expect(try Tensor.maximum(m, Tensor([2, 2, 7])) == Tensor([[2, 2, 7], [4, 5, 7]]))
        #expect(try Tensor.minimum(m, Tensor([2, 2, 7])) == Tensor([[1, 2, 3], [2, 2, 6]]))
    }

    @Test("outer broadcast [2, 1] with [1, 4] and a rank-3 case")
    func outer() throws {
        let a = try Tensor([[1], [2]])
        let b = try Tensor([[1, 10, 100, 1000]])
        #expect(try a * b == Tensor([[1, 10, 100, 1000], [2, 20, 200, 2000]]))
        let c = try Tensor(shape: [3, 1, 2], scalars: [1, 2, 3, 4, 5, 6])
        let d = Tensor([10, 20])
        let e = try c - d
        #expect(e.shape == [3, 1, 2])
        #expect(e.scalars == [-9, -18, -7, -16, -5, -14])
        let f = try c + Tensor([[0, 0], [100, 100]])
        #expect(f.shape == [3, 2, 2])
        #expect(f.scalars == [1, 2, 101, 102, 3, 4, 103, 104, 5, 6, 105, 106])
    }

    @Test("the broadcast gradient sums over stretched axes")
    func broadcastGradient() throws {
        let row = Tensor([1, 2, 3]).requiringGrad()
        let column = try Tensor([[1], [2]]).requiringGrad()
        try (row * column).sum().backward()
        #expect(row.grad?.scalars == [3, 3, 3])  // 1 + 2
        #expect(column.grad?.scalars == [6, 6])  // 1 + 2 + 3
        #expect(column.grad?.shape == [2, 1])
    }

    @Test("sums, means and maxima along each axis")
    func reductions() throws {
        #expect(try m.sum().item() == 21)
        #expect(try m.mean().item() == 3.5)
        #expect(try m.sum(axis: 0) == Tensor([5, 7, 9]))
        #expect(try m.sum(axis: 1) == Tensor([6, 15]))
        #expect(try m.sum(axis: -1, keepDims: true) == Tensor([[6], [15]]))
        #expect(try m.sum(axis: 0, keepDims: true) == Tensor([[5, 7, 9]]))
        #expect(try m.mean(axis: 0) == Tensor([2.5, 3.5, 4.5]))
        #expect(try m.mean(axis: 1) == Tensor([2, 5]))
        let n = try Tensor([[3, -1, 7], [2, 9, 9]])
        #expect(try n.max(axis: 0) == Tensor([3, 9, 9]))
        #expect(try n.max(axis: 1) == Tensor([7, 9]))
        #expect(try n.argmax(axis: 1) == Tensor([2, 1]))  // the first of the tied maxima
        #expect(try n.argmax(axis: 0, keepDims: true) == Tensor([[0, 1, 1]]))
    }

    @Test("rank-3 axis sums")
    func rank3() throws {
        let x = try Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        #expect(try x.sum(axis: 0).scalars == (0..<12).map { Float($0 * 2 + 12) })
        #expect(try x.sum(axis: 1).scalars == [12, 15, 18, 21, 48, 51, 54, 57])
        #expect(try x.sum(axis: 2).scalars == [6, 22, 38, 54, 70, 86])
        #expect(try x.sum(axis: 1, keepDims: true).shape == [2, 1, 4])
    }

    @Test("max sends the gradient to the first maximum only")
    func maxGradientTies() throws {
        let x = Tensor([1, 5, 5, 2]).requiringGrad()
        try x.max(axis: 0).backward()
        #expect(x.grad?.scalars == [0, 1, 0, 0])
    }

    @Test("maximum and minimum send tied gradients to the first operand")
    func tieBreaks() throws {
        let a = Tensor([1, 2]).requiringGrad(), b = Tensor([1, 3]).requiringGrad()
        try Tensor.maximum(a, b).sum().backward()
        #expect(a.grad?.scalars == [1, 0])
        #expect(b.grad?.scalars == [0, 1])
        let c = Tensor([4, 2]).requiringGrad(), d = Tensor([4, 3]).requiringGrad()
        try Tensor.minimum(c, d).sum().backward()
        #expect(c.grad?.scalars == [1, 1])
        #expect(d.grad?.scalars == [0, 0])
    }

    @Test("logSumExp and softmax on small inputs")
    func logSumExp() throws {
        let x = try Tensor([[0, 0], [1, 1]])
        expectClose(try x.logSumExp(axis: 1), [0.6931471805599453, 1.6931471805599454])
        expectClose(try x.logSumExp(axis: 0), [1.3132616875182228, 1.3132616875182228])
        expectClose(try x.softmax(), [0.5, 0.5, 0.5, 0.5])
        expectClose(try Tensor([0, 1.0986122886681098]).softmax(), [0.25, 0.75])
        // A row of −inf has a logSumExp of −inf rather than NaN.
        #expect(try Tensor([-Float.infinity, -Float.infinity]).logSumExp(axis: 0).item() == -.infinity)
    }

    @Test("sum accumulates in double precision")
    func sumPrecision() throws {
        // 2^24 + 1 + 1 + ... is lost in Float accumulation but not in Double.
        var values = [Float](repeating: 1, count: 1001)
        values[0] = 16_777_216
        #expect(try Tensor(values).sum().item() == 16_778_216)
    }

    @Test("comparisons give 0/1 tensors with broadcasting")
    func comparisons() throws {
        let x = Tensor([1, 2, 3])
        let two = Tensor(scalar: 2)
        #expect(try x.compared(.less, two).scalars == [1, 0, 0])
        #expect(try x.compared(.lessEqual, two).scalars == [1, 1, 0])
        #expect(try x.compared(.greater, two).scalars == [0, 0, 1])
        #expect(try x.compared(.greaterEqual, two).scalars == [0, 1, 1])
        #expect(try x.compared(.equal, two).scalars == [0, 1, 0])
        #expect(try x.compared(.notEqual, two).scalars == [1, 0, 1])
    }

    @Test("construction helpers")
    func creation() throws {
        #expect(try Tensor.arange(0, 5) == Tensor([0, 1, 2, 3, 4]))
        #expect(try Tensor.arange(1, 2, step: 0.25) == Tensor([1, 1.25, 1.5, 1.75]))
        #expect(try Tensor.arange(5, 0, step: -2) == Tensor([5, 3, 1]))
        #expect(try Tensor.arange(0, 0).shape == [0])
        #expect(throws: TensorError.self) { try Tensor.arange(0, 1, step: 0) }
        #expect(Tensor.full([2, 2], 7).scalars == [7, 7, 7, 7])
        #expect(Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor.zeros(like: m).shape == [2, 3])
        #expect(try m.scalar(at: [1, -1]) == 6)
        #expect(throws: TensorError.self) { try m.scalar(at: [2, 0]) }
        #expect(throws: TensorError.self) { try m.item() }
        #expect(throws: TensorError.self) { try Tensor([[1, 2], [3]]) }
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], scalars: [1, 2, 3]) }
        var rng = SeededGenerator(seed: 3)
        let u = Tensor.randomUniform([1000], low: -2, high: 3, using: &rng)
        #expect(u.scalars.allSatisfy { $0 >= -2 && $0 < 3 })
        #expect(u.scalars.min()! < -1.9 && u.scalars.max()! > 2.9)
    }

    @Test("copies are independent after mutation (copy-on-write)")
    func copyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b.withUnsafeMutableBufferPointer { $0[0] = 100 }
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [100, 2, 3])
    }
}
