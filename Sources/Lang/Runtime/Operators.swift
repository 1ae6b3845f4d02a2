#if canImport(Glibc)
import Glibc
#endif

/// Arithmetic and comparison on values.
enum Operators {
    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        // Numbers first: the hot path of every loop.
        if case .number(let x) = a, case .number(let y) = b {
            switch op {
            case .add: return .number(x + y)
            case .subtract: return .number(x - y)
            case .multiply: return .number(x * y)
            case .divide:
                guard y != 0 else { throw RuntimeError("division by zero") }
                return .number(x / y)
            case .modulo:
                guard y != 0 else { throw RuntimeError("modulo by zero") }
                let r = fmod(x, y)
                return .number(r != 0 && (r < 0) != (y < 0) ? r + y : r)  // sign of the divisor, as Python
            case .power: return .number(pow(x, y))
            case .equal: return .bool(x == y)
            case .notEqual: return .bool(x != y)
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            case .matmul: throw RuntimeError("'@' needs tensors, got two numbers")
            case .in: break
            }
        }
        // Library objects decide for themselves (tensor arithmetic, …).
        if case .object(let o) = a, let r = try o.binary(op, b, selfOnLeft: true) { return r }
        if case .object(let o) = b, let r = try o.binary(op, a, selfOnLeft: false) { return r }

        switch op {
        case .equal: return .bool(try a.equals(b))
        case .notEqual: return .bool(!(try a.equals(b)))
        case .in: return .bool(try contains(b, a))
        default: break
        }
        switch (op, a, b) {
        case let (.add, .string(x), .string(y)): return .string(x + y)
        case let (.add, .list(x), .list(y)): return .list(x.items + y.items)
        case let (.multiply, .string(s), .number(n)), let (.multiply, .number(n), .string(s)):
            let count = try repetitions(n)
            guard s.utf8.count * count <= 1 << 28 else { throw RuntimeError("string repetition would be too large") }
            return .string(String(repeating: s, count: count))
        case let (.multiply, .list(l), .number(n)), let (.multiply, .number(n), .list(l)):
            let count = try repetitions(n)
            guard l.items.count * count <= 1 << 26 else { throw RuntimeError("list repetition would be too large") }
            return .list(Array([[Value]](repeating: l.items, count: count).joined()))
        case let (.less, .string(x), .string(y)): return .bool(x < y)
        case let (.lessEqual, .string(x), .string(y)): return .bool(x <= y)
        case let (.greater, .string(x), .string(y)): return .bool(x > y)
        case let (.greaterEqual, .string(x), .string(y)): return .bool(x >= y)
        case let (_, .bool(x), _) where op != .in:
            return try binary(op, .number(x ? 1 : 0), b)
        case let (_, _, .bool(y)) where op != .in:
            return try binary(op, a, .number(y ? 1 : 0))
        case (.add, .string, .number), (.add, .number, .string):
            throw RuntimeError("cannot add a number and a string",
                               notes: ["note: put the number into the text with an f-string: f\"reward {x:.3f}\" (or str(x))"])
        default:
            throw RuntimeError("unsupported operand types for '\(op.rawValue)': \(a.typeName) and \(b.typeName)")
        }
    }

    private static func repetitions(_ n: Double) throws -> Int {
        guard n == n.rounded(), n >= 0, n < 1e9 else { throw RuntimeError("can only repeat a whole, non-negative number of times") }
        return Int(n)
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .list(let l): return try l.items.contains { try $0.equals(item) }
        case .string(let s):
            guard case .string(let sub) = item else { throw RuntimeError("'in' on a string needs a string, got \(item.typeName)") }
            return sub.isEmpty || s.contains(sub)
        case .record(let r):
            guard case .string(let key) = item else { return false }
            return r[key] != nil
        case .object(let o):
            guard let items = try o.iterationValues() else { throw RuntimeError("'in' is not supported on \(o.typeName)") }
            return try items.contains { try $0.equals(item) }
        default:
            throw RuntimeError("'in' needs a list, string or record on the right, got \(container.typeName)")
        }
    }

    static func negate(_ v: Value) throws -> Value {
        switch v {
        case .number(let x): return .number(-x)
        case .bool(let b): return .number(b ? -1 : 0)
        case .object(let o):
            if let r = try o.negated() { return r }
            fallthrough
        default: throw RuntimeError("cannot negate a \(v.typeName)")
        }
    }
}
