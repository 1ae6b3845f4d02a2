/// Printing like NumPy: nested brackets, columns aligned, and large tensors
/// summarised with `...` (more than 1,000 elements: 3 items at each edge).
extension Tensor: CustomStringConvertible {
    public static let summaryThreshold = 1000
    public static let edgeItems = 3

    public var description: String { formatted() }

    /// The tensor as text, e.g. `tensor([[1, 2.5], [3, 4]])`.
    public func formatted(prefix: String = "tensor(") -> String {
        if rank == 0 { return prefix + Tensor.format(storage.pointer[0]) + ")" }
        let summarise = count > Tensor.summaryThreshold
        let shown = visibleValues(summarise: summarise).map(Tensor.format)
        let width = shown.map(\.count).max() ?? 1
        // When every value has a fractional part, align the decimal points as
        // NumPy does (`0.09  , 0.2447`) instead of right-aligning.
        let fractionWidth = shown.allSatisfy({ $0.contains(".") })
            ? shown.map { $0.count - 1 - $0.firstIndex(of: ".")!.utf16Offset(in: $0) }.max() ?? 0 : nil
        var text = prefix
        appendBlock(axis: 0, offset: 0, indent: prefix.count, width: width, fractionWidth: fractionWidth,
                    summarise: summarise, into: &text)
        text += ")"
        if count == 0 { text = prefix + "[], shape=\(formatShape(shape)))" }
        return text
    }

    /// Shortest round-trip form, with integral values printed without ".0" noise.
    static func format(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(), Swift.abs(v) < 1e7 { return String(Int(v)) }
        let a = Swift.abs(v)
        if a >= 1e-4 && a < 1e7 {
            // Four significant decimals, trailing zeros trimmed.
            var s = String(Double(v).roundedTo(decimals: 4))
            if s.contains(".") { while s.hasSuffix("0") { s.removeLast() } }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        return "\(v)"
    }

    private func visibleValues(summarise: Bool) -> [Float] {
        guard summarise else { return scalars }
        // Collect the values that will be printed, to size the columns.
        var values: [Float] = []
        func walk(axis: Int, offset: Int) {
            if axis == rank { values.append(storage.pointer[offset]); return }
            let stride = shapeProduct(Array(shape[(axis + 1)...]))
            for i in visibleIndices(shape[axis], summarise: true) { walk(axis: axis + 1, offset: offset + i * stride) }
        }
        walk(axis: 0, offset: 0)
        return values
    }

    private func visibleIndices(_ n: Int, summarise: Bool) -> [Int] {
        let e = Tensor.edgeItems
        if !summarise || n <= 2 * e { return Array(0..<n) }
        return Array(0..<e) + Array((n - e)..<n)
    }

    private func appendBlock(axis: Int, offset: Int, indent: Int, width: Int, fractionWidth: Int?, summarise: Bool,
                             into text: inout String) {
        let n = shape[axis]
        let stride = shapeProduct(Array(shape[(axis + 1)...]))
        let indices = visibleIndices(n, summarise: summarise)
        let elided = indices.count < n
        text += "["
        for (position, i) in indices.enumerated() {
            if position > 0 {
                if axis == rank - 1 {
                    text += ", "
                } else {
                    text += "," + String(repeating: "\n", count: rank - 1 - axis) + String(repeating: " ", count: indent + axis + 1)
                }
            }
            if elided && position == Tensor.edgeItems {
                if axis == rank - 1 { text += "..., " } else {
                    text += "...,\n" + String(repeating: " ", count: indent + axis + 1)
                }
            }
            if axis == rank - 1 {
                var s = Tensor.format(storage.pointer[offset + i])
                if let fractionWidth, let dot = s.firstIndex(of: ".") {
                    s += String(repeating: " ", count: fractionWidth - (s.count - 1 - dot.utf16Offset(in: s)))
                }
                text += String(repeating: " ", count: Swift.max(0, width - s.count)) + s
            } else {
                appendBlock(axis: axis + 1, offset: offset + i * stride, indent: indent, width: width,
                            fractionWidth: fractionWidth, summarise: summarise, into: &text)
            }
        }
        text += "]"
    }
}

extension Double {
    func roundedTo(decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
