import Tensors
import Testing

@Suite("Shape errors")
struct ShapeErrorTests {
    /// Runs `body`, expecting a `TensorError` whose description contains every
    /// string in `fragments`.
    func expectError(
        _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Tensor
    ) {
        do {
            let result = try body()
            Issue.record("expected a TensorError, got a tensor of shape \(formatShape(result.shape))", sourceLocation: sourceLocation)
        } catch let error as TensorError {
            for fragment in fragments where !error.description.contains(fragment) {
                Issue.record("“\(error.description)” does not mention \(fragment)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected a TensorError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    let a23 = Tensor.zeros([2, 3])
    let v4 = Tensor.zeros([4])

    @Test("broadcasting mismatches name both shapes")
    func broadcasting() {
        expectError(["[2, 3]", "[4]"]) { try a23 + v4 }
        expectError(["[2, 3]", "[4]"]) { try a23 - v4 }
        expectError(["[2, 3]", "[4]"]) { try a23 * v4 }
        expectError(["[2, 3]", "[4]"]) { try a23 / v4 }
        expectError(["[4]", "[2, 3]"]) { try v4 + a23 }
        expectError(["[2, 3]", "[4]"]) { try Tensor.maximum(a23, v4) }
        expectError(["[2, 3]", "[4]"]) { try Tensor.minimum(a23, v4) }
        expectError(["[2, 3]", "[3, 2]"]) { try a23 + Tensor.zeros([3, 2]) }
        expectError(["[2, 3]", "[4]"]) { try a23.compared(.less, v4) }
        expectError(["[2, 3]", "[4]"]) { try Tensor.where(a23, a23, v4) }
    }

    @Test("the error is the shapeMismatch case with both shapes")
    func errorCase() {
        do {
            _ = try a23 + v4
            Issue.record("no error thrown")
        } catch let TensorError.shapeMismatch(op, first, second, _) {
            #expect(op == "add")
            #expect(first == [2, 3])
            #expect(second == [4])
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("matmul, affine, reshape, concatenate, stack and takeAlong mismatches")
    func others() {
        expectError(["[2, 3]", "[4, 5]"]) { try a23.matmul(Tensor.zeros([4, 5])) }
        expectError(["[2, 3]", "[2, 3]"]) { try a23.matmul(a23) }
        expectError(["[2, 3]", "[4]"]) { try a23.matmul(v4) }
        expectError(["[2, 3]", "[2, 5]"]) { try Tensor.affine(a23, weight: Tensor.zeros([2, 5]), bias: Tensor.zeros([5])) }
        expectError(["[2, 3]", "[4, 2]"]) { try a23.reshaped([4, 2]) }
        expectError(["[2, 3]", "[4, -1]"]) { try a23.reshaped([4, -1]) }
        expectError(["[2, 3]", "[2, 4]"]) { try Tensor.concatenate([a23, Tensor.zeros([2, 4])], axis: 0) }
        expectError(["[2, 3]", "[3]"]) { try Tensor.concatenate([a23, Tensor.zeros([3])]) }
        expectError(["[2, 3]", "[3, 2]"]) { try Tensor.stack([a23, Tensor.zeros([3, 2])]) }
        expectError(["[2, 3]", "[3, 3]"]) { try a23.takeAlong(axis: 1, indices: Tensor.zeros([3, 3])) }
        expectError(["[2, 3]", "[3]"]) { try Tensor.crossEntropy(logits: a23, targets: [0, 1, 2]) }
    }

    @Test("axes, indices and arguments out of range")
    func ranges() {
        expectError(["axis 2", "rank 2"]) { try a23.sum(axis: 2) }
        expectError(["axis -3", "rank 2"]) { try a23.max(axis: -3) }
        expectError(["axis 5"]) { try a23.logSumExp(axis: 5) }
        expectError(["index 3", "size 3"]) { try a23.take([0, 3], axis: 1) }
        expectError(["index 2", "size 2"]) { try a23.sliced([.index(2)]) }
        expectError(["step"]) { try a23.sliced([.range(start: nil, end: nil, step: 0)]) }
        expectError(["3 indices"]) { try a23.sliced([.index(0), .index(0), .index(0)]) }
        expectError(["index 3", "size 3"]) { try a23.takeAlong(axis: 1, indices: Tensor.full([2, 1], 3)) }
        expectError(["index"]) { try a23.takeAlong(axis: 1, indices: Tensor.full([2, 1], 0.5)) }
        expectError(["[1, 1]"]) { try a23.permuted([1, 1]) }
        expectError(["[2, 3, 4]"]) { try Tensor.zeros([2, 3, 4]).transposed() }
        expectError(["scalar"]) { try Tensor(scalar: 1).softmax() }
    }
}
