extension Value {
    /// As shown inside lists and records and by the REPL: strings quoted.
    public var repr: String {
        switch self {
        case .string(let s): return quoted(s)
        default: return display
        }
    }

    /// As the REPL echoes a value: like `repr`, with every number (also inside
    /// lists and records) written by `number` (the display's significant digits).
    public func echo(number: @escaping (Double) -> String) -> String {
        switch self {
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? formatNumber(v) : number(v)
        case .list, .record:
            var out = ""
            var open: Set<ObjectIdentifier> = []
            render(into: &out, quoted: true, depth: 0, open: &open, number: number)
            return out
        default: return repr
        }
    }

    /// As `print` shows it: strings without quotes.
    public var display: String {
        switch self {
        case .list, .record:
            var out = ""
            var open: Set<ObjectIdentifier> = []
            render(into: &out, quoted: false, depth: 0, open: &open)
            return out
        default: return scalarDisplay
        }
    }

    /// Containers nested deeper than this print as `[...]` / `{...}`.
    static let maximumRenderDepth = 100
    /// Rendering stops after this many bytes (a structure that shares one
    /// list many times over can otherwise expand exponentially).
    static let maximumRenderBytes = 1 << 24

    private var scalarDisplay: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return b ? "true" : "false"
        case .number(let v): return formatNumber(v)
        case .string(let s): return s
        case .function(let f):
            if f is BuiltinFunction { return "<builtin \(f.signature)>" }
            if let u = f as? UserFunction, u.isAnonymous {
                return "<fn(" + u.parameters.map(\.display).joined(separator: ", ") + ")>"
            }
            return "<fn \(f.signature)>"
        case .object(let o): return o.render()
        case .list, .record: return display
        }
    }

    /// Lists and records, with a list or record that contains itself shown
    /// as `[...]` or `{...}` (as Python does) and very deep nesting cut off
    /// the same way, so printing never recurses without bound.
    private func render(into out: inout String, quoted: Bool, depth: Int, open: inout Set<ObjectIdentifier>,
                        number: ((Double) -> String)? = nil) {
        if out.utf8.count > Value.maximumRenderBytes {
            if !out.hasSuffix("...") { out += "..." }
            return
        }
        switch self {
        case .list(let l):
            let id = ObjectIdentifier(l)
            if open.contains(id) || depth >= Value.maximumRenderDepth { out += "[...]"; return }
            open.insert(id)
            defer { open.remove(id) }
            out += "["
            let shown = l.items.count > 200 ? l.items.prefix(100) : l.items[...]
            for (i, item) in shown.enumerated() {
                if out.utf8.count > Value.maximumRenderBytes { break }
                if i > 0 { out += ", " }
                item.render(into: &out, quoted: true, depth: depth + 1, open: &open, number: number)
            }
            if shown.count < l.items.count { out += ", ... (\(l.items.count) items)" }
            out += "]"
        case .record(let r):
            let id = ObjectIdentifier(r)
            if open.contains(id) || depth >= Value.maximumRenderDepth { out += "{...}"; return }
            open.insert(id)
            defer { open.remove(id) }
            out += "{"
            for (i, (key, value)) in r.pairs.enumerated() {
                if out.utf8.count > Value.maximumRenderBytes { break }
                if i > 0 { out += ", " }
                out += (Value.isPlainFieldName(key) ? key : self.quoted(key)) + ": "
                value.render(into: &out, quoted: true, depth: depth + 1, open: &open, number: number)
            }
            out += "}"
        case .string(let s) where quoted: out += self.quoted(s)
        case .number(let v) where number != nil && !(v == v.rounded() && abs(v) < 1e15): out += number!(v)
        default: out += scalarDisplay
        }
    }

    /// Whether a record field name can be written without quotes, as in `{lr: 1}`.
    static func isPlainFieldName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
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
    /// object defines equality. Structures nested too deeply to compare
    /// (such as two lists that each contain themselves) compare unequal;
    /// `==` reports them as an error instead (see `equals`).
    public func isEqual(to other: Value) -> Bool {
        (try? equals(other, depth: 0)) ?? false
    }

    /// Lists and records nested deeper than this cannot be compared.
    static let maximumCompareDepth = 1000

    /// Structural equality that throws when the structures are nested more
    /// than `maximumCompareDepth` levels (a cycle, or absurd nesting) rather
    /// than exhausting the stack.
    func equals(_ other: Value, depth: Int = 0) throws -> Bool {
        switch (self, other) {
        case (.none, .none): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.list(a), .list(b)):
            if a === b { return true }
            guard a.items.count == b.items.count else { return false }
            try Value.checkCompareDepth(depth)
            for (x, y) in zip(a.items, b.items) where !(try x.equals(y, depth: depth + 1)) { return false }
            return true
        case let (.record(a), .record(b)):
            if a === b { return true }
            guard a.keys == b.keys else { return false }
            try Value.checkCompareDepth(depth)
            for key in a.keys where !(try a[key]!.equals(b[key]!, depth: depth + 1)) { return false }
            return true
        case let (.function(a), .function(b)): return a === b
        case let (.object(a), _): return a.equals(other) ?? { if case .object(let b) = other { return a === b }; return false }()
        case let (_, .object(b)): return b.equals(self) ?? false
        default: return false
        }
    }

    private static func checkCompareDepth(_ depth: Int) throws {
        try Interrupt.check()
        guard depth < maximumCompareDepth else {
            throw RuntimeError("cannot compare lists or records nested more than \(maximumCompareDepth) levels deep (does one contain itself?)")
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
