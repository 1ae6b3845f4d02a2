import Tensors
import TestSupport
import Testing

@Suite("Shape and indexing gradients")
struct ShapeGradientTests {
    @Test("reshaped, including an inferred dimension")
    func reshaped() throws {
        let x = randomTensor([2, 3, 4], seed: 90)
        #expect(try x.reshaped([4, -1]).shape == [4, 6])
        try checkGradients([x], { try $0[0].reshaped([4, -1]).squared() }) { x in x[0].map { $0 * $0 } }
        try checkGradients([x], { try $0[0].reshaped([24]) * Tensor((0..<24).map(Float.init)) }) { x in
            x[0].enumerated().map { Double($0.offset) * $0.element }
        }
    }

    @Test("permuted [2, 3, 4] by [2, 0, 1] and other orders", arguments: [[2, 0, 1], [1, 2, 0], [0, 2, 1], [-1, 0, 1]])
    func permuted(_ axes: [Int]) throws {
        let shape = [2, 3, 4]
        let x = randomTensor(shape, seed: 91)
        let normalized = axes.map { $0 < 0 ? $0 + 3 : $0 }
        #expect(try x.permuted(axes).shape == normalized.map { shape[$0] })
        try checkGradients([x], { try $0[0].permuted(axes) }) { x in Ref.permute(x[0], shape, normalized) }
    }

    @Test("transposed", arguments: [[3, 5], [1, 4], [5, 34]])
    func transposed(_ shape: [Int]) throws {
        let x = randomTensor(shape, seed: 92)
        let t = try x.transposed()
        #expect(t.shape == [shape[1], shape[0]])
        try checkGradients([x], { try $0[0].transposed() }) { x in Ref.permute(x[0], shape, [1, 0]) }
    }

    @Test("concatenate along axis 0, 1 and -1")
    func concatenate() throws {
        let a = randomTensor([2, 3], seed: 93), b = randomTensor([4, 3], seed: 94)
        try checkGradients([a, b], { try Tensor.concatenate($0, axis: 0) }) { x in x[0] + x[1] }

        let c = randomTensor([2, 1], seed: 95), d = randomTensor([2, 2], seed: 96)
        let expected: ([[Double]]) -> [Double] = { x in
            var out: [Double] = []
            for r in 0..<2 {
                for j in 0..<3 { out.append(x[0][r * 3 + j]) }
                out.append(x[1][r])
                for j in 0..<2 { out.append(x[2][r * 2 + j]) }
            }
            return out
        }
        try checkGradients([a, c, d], { try Tensor.concatenate($0, axis: 1) }, reference: expected)
        try checkGradients([a, c, d], { try Tensor.concatenate($0, axis: -1) }, reference: expected)
    }

    @Test("concatenate where only some inputs require gradients")
    func concatenatePartial() throws {
        let a = randomTensor([2, 2], seed: 97).requiringGrad()
        let b = randomTensor([2, 3], seed: 98)
        let y = try Tensor.concatenate([a, b], axis: 1)
        try (y * Tensor((0..<10).map(Float.init)).reshaped([2, 5])).sum().backward()
        #expect(a.grad?.scalars == [0, 1, 5, 6])
    }

    @Test("stack along a new axis", arguments: [0, 1, 2, -1])
    func stack(_ axis: Int) throws {
        let xs = (0..<3).map { randomTensor([2, 4], seed: 100 + UInt64($0)) }
        let a = axis < 0 ? axis + 3 : axis
        var expectedShape = [2, 4]
        expectedShape.insert(3, at: a)
        #expect(try Tensor.stack(xs, axis: axis).shape == expectedShape)
        try checkGradients(xs, { try Tensor.stack($0, axis: axis) }) { x in
            (0..<Ref.product(expectedShape)).map { o in
                var index = Ref.unflatten(o, expectedShape)
                let which = index.remove(at: a)
                return x[which][Ref.flatten(index, [2, 4])]
            }
        }
    }

    @Test("sliced with an index, a step of 2 and negative bounds")
    func sliced() throws {
        let shape = [3, 5, 4]
        let x = randomTensor(shape, seed: 110)
        let components: [Tensor.SliceComponent] = [
            .index(-2), .range(start: nil, end: nil, step: 2), .range(start: -3, end: -1, step: 1),
        ]
        let y = try x.sliced(components)
        #expect(y.shape == [3, 2])
        try checkGradients([x], { try $0[0].sliced(components) }) { x in
            [0, 2, 4].flatMap { j in [1, 2].map { k in x[0][Ref.flatten([1, j, k], shape)] } }
        }
    }

