/// Shape changes: reshape, transpose/permute, concatenate, stack.
extension Tensor {
    /// The same elements with a new shape; one dimension may be −1 (inferred).
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let unknown = target.indices.filter { target[$0] == -1 }
        guard unknown.count <= 1, target.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.invalidArgument("reshape: \(formatShape(newShape)) may hold at most one -1 and no other negative size")
        }
        if let u = unknown.first {
            let known = shapeProduct(target.filter { $0 != -1 })
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", shape, newShape, reason: "are incompatible: \(count) elements cannot fill it")
            }
            target[u] = count / known
        }
        guard shapeProduct(target) == count else {
            throw TensorError.shapeMismatch(op: "reshape", shape, newShape, reason: "have different numbers of elements (\(count) vs \(shapeProduct(target)))")
        }
        let original = shape
        return viewed(as: target).recorded("reshape", self) { g in g.viewed(as: original) }
    }

    /// The dimensions reordered: result dimension i is input dimension `axes[i]`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let normalized = try axes.map { axis throws -> Int in try normalizedAxis(axis, rank: rank, op: "transpose") }
        guard normalized.count == rank, Set(normalized).count == rank else {
            throw TensorError.invalidArgument("transpose: axes \(axes) are not a permutation of 0..<\(rank)")
        }
        let outShape = normalized.map { shape[$0] }
        var out = Tensor(uninitializedShape: outShape)
        if count > 0 {
            if rank == 2 && normalized == [1, 0] {
                Tensor.transpose2D(storage.pointer, out.storage.pointer, rows: shape[0], columns: shape[1])
            } else {
                let inStrides = contiguousStrides(shape)
                let strides = normalized.map { inStrides[$0] }
                var index = [Int](repeating: 0, count: rank)
                let src = storage.pointer, dst = out.storage.pointer
                var offset = 0
                for o in 0..<count {
                    dst[o] = src[offset]
                    var axis = rank - 1
                    while axis >= 0 {
                        index[axis] += 1
                        offset += strides[axis]
                        if index[axis] < outShape[axis] { break }
                        offset -= strides[axis] * index[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in normalized.enumerated() { inverse[a] = i }
        return out.recorded("transpose", self) { g in try g.permuted(inverse) }
    }

    /// Blocked 2-D transpose (cache friendly).
    private static func transpose2D(_ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        let block = 32
        for r0 in stride(from: 0, to: rows, by: block) {
            for c0 in stride(from: 0, to: columns, by: block) {
                for r in r0..<Swift.min(r0 + block, rows) {
                    for c in c0..<Swift.min(c0 + block, columns) { dst[c * rows + r] = src[r * columns + c] }
                }
            }
        }
    }

    /// The matrix transpose of a 2-D tensor (a copy; `matmul` takes transpose flags instead).
    public func transposed() throws -> Tensor {
        guard rank == 2 else {
            throw TensorError.invalidArgument("transpose(): expected a 2-D tensor, got shape \(formatShape(shape)); use permuted(_:) for other ranks")
        }
        return try permuted([1, 0])
    }

    /// Joins tensors along an existing axis; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument("concat: needs at least one tensor") }
        let a = try normalizedAxis(axis, rank: first.rank, op: "concat")
        for t in tensors.dropFirst() {
            var s1 = first.shape, s2 = t.shape
            guard s1.count == s2.count else {
                throw TensorError.shapeMismatch(op: "concat", first.shape, t.shape, reason: "have different ranks")
            }
            s1[a] = 0; s2[a] = 0
            guard s1 == s2 else {
                throw TensorError.shapeMismatch(op: "concat", first.shape, t.shape, reason: "differ outside axis \(a)")
            }
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let outer = shapeProduct(Array(first.shape[..<a]))
        let inner = shapeProduct(Array(first.shape[(a + 1)...]))
        var out = Tensor(uninitializedShape: outShape)
        let rowLength = outShape[a] * inner
        var start = 0
        for t in tensors {
            let chunk = t.shape[a] * inner
            for o in 0..<outer {
                (out.storage.pointer + o * rowLength + start).update(from: t.storage.pointer + o * chunk, count: chunk)
            }
            start += chunk
        }
        let sizes = tensors.map { $0.shape[a] }
        return out.recorded("concat", tensors) { g in
            var grads: [Tensor?] = []
            var offset = 0
            for (t, size) in zip(tensors, sizes) {
                grads.append(t.requiresGrad ? try g.slice(axis: a, offset..<(offset + size)) : nil)
                offset += size
            }
            return grads
        }
    }

    /// Joins tensors of identical shape along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument("stack: needs at least one tensor") }
        for t in tensors where t.shape != first.shape {
            throw TensorError.shapeMismatch(op: "stack", first.shape, t.shape, reason: "differ: stacked tensors must have equal shapes")
        }
        let a = try normalizedAxis(axis, rank: first.rank + 1, op: "stack")
        var expanded = first.shape
        expanded.insert(1, at: a)
        return try concatenate(tensors.map { try $0.reshaped(expanded) }, axis: a)
    }
}
