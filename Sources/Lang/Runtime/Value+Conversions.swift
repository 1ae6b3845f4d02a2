extension Value {
    /// As shown inside lists and records and by the REPL: strings quoted.
    public var repr: String {
        switch self {
        case .string(let s): return quoted(s)
        default: return display
        }
    }

    /// As `print` shows it: strings without quotes.
    public var display: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return b ? "true" : "false"
        case .number(let v): return formatNumber(v)
        case .string(let s): return s
        case .list(let l):
            if l.items.count > 200 {
                return "[" + l.items.prefix(100).map(\.repr).joined(separator: ", ") + ", ... (\(l.items.count) items)]"
            }
            return "[" + l.items.map(\.repr).joined(separator: ", ") + "]"
        case .record(let r):
            return "{" + r.pairs.map { "\($0.0): \($0.1.repr)" }.joined(separator: ", ") + "}"
        case .function(let f):
            if f is BuiltinFunction { return "<builtin \(f.signature)>" }
            return "<fn \(f.signature)>"
        case .object(let o): return o.render()
        }
    }

    private func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// An integer index into a collection of `length`, negative counting from the end.
    public func asIndex(length: Int, what: String = "index") throws -> Int {
        guard case .number(let v) = self else { throw RuntimeError("\(what) must be a number, got \(typeName)") }
        guard v == v.rounded(), abs(v) < 9e15 else { throw RuntimeError("\(what) must be a whole number, got \(formatNumber(v))") }
        let i = Int(v)
        let j = i < 0 ? i + length : i
        guard j >= 0, j < length else { throw RuntimeError("\(what) \(i) is out of range for length \(length)") }
        return j
    }

    /// Structural equality: numbers, strings, booleans, none, lists and
    /// records by content; functions and objects by identity unless the
    /// object defines equality.
    public func isEqual(to other: Value) -> Bool {
        switch (self, other) {
        case (.none, .none): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.list(a), .list(b)):
            return a === b || (a.items.count == b.items.count && zip(a.items, b.items).allSatisfy { $0.isEqual(to: $1) })
        case let (.record(a), .record(b)):
            return a === b || (a.keys == b.keys && a.keys.allSatisfy { a[$0]!.isEqual(to: b[$0]!) })
        case let (.function(a), .function(b)): return a === b
        case let (.object(a), _): return a.equals(other) ?? { if case .object(let b) = other { return a === b }; return false }()
        case let (_, .object(b)): return b.equals(self) ?? false
        default: return false
        }
    }
}

/// Slice bounds resolved against a length (Python semantics, positive step).
public func resolveSlice(start: Int?, end: Int?, step: Int?, length: Int) throws -> StrideTo<Int> {
    let s = step ?? 1
    guard s > 0 else { throw RuntimeError("slice step must be positive, got \(s)") }
    func clamp(_ v: Int?, _ dflt: Int) -> Int {
        guard let v else { return dflt }
        return min(max(v < 0 ? v + length : v, 0), length)
    }
    let a = clamp(start, 0), b = clamp(end, length)
    return stride(from: a, to: max(a, b), by: s)
}