    @Test("sliced with a step that does not divide the length and trailing components omitted")
    func slicedStep() throws {
        let shape = [7, 2]
        let x = randomTensor(shape, seed: 111)
        let y = try x.sliced([.range(start: 1, end: nil, step: 3)])
        #expect(y.shape == [2, 2])  // rows 1 and 4
        try checkGradients([x], { try $0[0].sliced([.range(start: 1, end: nil, step: 3)]) }) { x in
            [x[0][2], x[0][3], x[0][8], x[0][9]]
        }
    }

    @Test("slice(axis:_:) picks a contiguous range", arguments: [0, 1, -1])
    func slice(_ axis: Int) throws {
        let shape = [3, 4, 5]
        let x = randomTensor(shape, seed: 112)
        let a = axis < 0 ? axis + 3 : axis
        var outShape = shape
        outShape[a] = 2
        #expect(try x.slice(axis: axis, 1..<3).shape == outShape)
        try checkGradients([x], { try $0[0].slice(axis: axis, 1..<3) }) { x in
            (0..<Ref.product(outShape)).map { o in
                var index = Ref.unflatten(o, outShape)
                index[a] += 1
                return x[0][Ref.flatten(index, shape)]
            }
        }
    }

    @Test("take with repeated and negative indices", arguments: [0, 1, -1])
    func take(_ axis: Int) throws {
        let shape = [3, 4]
        let x = randomTensor(shape, seed: 113)
        let indices = [2, 0, 2, -1, 2]
        let a = axis < 0 ? axis + 2 : axis
        let resolved = indices.map { $0 < 0 ? $0 + shape[a] : $0 }
        var outShape = shape
        outShape[a] = indices.count
        #expect(try x.take(indices, axis: axis).shape == outShape)
        try checkGradients([x], { try $0[0].take(indices, axis: axis) }) { x in
            (0..<Ref.product(outShape)).map { o in
                var index = Ref.unflatten(o, outShape)
                index[a] = resolved[index[a]]
                return x[0][Ref.flatten(index, shape)]
            }
        }
    }

    @Test("takeAlong gathers along an axis, with repeats", arguments: [0, 1, -1])
    func takeAlong(_ axis: Int) throws {
        let shape = [3, 4]
        let x = randomTensor(shape, seed: 114)
        let a = axis < 0 ? axis + 2 : axis
        var indexShape = shape
        indexShape[a] = 5
        let size = shape[a]
        // Seeded indices in 0..<size, with a forced repeat and negative indices
        // (counting from the end, as in NumPy).
        var rng = SeededGenerator(seed: 115)
        var raw = (0..<Ref.product(indexShape)).map { _ in Float(rng.nextIndex(below: size)) }
        raw[0] = 1
        raw[a == 0 ? indexShape[1] : 1] = 1
        raw[raw.count - 1] = -1
        raw[raw.count - 2] = -Float(size)
        let indices = try Tensor(shape: indexShape, scalars: raw)
        #expect(try x.takeAlong(axis: axis, indices: indices).shape == indexShape)
        try checkGradients([x], { try $0[0].takeAlong(axis: axis, indices: indices) }) { x in
            (0..<raw.count).map { o in
                var index = Ref.unflatten(o, indexShape)
                index[a] = raw[o] < 0 ? Int(raw[o]) + size : Int(raw[o])
                return x[0][Ref.flatten(index, shape)]
            }
        }
    }

    @Test("where chooses per element and routes gradients to the chosen side")
    func whereSelect() throws {
        let condition = try Tensor(shape: [2, 3], scalars: [1, 0, 0, 1, 1, 0])
        let a = randomTensor([2, 3], seed: 116), b = randomTensor([3], seed: 117)
        try checkGradients([a, b], { try Tensor.where(condition, $0[0], $0[1]) }) { x in
            (0..<6).map { i in condition.scalars[i] != 0 ? x[0][i] : x[1][i % 3] }
        }
        // A broadcast condition [2, 1] with a scalar on one side.
        let rows = try Tensor([0, 1]).reshaped([2, 1])
        let s = randomTensor([], seed: 118)
        try checkGradients([a, s], { try Tensor.where(rows, $0[0], $0[1]) }) { x in
            (0..<6).map { i in i >= 3 ? x[0][i] : x[1][0] }
        }
    }
}
