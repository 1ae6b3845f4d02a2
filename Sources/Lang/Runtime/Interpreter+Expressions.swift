extension Interpreter {
    func visit(_ n: NameExpr) throws -> Value {
        switch n.slot {
        case .global(let i):
            if let v = globals[i] { return v }
            var notes: [String] = []
            if let note = Suggestions.note(for: n.name, among: definedNames + frameNames) { notes.append(note) }
            var e = RuntimeError("name '\(n.name)' is not defined", at: n.location, notes: notes)
            e.source = currentSource
            throw e
        case .local(let i):
            if let v = frame!.slots[i] { return v }
            var e = RuntimeError("local variable '\(n.name)' is used before it is assigned", at: n.location)
            e.source = currentSource
            throw e
        case .boxed(let i):
            if let v = frame!.boxes[i]!.value { return v }
            var e = RuntimeError("local variable '\(n.name)' is used before it is assigned", at: n.location)
            e.source = currentSource
            throw e
        case .captured(let k):
            if let v = frame!.captures[k].value { return v }
            var e = RuntimeError("variable '\(n.name)' of the enclosing function is used before it is assigned", at: n.location)
            e.source = currentSource
            throw e
        case .unresolved:
            preconditionFailure("name '\(n.name)' was not resolved")
        }
    }

    func visit(_ f: FormatStringExpr) throws -> Value {
        var out = ""
        try appendFormatted(f.parts, to: &out)
        return .string(out)
    }

    private func appendFormatted(_ parts: [FormatPart], to out: inout String) throws {
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .field(let field):
                var value = try field.value.evaluate(self)
                var spec = ""
                try appendFormatted(field.spec, to: &spec)
                if let label = field.label {
                    out += label
                    if field.conversion == nil && spec.isEmpty { value = .string(value.repr) }
                }
                switch field.conversion {
                case "r": value = .string(value.repr)
                case "s": value = .string(value.display)
                default: break
                }
                do { out += try value.formatted(spec) } catch { throw located(error, field.value.location) }
            }
        }
    }

    func visit(_ l: LambdaExpr) throws -> Value {
        .function(try makeFunction(l.function, name: "fn", isAnonymous: true))
    }

    func store(_ n: NameExpr, _ value: Value) {
        switch n.slot {
        case .global(let i): globals[i] = value
        case .local(let i): frame!.slots[i] = value
        case .boxed(let i): frame!.boxes[i]!.value = value
        case .captured(let k): frame!.captures[k].value = value
        case .unresolved: preconditionFailure("name '\(n.name)' was not resolved")
        }
    }

    func visit(_ l: ListExpr) throws -> Value {
        var items: [Value] = []
        items.reserveCapacity(l.items.count)
        for e in l.items { items.append(try e.evaluate(self)) }
        return .list(items)
    }

    func visit(_ r: RecordExpr) throws -> Value {
        let record = RecordObject()
        for (k, e) in zip(r.keys, r.values) { record[k] = try e.evaluate(self) }
        return .record(record)
    }

    func visit(_ u: UnaryExpr) throws -> Value {
        let v = try u.operand.evaluate(self)
        do {
            switch u.op {
            case .not: return .bool(!(try v.isTruthy()))
            case .negate: return try Operators.negate(v)
            }
        } catch { throw located(error, u.location) }
    }

    func visit(_ b: BinaryExpr) throws -> Value {
        let l = try b.lhs.evaluate(self)
        let r = try b.rhs.evaluate(self)
        if case .number(let x) = l, case .number(let y) = r {
            switch b.op {
            case .add: return .number(x + y)
            case .subtract: return .number(x - y)
            case .multiply: return .number(x * y)
            case .less: return .bool(x < y)
            case .greater: return .bool(x > y)
            default: break
            }
        }
        do { return try Operators.binary(b.op, l, r) } catch { throw located(error, b.location) }
    }

    func visit(_ b: LogicalExpr) throws -> Value {
        let l = try b.lhs.evaluate(self)
        let truth: Bool
        do { truth = try l.isTruthy() } catch { throw located(error, b.location) }
        if b.isAnd { return truth ? try b.rhs.evaluate(self) : l }
        return truth ? l : try b.rhs.evaluate(self)
    }

    func visit(_ c: CallExpr) throws -> Value {
        let callee = try c.callee.evaluate(self)
        guard case .function(let f) = callee else {
            var e = RuntimeError("\(callee.typeName) is not callable", at: c.location)
            e.source = currentSource
            throw e
        }
        var positional: [Value] = []
        positional.reserveCapacity(c.arguments.count)
        for a in c.arguments { positional.append(try a.evaluate(self)) }
        var keywords: [(String, Value)] = []
        for k in c.keywords { keywords.append((k.name, try k.value.evaluate(self))) }
        do {
            let args = try Arguments.bind(positional, keywords, to: f.parameters, callee: f.name,
                                          signature: f.signature, location: c.location)
            return try f.call(args, self)
        } catch { throw located(error, c.location) }
    }

    func visit(_ m: MemberExpr) throws -> Value {
        let object = try m.object.evaluate(self)
        do { return try member(of: object, m.name) } catch { throw located(error, m.location) }
    }

    func visit(_ x: IndexExpr) throws -> Value {
        let object = try x.object.evaluate(self)
        let index = try evaluateSubscripts(x.subscripts)
        do { return try subscriptValue(object, index) } catch { throw located(error, x.location) }
    }

    func evaluateSubscripts(_ subscripts: [SubscriptExpr]) throws -> [SubscriptValue] {
        try subscripts.map { s in
            switch s {
            case .single(let e): return .value(try e.evaluate(self))
            case let .slice(a, b, c):
                func bound(_ e: Expr?) throws -> Int? {
                    guard let e else { return nil }
                    let v = try e.evaluate(self)
                    if case .none = v { return nil }
                    guard case .number(let d) = v, d == d.rounded(), abs(d) < 9e15 else {
                        throw located(RuntimeError("slice bounds must be whole numbers, got \(v.typeName)"), e.location)
                    }
                    return Int(d)
                }
                return .slice(start: try bound(a), end: try bound(b), step: try bound(c))
            }
        }
    }

    // MARK: Members and subscripts of the built-in types

    func member(of object: Value, _ name: String) throws -> Value {
        switch object {
        case .record(let r):
            if let v = r[name] { return v }
            throw RuntimeError("record has no field '\(name)'",
                               notes: [Suggestions.note(for: name, among: r.keys) ?? "note: its fields are \(r.keys.joined(separator: ", "))"])
        case .list(let l):
            if let m = ListMethods.method(name, l) { return .function(m) }
            throw RuntimeError("list has no member '\(name)'", notes: Suggestions.note(for: name, among: ListMethods.names).map { [$0] } ?? [])
        case .string(let s):
            if let m = StringMethods.method(name, s) { return .function(m) }
            throw RuntimeError("string has no member '\(name)'", notes: Suggestions.note(for: name, among: StringMethods.names).map { [$0] } ?? [])
        case .object(let o):
            if let v = try o.member(name) { return v }
            let names = o.memberNames
            var notes: [String] = []
            if let n = Suggestions.note(for: name, among: names) { notes.append(n) }
            else if !names.isEmpty { notes.append("note: members of \(o.typeName): \(names.joined(separator: ", "))") }
            throw RuntimeError("\(o.typeName) has no member '\(name)'", notes: notes)
        default:
            throw RuntimeError("\(object.typeName) has no member '\(name)'")
        }
    }

    func subscriptValue(_ object: Value, _ index: [SubscriptValue]) throws -> Value {
        switch object {
        case .list(let l):
            guard index.count == 1 else { throw RuntimeError("a list takes one index, got \(index.count)") }
            switch index[0] {
            case .value(let v): return l.items[try v.asIndex(length: l.items.count, what: "list index")]
            case let .slice(a, b, c):
                return .list(try resolveSlice(start: a, end: b, step: c, length: l.items.count).map { l.items[$0] })
            }
        case .string(let s):
            guard index.count == 1 else { throw RuntimeError("a string takes one index, got \(index.count)") }
            let chars = Array(s)
            switch index[0] {
            case .value(let v): return .string(String(chars[try v.asIndex(length: chars.count, what: "string index")]))
            case let .slice(a, b, c):
                return .string(String(try resolveSlice(start: a, end: b, step: c, length: chars.count).map { chars[$0] }))
            }
        case .record(let r):
            guard index.count == 1, case .value(.string(let key)) = index[0] else {
                throw RuntimeError("a record is indexed by a field name (a string)")
            }
            if let v = r[key] { return v }
            throw RuntimeError("record has no field '\(key)'", notes: Suggestions.note(for: key, among: r.keys).map { [$0] } ?? [])
        case .object(let o):
            if let v = try o.subscripted(index) { return v }
            throw RuntimeError("\(o.typeName) cannot be indexed this way")
        default:
            throw RuntimeError("\(object.typeName) cannot be indexed")
        }
    }
}
