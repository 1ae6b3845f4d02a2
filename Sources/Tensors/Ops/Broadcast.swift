/// NumPy broadcasting: shapes are aligned from the right; a dimension of 1
/// stretches to match the other.
enum Broadcast {
    static func shape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                throw TensorError.shapeMismatch(
                    op: op, a, b, reason: "cannot be broadcast together (dimension \(i) is \(da) vs \(db))")
            }
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Strides to read `shape` as if it had `outShape` (0 along stretched dimensions).
    static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
        let pad = outShape.count - shape.count
        let own = contiguousStrides(shape)
        return (0..<outShape.count).map { i in
            i < pad || shape[i - pad] == 1 ? 0 : own[i - pad]
        }
    }
}

extension Tensor {
    /// Elementwise `f(a, b)` with broadcasting. Fast paths for equal shapes and
    /// scalars; otherwise walks the output with the last axis as the inner loop.
    @inline(__always)
    static func broadcasting(
        _ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float
    ) throws -> Tensor {
        if a.shape == b.shape { return zipped(a, b, f) }
        let outShape = try Broadcast.shape(a.shape, b.shape, op: op)
        var out = Tensor(uninitializedShape: outShape)
        let pa = a.storage.pointer, pb = b.storage.pointer, dst = out.storage.pointer
        let n = out.count
        if b.count == 1 && a.count == n {
            let s = pb[0]
            for i in 0..<n { dst[i] = f(pa[i], s) }
            return out
        }
        if a.count == 1 && b.count == n {
            let s = pa[0]
            for i in 0..<n { dst[i] = f(s, pb[i]) }
            return out
        }
        if n == 0 { return out }
        let sa = Broadcast.strides(of: a.shape, in: outShape)
        let sb = Broadcast.strides(of: b.shape, in: outShape)
        let rank = outShape.count
        let inner = outShape[rank - 1]
        let ia = sa[rank - 1], ib = sb[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var offA = 0, offB = 0, o = 0
        while o < n {
            let xa = pa + offA, xb = pb + offB, y = dst + o
            switch (ia, ib) {
            case (1, 1): for j in 0..<inner { y[j] = f(xa[j], xb[j]) }
            case (1, 0): let s = xb[0]; for j in 0..<inner { y[j] = f(xa[j], s) }
            case (0, 1): let s = xa[0]; for j in 0..<inner { y[j] = f(s, xb[j]) }
            default: for j in 0..<inner { y[j] = f(xa[j * ia], xb[j * ib]) }
            }
            o += inner
            // Advance the odometer over the outer axes.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offA += sa[axis]; offB += sb[axis]
                if index[axis] < outShape[axis] { break }
                offA -= sa[axis] * index[axis]; offB -= sb[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }

    /// Sums a broadcast gradient back down to `target` (the shape of an input).
    func reduced(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        if shapeProduct(target) == 1 {
            return (try? sum())!.viewed(as: target)
        }
        var g = self
        let pad = rank - target.count
        for axis in 0..<rank {
            let t = axis < pad ? 1 : target[axis - pad]
            if t == 1 && g.shape[axis] != 1 { g = (try? g.sum(axis: axis, keepDims: true))! }
        }
        return g.viewed(as: target)
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcasting(a, b, op: "add") { $0 + $1 }.recorded("add", a, b) { g, needA, needB in
            (needA ? g.reduced(toShape: a.shape) : nil, needB ? g.reduced(toShape: b.shape) : nil)
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcasting(a, b, op: "subtract") { $0 - $1 }.recorded("sub", a, b) { g, needA, needB in
            (needA ? g.reduced(toShape: a.shape) : nil, needB ? (-g).reduced(toShape: b.shape) : nil)
        }
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcasting(a, b, op: "multiply") { $0 * $1 }.recorded("mul", a, b) { g, needA, needB in
            (needA ? try (g * b.detached()).reduced(toShape: a.shape) : nil,
             needB ? try (g * a.detached()).reduced(toShape: b.shape) : nil)
        }
    }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcasting(a, b, op: "divide") { $0 / $1 }.recorded("div", a, b) { g, needA, needB in
            let bd = b.detached()
            let ga = needA ? try (g / bd).reduced(toShape: a.shape) : nil
            let gb = needB ? try (-(g * a.detached()) / (bd * bd)).reduced(toShape: b.shape) : nil
            return (ga, gb)
        }
    }

    /// Elementwise maximum; where equal, the gradient goes to `a`.
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try broadcasting(a, b, op: "maximum") { Swift.max($0, $1) }.recorded("maximum", a, b) { g, needA, needB in
            let takeA = try broadcasting(a, b, op: "maximum") { $0 >= $1 ? 1 : 0 }
            return (needA ? try (g * takeA).reduced(toShape: a.shape) : nil,
                    needB ? try (g * (1 - takeA)).reduced(toShape: b.shape) : nil)
        }
    }

    /// Elementwise minimum; where equal, the gradient goes to `a`.
    public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try broadcasting(a, b, op: "minimum") { Swift.min($0, $1) }.recorded("minimum", a, b) { g, needA, needB in
            let takeA = try broadcasting(a, b, op: "minimum") { $0 <= $1 ? 1 : 0 }
            return (needA ? try (g * takeA).reduced(toShape: a.shape) : nil,
                    needB ? try (g * (1 - takeA)).reduced(toShape: b.shape) : nil)
        }
    }

    /// Adds `other` (same shape) into this tensor's storage, in place. Not recorded.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: shapes \(formatShape(shape)) and \(formatShape(other.shape)) differ")
        makeUnique()
        let dst = storage.pointer, src = other.storage.pointer
        for i in 0..<count { dst[i] += src[i] }
    }
}
