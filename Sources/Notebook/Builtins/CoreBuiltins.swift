import Lang
import Tensors

/// General-purpose builtins: printing, collections, numbers, help, time, seeding.
enum CoreBuiltins {
    /// range()'s and arange()'s parameters.
    static let rangeParameters = [Parameter("start"), Parameter("stop", default: Value.none), Parameter("step", default: .number(1))]

    /// (start, stop, step) as `read` gives them; with only one argument it is the stop, and start is `zero`.
    static func rangeBounds<T>(_ read: (String) throws -> T, _ optional: (String) throws -> T?, zero: T) throws -> (start: T, stop: T, step: T) {
        let first = try read("start")
        guard let stop = try optional("stop") else { return (zero, first, try read("step")) }
        return (first, stop, try read("step"))
    }

    static func register(in session: Session) {
        let i = session.interpreter
        i.register(BuiltinFunction(
            "print", [.variadic("values"), Parameter("sep", default: .string(" ")), Parameter("end", default: .string("\n"))],
            summary: "Prints values separated by `sep` and followed by `end`.",
            example: "print(\"reward\", 0.42, sep=\": \")"
        ) { a, interp in
            let sep = try a.string("sep"), end = try a.string("end")
            interp.write(try a.list("values").map(\.display).joined(separator: sep) + end)
            return .none
        })
        i.register(BuiltinFunction(
            "range", rangeParameters,
            summary: "The whole numbers from start (default 0) up to but not including stop, by step.",
            details: "range(n) counts 0..n-1. It is lazy: range(1000000) makes no list.",
            example: "for i in range(3) { print(i) }"
        ) { a, _ in
            let (start, stop, step) = try rangeBounds(a.integer, a.optionalInteger, zero: 0)
            guard step != 0 else { throw RuntimeError("range(): step must not be zero") }
            return .object(RangeObject(start: start, stop: stop, step: step))
        })
        i.register(BuiltinFunction(
            "len", [Parameter("x")], summary: "The number of items of a list, string, record, range or tensor (its first dimension).",
            example: "len([1, 2, 3])"
        ) { a, _ in
            switch a["x"] {
            case .list(let l): return .number(Double(l.items.count))
            case .string(let s): return .number(Double(s.count))
            case .record(let r): return .number(Double(r.keys.count))
            case .object(let o):
                if let n = o.length() { return .number(Double(n)) }
                throw RuntimeError("len(): a \(o.typeName) has no length")
            default: throw RuntimeError("len(): a \(a["x"].typeName) has no length")
            }
        })
        i.register(BuiltinFunction(
            "help", [Parameter("name", default: Value.none)],
            summary: "Help for a builtin (by value or by name), or the list of builtins.",
            details: "In the REPL, `:help name` and `name?` do the same.",
            example: "help(range)"
        ) { [unowned session] a, interp in
            switch a["name"] {
            case .none: interp.write(session.helpIndex() + "\n")
            case .string(let n):
                guard let text = session.help(for: n) else {
                    throw RuntimeError("help(): no builtin or variable named '\(n)'",
                                       notes: Suggestions.note(for: n, among: interp.definedNames).map { [$0] } ?? [])
                }
                interp.write(text + "\n")
            case .function(let f):
                interp.write((session.help(for: f.name) ?? f.signature) + "\n")
            case let v:
                interp.write("\(v.typeName)\n")
            }
            return .none
        })
        i.register(BuiltinFunction(
            "seed", [Parameter("n")],
            summary: "Reseeds the session's random generator, so what follows is reproducible.",
            details: "Functions that take `seed=` use their own generator instead.",
            example: "seed(0); randn(2, 2)"
        ) { [unowned session] a, _ in
            let n = try a.integer("n")
            guard n >= 0 else { throw RuntimeError("seed(): the seed must be non-negative, got \(n)") }
            session.generator = SeededGenerator(seed: UInt64(n))
            return .none
        })
        i.register(BuiltinFunction(
            "time", [], summary: "Seconds on a monotonic clock: subtract two readings to time code.",
            example: "t0 = time(); s = 0; for i in range(100000) { s = s + i }; print(time() - t0)"
        ) { _, _ in .number(monotonicSeconds()) })
        i.register(BuiltinFunction(
            "type", [Parameter("x")], summary: "The type name of a value.", example: "type([1, 2])"
        ) { a, _ in .string(a["x"].typeName) })
        i.register(BuiltinFunction(
            "str", [Parameter("x")], summary: "A value as text (as print shows it).", example: "\"step \" + str(3)"
        ) { a, _ in .string(a["x"].display) })
        i.register(BuiltinFunction(
            "format", [Parameter("x"), Parameter("spec", default: .string(""))],
            summary: "A value as text by a format spec, as Python's format(): \".3f\", \",\", \".1%\", \">10\", \"+.2e\".",
            details: "The spec is [[fill]align][sign][#][0][width][,][.precision][type], the same as after ':' in an f-string field.",
            example: "format(0.4567, \".1%\")"
        ) { a, _ in .string(try a["x"].formatted(try a.string("spec"))) })
        i.register(BuiltinFunction(
            "round", [Parameter("x"), Parameter("digits", default: .number(0))],
            summary: "Rounds a number to `digits` decimals.", example: "round(3.14159, 2)"
        ) { a, _ in
            let digits = try a.integer("digits")
            guard (0...15).contains(digits) else { throw RuntimeError("round(): digits must be in 0...15") }
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            return .number((try a.number("x") * scale).rounded() / scale)
        })
        i.register(BuiltinFunction(
            "sorted", [Parameter("items"), Parameter("key", default: Value.none), Parameter("reverse", default: .bool(false))],
            summary: "A sorted copy of a list, by the items themselves or by key(item).",
            details: "The items (or their keys) must be all numbers or all strings. Items with equal keys keep their order.",
            example: "sorted([\"ccc\", \"a\", \"bb\"], key=fn(s) { len(s) }, reverse=true)"
        ) { a, interp in
            let items = try a.list("items")
            let key = a["key"]
            let keys: [Value] = try a.isNone("key") ? items : items.map { try interp.call(key, positional: [$0]) }
            let reverse = try a.bool("reverse")
            let what = a.isNone("key") ? "the list" : "the keys"
            func ordered(_ x: Value, _ y: Value) throws -> Bool {
                switch (x, y) {
                case let (.number(p), .number(q)):
                    guard !p.isNaN, !q.isNaN else { throw RuntimeError("sorted(): \(what) include nan, which has no order") }
                    return p < q
                case let (.string(p), .string(q)): return p < q
                default:
                    throw RuntimeError("sorted(): \(what) must be all numbers or all strings, found \(x.typeName) and \(y.typeName)")
                }
            }
            if let first = keys.first { _ = try ordered(first, first) }
            var failure: Error?
            let order = keys.indices.sorted { i, j in
                do {
                    if try ordered(keys[i], keys[j]) { return !reverse }
                    if try ordered(keys[j], keys[i]) { return reverse }
                } catch { failure = failure ?? error }
                return i < j
            }
            if let failure { throw failure }
            return .list(order.map { items[$0] })
        })
        i.register(BuiltinFunction(
            "map", [Parameter("function"), Parameter("items")],
            summary: "A list of function(item) for each item.",
            example: "map(fn(x) { x * x }, [1, 2, 3])"
        ) { a, interp in
            .list(try interp.iterationItems(a["items"]).map { try interp.call(a["function"], positional: [$0]) })
        })
        i.register(BuiltinFunction(
            "keys", [Parameter("record")], summary: "The field names of a record.", example: "keys({lr: 0.001, G: 8})"
        ) { a, _ in
            guard case .record(let r) = a["record"] else { throw RuntimeError("keys(): expected a record, got \(a["record"].typeName)") }
            return .list(r.keys.map { .string($0) })
        })
        i.register(BuiltinFunction(
            "list", [Parameter("items")], summary: "A list of the items of a range, string, record keys or tensor rows.",
            example: "list(range(3))"
        ) { a, interp in .list(try interp.iterationItems(a["items"])) })
        i.register(BuiltinFunction(
            "abs", [Parameter("x")], summary: "Absolute value of a number (elementwise for a tensor).", example: "abs(-2)"
        ) { a, _ in
            if case .object(let o) = a["x"], let t = o as? TensorObject { return .object(TensorObject(t.tensor.abs())) }
            return .number(Swift.abs(try a.number("x")))
        })
        for (name, f, summary) in [("sqrt", { (x: Double) in x.squareRoot() }, "Square root."),
                                   ("exp", { (x: Double) in _exp(x) }, "e raised to x."),
                                   ("log", { (x: Double) in _log(x) }, "Natural logarithm.")] {
            i.register(BuiltinFunction(
                name, [Parameter("x")], summary: summary + " Elementwise for a tensor.", example: "\(name)(2)"
            ) { a, _ in
                if case .object(let o) = a["x"], let t = o as? TensorObject { return .object(TensorObject(t.tensor.unary(name))) }
                return .number(f(try a.number("x")))
            })
        }
    }
}

#if canImport(Glibc)
import Glibc
func _exp(_ x: Double) -> Double { Glibc.exp(x) }
func _log(_ x: Double) -> Double { Glibc.log(x) }
#endif
