/// A value of the language.
///
/// Lists and records are shared references, as in Python: `b = a; b.append(1)`
/// changes `a` too. Library objects (tensors, datasets, trainers, …) are
/// `LangObject`s supplied by the binding layer; this module knows nothing
/// about them beyond that protocol.
public enum Value: @unchecked Sendable {
    case none
    case bool(Bool)
    case number(Double)
    case string(String)
    case list(ListObject)
    case record(RecordObject)
    case function(Callable)
    case object(LangObject)

    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .record: return "record"
        case .function: return "function"
        case .object(let o): return o.typeName
        }
    }

    public static func list(_ items: [Value]) -> Value { .list(ListObject(items)) }

    /// Truthiness for `if`, `while`, `and`, `or`, `not`.
    public func isTruthy() throws -> Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .number(let v): return v != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.items.isEmpty
        case .record(let r): return !r.keys.isEmpty
        case .function: return true
        case .object(let o): return try o.truthiness() ?? true
        }
    }
}

public final class ListObject: @unchecked Sendable {
    public var items: [Value]
    public init(_ items: [Value]) { self.items = items }

    /// Frees nested lists and records one by one instead of recursively, so
    /// dropping a list nested a million deep (`x = [x]` in a loop) cannot
    /// overflow the stack.
    deinit {
        guard items.contains(where: \.isContainer) else { return }
        var pending = items
        items = []
        Value.releaseIteratively(&pending)
    }
}

extension Value {
    /// Empties the lists and records in `pending` that nothing else refers
    /// to, moving their items onto `pending`, until none is left: each object
    /// is then freed with no children of its own.
    static func releaseIteratively(_ pending: inout [Value]) {
        while !pending.isEmpty {
            let last = pending.count - 1
            guard pending[last].isContainer else { pending.removeLast(); continue }
            if var l = takeList(&pending[last]) {
                pending.removeLast()
                if isKnownUniquelyReferenced(&l), !l.items.isEmpty {
                    pending.append(contentsOf: l.items)
                    l.items = []
                }
            } else if var r = takeRecord(&pending[last]) {
                pending.removeLast()
                if isKnownUniquelyReferenced(&r) { pending.append(contentsOf: r.takeValues()) }
            } else {
                pending.removeLast()
            }
        }
    }

    var isContainer: Bool {
        switch self {
        case .list, .record: return true
        default: return false
        }
    }

    /// Moves a list reference out of `value`, leaving `none`, so that the
    /// caller holds the only copy this code has (no pattern temporaries).
    @inline(never)
    private static func takeList(_ value: inout Value) -> ListObject? {
        guard case .list(let l) = value else { return nil }
        value = .none
        return l
    }

    @inline(never)
    private static func takeRecord(_ value: inout Value) -> RecordObject? {
        guard case .record(let r) = value else { return nil }
        value = .none
        return r
    }
}

/// Named fields in insertion order.
public final class RecordObject: @unchecked Sendable {
    public private(set) var keys: [String]
    private var storage: [String: Value]

    public init(_ pairs: [(String, Value)] = []) {
        keys = []
        storage = [:]
        for (k, v) in pairs { self[k] = v }
    }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var pairs: [(String, Value)] { keys.map { ($0, storage[$0]!) } }

    /// Removes every field and returns the values (for iterative release).
    fileprivate func takeValues() -> [Value] {
        let values = Array(storage.values)
        storage = [:]
        keys = []
        return values
    }

    deinit {
        guard storage.values.contains(where: \.isContainer) else { return }
        var pending = takeValues()
        Value.releaseIteratively(&pending)
    }
}

/// A library object exposed to the language. Every hook has a default, so an
/// object implements only what it supports; unsupported operations become
/// clear errors naming the type.
public protocol LangObject: AnyObject {
    /// Shown in errors and by `type(x)`, e.g. "tensor", "trainer".
    var typeName: String { get }
    /// How the REPL prints the object.
    func render() -> String
    /// A member value (field or bound method), or nil when there is none.
    func member(_ name: String) throws -> Value?
    /// Member names, for tab completion and error suggestions.
    var memberNames: [String] { get }
    /// Assigns a member; return false when the member cannot be set.
    func setMember(_ name: String, _ value: Value) throws -> Bool
    /// `self op other` (or `other op self` when `selfOnLeft` is false); nil when unsupported.
    func binary(_ op: BinaryOperator, _ other: Value, selfOnLeft: Bool) throws -> Value?
    /// `-self`; nil when unsupported.
    func negated() throws -> Value?
    /// `self[...]`; nil when unsupported.
    func subscripted(_ index: [SubscriptValue]) throws -> Value?
    /// `self[...] = value`; false when unsupported.
    func setSubscript(_ index: [SubscriptValue], _ value: Value) throws -> Bool
    /// Number of items for `len`; nil when not a collection.
    func length() -> Int?
    /// The items a `for` loop visits; nil when not iterable.
    func iterationValues() throws -> [Value]?
    /// Truth value; nil means "always true".
    func truthiness() throws -> Bool?
    /// Equality with another value; nil means identity.
    func equals(_ other: Value) -> Bool?
}

extension LangObject {
    public func render() -> String { "<\(typeName)>" }
    public func member(_ name: String) throws -> Value? { nil }
    public var memberNames: [String] { [] }
    public func setMember(_ name: String, _ value: Value) throws -> Bool { false }
    public func binary(_ op: BinaryOperator, _ other: Value, selfOnLeft: Bool) throws -> Value? { nil }
    public func negated() throws -> Value? { nil }
    public func subscripted(_ index: [SubscriptValue]) throws -> Value? { nil }
    public func setSubscript(_ index: [SubscriptValue], _ value: Value) throws -> Bool { false }
    public func length() -> Int? { nil }
    public func iterationValues() throws -> [Value]? { nil }
    public func truthiness() throws -> Bool? { nil }
    public func equals(_ other: Value) -> Bool? { nil }
}

/// One evaluated component of a subscript.
public enum SubscriptValue {
    case value(Value)
    case slice(start: Int?, end: Int?, step: Int?)
}

/// `range(start, stop, step)`: iterated lazily, so `range(1000000)` costs nothing up front.
public final class RangeObject: LangObject {
    public let start: Int, stop: Int, step: Int
    public init(start: Int, stop: Int, step: Int) { self.start = start; self.stop = stop; self.step = step }
    public var typeName: String { "range" }
    public var count: Int {
        if step > 0 { return stop > start ? (stop - start + step - 1) / step : 0 }
        return start > stop ? (start - stop - step - 1) / -step : 0
    }
    public func render() -> String { step == 1 ? "range(\(start), \(stop))" : "range(\(start), \(stop), \(step))" }
    public func length() -> Int? { count }
    public func iterationValues() throws -> [Value]? {
        guard count <= 50_000_000 else { throw RuntimeError("range of \(count) numbers is too large to make a list of") }
        return (0..<count).map { .number(Double(start + $0 * step)) }
    }
    public func subscripted(_ index: [SubscriptValue]) throws -> Value? {
        guard index.count == 1, case .value(let v) = index[0] else { return nil }
        let i = try v.asIndex(length: count, what: "range index")
        return .number(Double(start + i * step))
    }
}
