import Foundation

// Plain-loop float64 reference implementations used by the gradient checks
// and the direct tests. They are deliberately naive: index arithmetic on
// row-major arrays, no shared code with the library.

enum Ref {
    static func product(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// Row-major index of flat position `flat`.
    static func unflatten(_ flat: Int, _ shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = flat
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    static func flatten(_ index: [Int], _ shape: [Int]) -> Int {
        var flat = 0
        for (i, n) in zip(index, shape) { flat = flat * n + i }
        return flat
    }

    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        return (0..<rank).map { i in
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            return da == 1 ? db : da
        }
    }

    /// The flat position in `shape` that broadcasting reads for output index `outIndex`.
    static func broadcastSource(_ outIndex: [Int], _ shape: [Int]) -> Int {
        let pad = outIndex.count - shape.count
        var flat = 0
        for axis in 0..<shape.count {
            let i = shape[axis] == 1 ? 0 : outIndex[axis + pad]
            flat = flat * shape[axis] + i
        }
        return flat
    }

    static func broadcast(
        _ a: [Double], _ aShape: [Int], _ b: [Double], _ bShape: [Int], _ f: (Double, Double) -> Double
    ) -> [Double] {
        let out = broadcastShape(aShape, bShape)
        return (0..<product(out)).map { o in
            let index = unflatten(o, out)
            return f(a[broadcastSource(index, aShape)], b[broadcastSource(index, bShape)])
        }
    }

    /// Reduces `x` along `axis` with `f` applied to each line; output in row-major
    /// order of the shape without that axis (the same order with keepDims).
    static func reduce(_ x: [Double], _ shape: [Int], axis: Int, _ f: ([Double]) -> Double) -> [Double] {
        let a = axis < 0 ? axis + shape.count : axis
        var outShape = shape
        outShape.remove(at: a)
        return (0..<product(outShape)).map { o in
            var index = unflatten(o, outShape)
            index.insert(0, at: a)
            var line: [Double] = []
            for k in 0..<shape[a] {
                index[a] = k
                line.append(x[flatten(index, shape)])
            }
            return f(line)
        }
    }

    /// Applies `f` to every line along `axis`, writing the results back in place.
    static func mapLines(_ x: [Double], _ shape: [Int], axis: Int, _ f: ([Double]) -> [Double]) -> [Double] {
        let a = axis < 0 ? axis + shape.count : axis
        var outShape = shape
        outShape.remove(at: a)
        var y = x
        for o in 0..<product(outShape) {
            var index = unflatten(o, outShape)
            index.insert(0, at: a)
            var positions: [Int] = []
            for k in 0..<shape[a] {
                index[a] = k
                positions.append(flatten(index, shape))
            }
            let mapped = f(positions.map { x[$0] })
            for (p, v) in zip(positions, mapped) { y[p] = v }
        }
        return y
    }

    static func logSumExp(_ line: [Double]) -> Double {
        var total = 0.0
        for v in line { total += Foundation.exp(v) }
        return Foundation.log(total)
    }

    static func softmax(_ line: [Double]) -> [Double] {
        let e = line.map { Foundation.exp($0) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// op(A)·op(B), A stored [m, k] (or [k, m] when transposed), B stored [k, n] (or [n, k]).
    static func matmul(
        _ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, transposeA: Bool, transposeB: Bool
    ) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc = 0.0
                for p in 0..<k {
                    let av = transposeA ? a[p * m + i] : a[i * k + p]
                    let bv = transposeB ? b[j * k + p] : b[p * n + j]
                    acc += av * bv
                }
                c[i * n + j] = acc
            }
        }
        return c
    }

    static func permute(_ x: [Double], _ shape: [Int], _ axes: [Int]) -> [Double] {
        let outShape = axes.map { shape[$0] }
        return (0..<product(outShape)).map { o in
            let outIndex = unflatten(o, outShape)
            var inIndex = [Int](repeating: 0, count: shape.count)
            for (i, a) in axes.enumerated() { inIndex[a] = outIndex[i] }
            return x[flatten(inIndex, shape)]
        }
    }

    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
}
