/// Selecting elements: slices, `take` along an axis, `takeAlong` (gather),
/// comparisons and `where`.
extension Tensor {
    /// One component of a subscript: an index (drops the axis) or a range with a step.
    public enum SliceComponent: Equatable, Sendable {
        case index(Int)
        /// Python-style bounds: nil means the end in that direction; negatives count from the end.
        case range(start: Int?, end: Int?, step: Int)
        public static let all = SliceComponent.range(start: nil, end: nil, step: 1)
    }

    /// Elements `range` along `axis` (contiguous, step 1).
    public func slice(axis: Int, _ range: Range<Int>) throws -> Tensor {
        let a = try normalizedAxis(axis, rank: rank, op: "slice")
        var components = [SliceComponent](repeating: .all, count: rank)
        components[a] = .range(start: range.lowerBound, end: range.upperBound, step: 1)
        return try sliced(components)
    }

    /// NumPy basic indexing: `x[1, 2:5, ::2]` is
    /// `x.sliced([.index(1), .range(start: 2, end: 5, step: 1), .range(start: nil, end: nil, step: 2)])`.
    /// Missing trailing components select everything. Backward scatters the
    /// gradient into zeros.
    public func sliced(_ components: [SliceComponent]) throws -> Tensor {
        guard components.count <= rank else {
            throw TensorError.invalidArgument("index: \(components.count) indices for a tensor of rank \(rank) (shape \(formatShape(shape)))")
        }
        var starts: [Int] = [], steps: [Int] = [], lengths: [Int] = [], keep: [Bool] = []
        for axis in 0..<rank {
            let size = shape[axis]
            let c = axis < components.count ? components[axis] : .all
            switch c {
            case .index(let i):
                let j = i < 0 ? i + size : i
                guard j >= 0, j < size else { throw TensorError.indexOutOfRange(op: "index", index: i, size: size) }
                starts.append(j); steps.append(1); lengths.append(1); keep.append(false)
            case let .range(start, end, step):
                guard step > 0 else { throw TensorError.invalidArgument("slice: step must be positive, got \(step)") }
                func clampBound(_ v: Int?, _ dflt: Int) -> Int {
                    guard let v else { return dflt }
                    return Swift.min(Swift.max(v < 0 ? v + size : v, 0), size)
                }
                let s = clampBound(start, 0), e = clampBound(end, size)
                starts.append(s); steps.append(step); lengths.append(e > s ? (e - s + step - 1) / step : 0); keep.append(true)
            }
        }
        let strides = contiguousStrides(shape)
        var out = Tensor(uninitializedShape: lengths)
        let total = out.count
        let src = storage.pointer, dst = out.storage.pointer
        var base = 0
        for axis in 0..<rank { base += starts[axis] * strides[axis] }
        // offsets[i] = flat input offset of output element i
        var index = [Int](repeating: 0, count: rank)
        var offset = base
        var offsets = [Int](repeating: 0, count: total)
        for o in 0..<total {
            dst[o] = src[offset]
            offsets[o] = offset
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += steps[axis] * strides[axis]
                if index[axis] < lengths[axis] { break }
                offset -= steps[axis] * strides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        let finalShape = zip(lengths, keep).filter { $0.1 }.map { $0.0 }
        let inShape = shape
        return out.viewed(as: finalShape).recorded("slice", self) { g in
            var gx = Tensor.zeros(inShape)
            let gp = g.storage.pointer, dp = gx.storage.pointer
            for o in 0..<total { dp[offsets[o]] += gp[o] }
            return gx
        }
    }

    /// The slices at `indices` along `axis`, in that order (repeats allowed),
    /// like `numpy.take`. Backward adds each slice's gradient back to its source.
    public func take(_ indices: [Int], axis: Int = 0) throws -> Tensor {
        let a = try normalizedAxis(axis, rank: rank, op: "take")
        let size = shape[a]
        let resolved = try indices.map { i throws -> Int in
            let j = i < 0 ? i + size : i
            guard j >= 0, j < size else { throw TensorError.indexOutOfRange(op: "take", index: i, size: size) }
            return j
        }
        let outer = shapeProduct(Array(shape[..<a])), inner = shapeProduct(Array(shape[(a + 1)...]))
        var outShape = shape
        outShape[a] = resolved.count
        var out = Tensor(uninitializedShape: outShape)
        let src = storage.pointer, dst = out.storage.pointer
        for o in 0..<outer {
            for (k, j) in resolved.enumerated() {
                (dst + (o * resolved.count + k) * inner).update(from: src + (o * size + j) * inner, count: inner)
            }
        }
        let inShape = shape
        return out.recorded("take", self) { g in
            var gx = Tensor.zeros(inShape)
            let gp = g.storage.pointer, dp = gx.storage.pointer
            for o in 0..<outer {
                for (k, j) in resolved.enumerated() {
                    let d = dp + (o * size + j) * inner, s = gp + (o * resolved.count + k) * inner
                    for t in 0..<inner { d[t] += s[t] }
                }
            }
            return gx
        }
    }

    /// `numpy.take_along_axis`: `out[..., k, ...] = self[..., indices[..., k, ...], ...]`
    /// along `axis`. `indices` holds integers (as Float) and has this tensor's
    /// shape except along `axis`. Used to pick log-probabilities of sampled answers.
    public func takeAlong(axis: Int, indices: Tensor) throws -> Tensor {
        let a = try normalizedAxis(axis, rank: rank, op: "take_along_axis")
        var s1 = shape, s2 = indices.shape
        guard s1.count == s2.count else {
            throw TensorError.shapeMismatch(op: "take_along_axis", shape, indices.shape, reason: "have different ranks")
        }
        s1[a] = 0; s2[a] = 0
        guard s1 == s2 else {
            throw TensorError.shapeMismatch(op: "take_along_axis", shape, indices.shape, reason: "differ outside axis \(a)")
        }
        let outer = shapeProduct(Array(shape[..<a])), inner = shapeProduct(Array(shape[(a + 1)...]))
        let n = shape[a], m = indices.shape[a]
        var sources = [Int](repeating: 0, count: indices.count)
        let ip = indices.storage.pointer
        for o in 0..<outer {
            for k in 0..<m {
                for j in 0..<inner {
                    let pos = (o * m + k) * inner + j
                    let raw = ip[pos]
                    guard raw == raw.rounded(), raw > -Float(n) - 1, raw < Float(n) else {
                        throw TensorError.indexOutOfRange(op: "take_along_axis", index: Int(raw.isFinite ? raw : -1), size: n)
                    }
                    let t = Int(raw) < 0 ? Int(raw) + n : Int(raw)
                    guard t >= 0, t < n else { throw TensorError.indexOutOfRange(op: "take_along_axis", index: Int(raw), size: n) }
                    sources[pos] = (o * n + t) * inner + j
                }
            }
        }
        var out = Tensor(uninitializedShape: indices.shape)
        let src = storage.pointer, dst = out.storage.pointer
        for i in 0..<sources.count { dst[i] = src[sources[i]] }
        let inShape = shape
        return out.recorded("take_along_axis", self) { g in
            var gx = Tensor.zeros(inShape)
            let gp = g.storage.pointer, dp = gx.storage.pointer
            for i in 0..<sources.count { dp[sources[i]] += gp[i] }
            return gx
        }
    }

    // MARK: Comparisons (no gradient; 1 where true, 0 where false)

    public enum Comparison: String, Sendable { case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "==", notEqual = "!=" }

    /// Elementwise comparison with broadcasting, as a 0/1 tensor.
    public func compared(_ op: Comparison, _ other: Tensor) throws -> Tensor {
        switch op {
        case .less: return try Tensor.broadcasting(self, other, op: "<") { $0 < $1 ? 1 : 0 }
        case .lessEqual: return try Tensor.broadcasting(self, other, op: "<=") { $0 <= $1 ? 1 : 0 }
        case .greater: return try Tensor.broadcasting(self, other, op: ">") { $0 > $1 ? 1 : 0 }
        case .greaterEqual: return try Tensor.broadcasting(self, other, op: ">=") { $0 >= $1 ? 1 : 0 }
        case .equal: return try Tensor.broadcasting(self, other, op: "==") { $0 == $1 ? 1 : 0 }
        case .notEqual: return try Tensor.broadcasting(self, other, op: "!=") { $0 != $1 ? 1 : 0 }
        }
    }

    /// `a` where `condition` is non-zero, else `b`; all three broadcast together.
    /// The gradient flows to whichever side was chosen.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let outShape = try Broadcast.shape(
            try Broadcast.shape(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let canvas = Tensor.zeros(outShape)
        let mask = try broadcasting(canvas, condition, op: "where") { _, c in c != 0 ? 1 : 0 }
        var out = try broadcasting(canvas, a, op: "where") { _, x in x }
        let bv = try broadcasting(canvas, b, op: "where") { _, y in y }
        let mp = mask.storage.pointer, dst = out.storage.pointer, bp = bv.storage.pointer
        for i in 0..<out.count where mp[i] == 0 { dst[i] = bp[i] }
        return out.recorded("where", a, b) { g, needA, needB in
            (needA ? try (g * mask).reduced(toShape: a.shape) : nil,
             needB ? try (g * (1 - mask)).reduced(toShape: b.shape) : nil)
        }
    }
}
