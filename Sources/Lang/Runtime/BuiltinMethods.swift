/// Methods of lists: `xs.append(x)`, `xs.pop()`, …
enum ListMethods {
    static let names = ["append", "extend", "pop", "insert", "index", "reverse"]

    static func method(_ name: String, _ l: ListObject) -> Callable? {
        switch name {
        case "append":
            return BoundMethod("append", [Parameter("item")]) { a, _ in l.items.append(a["item"]); return .none }
        case "extend":
            return BoundMethod("extend", [Parameter("items")]) { a, _ in l.items.append(contentsOf: try a.list("items")); return .none }
        case "pop":
            return BoundMethod("pop", [Parameter("index", default: .number(-1))]) { a, _ in
                guard !l.items.isEmpty else { throw RuntimeError("pop from an empty list") }
                return l.items.remove(at: try a["index"].asIndex(length: l.items.count, what: "pop index"))
            }
        case "insert":
            return BoundMethod("insert", [Parameter("index"), Parameter("item")]) { a, _ in
                let i = try a.integer("index")
                let j = min(max(i < 0 ? i + l.items.count : i, 0), l.items.count)
                l.items.insert(a["item"], at: j)
                return .none
            }
        case "index":
            return BoundMethod("index", [Parameter("item")]) { a, _ in
                guard let i = try l.items.firstIndex(where: { try $0.equals(a["item"]) }) else {
                    throw RuntimeError("\(a["item"].repr) is not in the list")
                }
                return .number(Double(i))
            }
        case "reverse":
            return BoundMethod("reverse") { _, _ in l.items.reverse(); return .none }
        default: return nil
        }
    }
}

/// Methods of strings: `s.split(",")`, `", ".join(xs)`, …
enum StringMethods {
    static let names = ["split", "join", "upper", "lower", "strip", "replace", "startswith", "endswith"]

    static func method(_ name: String, _ s: String) -> Callable? {
        switch name {
        case "split":
            return BoundMethod("split", [Parameter("separator", default: Value.none)]) { a, _ in
                if let sep = try a.optionalString("separator") {
                    guard !sep.isEmpty else { throw RuntimeError("split(): empty separator") }
                    return .list(s.split(separator: sep, omittingEmptySubsequences: false).map { .string(String($0)) })
                }
                return .list(s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map { .string(String($0)) })
            }
        case "join":
            return BoundMethod("join", [Parameter("items")]) { a, _ in
                .string(try a.list("items").map(\.display).joined(separator: s))
            }
        case "upper": return BoundMethod("upper") { _, _ in .string(s.uppercased()) }
        case "lower": return BoundMethod("lower") { _, _ in .string(s.lowercased()) }
        case "strip":
            return BoundMethod("strip") { _, _ in
                .string(String(s.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed()))
            }
        case "replace":
            return BoundMethod("replace", [Parameter("old"), Parameter("new")]) { a, _ in
                let old = try a.string("old")
                guard !old.isEmpty else { throw RuntimeError("replace(): empty search string") }
                return .string(s.replacingOccurrences(old, try a.string("new")))
            }
        case "startswith":
            return BoundMethod("startswith", [Parameter("prefix")]) { a, _ in .bool(s.hasPrefix(try a.string("prefix"))) }
        case "endswith":
            return BoundMethod("endswith", [Parameter("suffix")]) { a, _ in .bool(s.hasSuffix(try a.string("suffix"))) }
        default: return nil
        }
    }
}
