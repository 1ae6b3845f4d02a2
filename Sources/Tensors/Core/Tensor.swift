import CKernels

/// A dense, row-major array of Float32 values with value semantics.
///
/// Copies share storage until one is mutated (copy-on-write). A tensor may
/// carry an autodiff node: operations on tensors that require gradients record
/// how to propagate gradients back, and `backward()` on a scalar result fills
/// `grad` on the leaves (see `Autodiff.swift`).
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let w = Tensor.randomNormal([3, 2], using: &rng).requiringGrad()
/// let loss = try (Tensor.ones([4, 3]).matmul(w)).sum()
/// try loss.backward()
/// print(w.grad!)          // every entry 4
/// ```
public struct Tensor: @unchecked Sendable {
    /// The size of each dimension; `[]` for a scalar.
    public private(set) var shape: [Int]
    @usableFromInline var storage: Storage
    /// Set when this tensor takes part in gradient computation.
    var node: GradNode?

    /// Wraps existing storage. `storage.count` must equal the shape's product.
    init(shape: [Int], storage: Storage, node: GradNode? = nil) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// An uninitialised tensor, for operations that write every element.
    init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: Storage(uninitializedCount: shapeProduct(shape)))
    }

    /// A new tensor whose every element `body` writes, without zeroing it
    /// first: for producers that fill large tensors (in parallel) from other
    /// data, so the memory is touched once. `body` must write all elements.
    public static func writingEveryElement(shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        try body(out.storage.buffer)
        return out
    }

    /// A tensor with the given shape and elements in row-major order.
    public init(shape: [Int], scalars: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument("shape \(formatShape(shape)) has a negative dimension")
        }
        guard shapeProduct(shape) == scalars.count else {
            throw TensorError.invalidArgument(
                "shape \(formatShape(shape)) needs \(shapeProduct(shape)) elements, got \(scalars.count)")
        }
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// A 1-D tensor of the given elements.
    public init(_ scalars: [Float]) {
        self.init(uninitializedShape: [scalars.count])
        scalars.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { storage.pointer.update(from: base, count: src.count) }
        }
    }

    /// A 2-D tensor from rows of equal length.
    public init(_ rows: [[Float]]) throws {
        let columns = rows.first?.count ?? 0
        for (i, row) in rows.enumerated() where row.count != columns {
            throw TensorError.invalidArgument(
                "row \(i) has \(row.count) elements but row 0 has \(columns): rows must have equal length")
        }
        try self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A scalar (rank-0) tensor.
    public init(scalar: Float) {
        self.init(shape: [], storage: Storage(count: 1, repeating: scalar))
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { storage.count }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(storage.buffer) }

    /// The single value of a tensor with one element.
    public func item() throws -> Float {
        guard count == 1 else {
            throw TensorError.invalidArgument("item(): tensor of shape \(formatShape(shape)) has \(count) elements, not 1")
        }
        return storage.pointer[0]
    }

    /// The element at a full index, e.g. `x.scalar(at: [1, 2])`.
    public func scalar(at index: [Int]) throws -> Float {
        guard index.count == rank else {
            throw TensorError.invalidArgument(
                "index has \(index.count) components but the tensor has rank \(rank) (shape \(formatShape(shape)))")
        }
        var offset = 0
        for (axis, i) in index.enumerated() {
            let n = shape[axis]
            let j = i < 0 ? i + n : i
            guard j >= 0, j < n else { throw TensorError.indexOutOfRange(op: "index", index: i, size: n) }
            offset = offset * n + j
        }
        return storage.pointer[offset]
    }

    /// Gives this tensor its own storage if it shares it, before a mutation.
    @inline(__always) mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
    }

    /// Mutable access to the elements. Mutating a tensor that is part of a
    /// recorded computation would corrupt its gradients; mutation is meant
    /// for parameters between steps (optimizers) and for building inputs.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try body(storage.buffer)
    }

    /// Rewrites every element from the current ones: `body(old, new)` must
    /// write all of `new`, reading `old` (they may be the same buffer). When
    /// the storage is shared, e.g. a snapshot still holds the old values, the
    /// new values go to a fresh buffer, so nothing is copied first; otherwise
    /// the update happens in place (`old` and `new` are then the same memory).
    public mutating func updateEveryElement<R>(
        _ body: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if isKnownUniquelyReferenced(&storage) {
            return try body(UnsafeBufferPointer(storage.buffer), storage.buffer)
        }
        let old = storage
        storage = Storage(uninitializedCount: old.count)
        return try body(UnsafeBufferPointer(old.buffer), storage.buffer)
    }

    /// Whether every element is finite (no infinity, no NaN).
    public var isAllFinite: Bool { fg_all_finite(storage.pointer, count) != 0 }

    /// Read-only access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Same elements, new shape (no copy). Internal: callers check counts.
    func viewed(as newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }
}

@inline(__always)
func shapeProduct(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n &*= d }
    return n
}

/// Row-major strides of a shape, in elements.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s *= shape[i]
    }
    return strides
}

extension Tensor: Equatable {
    /// Equal shapes and elements (autodiff state is ignored).
    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.shape == b.shape && (a.storage === b.storage || a.scalars == b.scalars)
    }
}
