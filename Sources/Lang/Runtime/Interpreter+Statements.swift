extension Interpreter {
    func visit(_ s: ExprStmt) throws -> Flow {
        _ = try s.expr.evaluate(self)
        return .normal
    }

    func visit(_ s: AssignStmt) throws -> Flow {
        let value = try s.value.evaluate(self)
        if s.targets.count == 1 {
            try assign(s.targets[0], value)
            return .normal
        }
        try unpack(s.targets, value, s.location)
        return .normal
    }

    /// `a, b = [1, 2]`: the value must have exactly as many items as targets.
    func unpack(_ targets: [AssignTarget], _ value: Value, _ location: SourceLocation) throws {
        let items: [Value]
        switch value {
        case .list(let l): items = l.items
        case .object(let o):
            guard let v = try o.iterationValues() else { throw located(RuntimeError("cannot unpack a \(o.typeName)"), location) }
            items = v
        default: throw located(RuntimeError("cannot unpack a \(value.typeName) into \(targets.count) names"), location)
        }
        guard items.count == targets.count else {
            throw located(RuntimeError("cannot unpack \(items.count) values into \(targets.count) names"), location)
        }
        for (t, v) in zip(targets, items) { try assign(t, v) }
    }

    func assign(_ target: AssignTarget, _ value: Value) throws {
        switch target {
        case .name(let n):
            store(n, value)
        case let .member(objectExpr, name, location):
            let object = try objectExpr.evaluate(self)
            do {
                switch object {
                case .record(let r): r[name] = value
                case .object(let o):
                    guard try o.setMember(name, value) else { throw RuntimeError("cannot set member '\(name)' of \(o.typeName)") }
                default: throw RuntimeError("cannot set a member of a \(object.typeName)")
                }
            } catch { throw located(error, location) }
        case let .index(objectExpr, subscripts, location):
            let object = try objectExpr.evaluate(self)
            let index = try evaluateSubscripts(subscripts)
            do {
                switch object {
                case .list(let l):
                    guard index.count == 1, case .value(let v) = index[0] else {
                        throw RuntimeError("list assignment takes one index")
                    }
                    l.items[try v.asIndex(length: l.items.count, what: "list index")] = value
                case .record(let r):
                    guard index.count == 1, case .value(.string(let key)) = index[0] else {
                        throw RuntimeError("a record is indexed by a field name (a string)")
                    }
                    r[key] = value
                case .object(let o):
                    guard try o.setSubscript(index, value) else { throw RuntimeError("\(o.typeName) does not support item assignment") }
                default:
                    throw RuntimeError("\(object.typeName) does not support item assignment")
                }
            } catch { throw located(error, location) }
        }
    }

    func visit(_ s: AugmentedAssignStmt) throws -> Flow {
        let current = try s.read.evaluate(self)
        let operand = try s.value.evaluate(self)
        let result: Value
        do { result = try Operators.binary(s.op, current, operand) } catch { throw located(error, s.location) }
        try assign(s.target, result)
        return .normal
    }

    func visit(_ s: IfStmt) throws -> Flow {
        for (condition, body) in s.branches {
            let v = try condition.evaluate(self)
            let truth: Bool
            do { truth = try v.isTruthy() } catch { throw located(error, condition.location) }
            if truth { return try executeBlock(body) }
        }
        if let e = s.elseBody { return try executeBlock(e) }
        return .normal
    }

    func visit(_ s: WhileStmt) throws -> Flow {
        while true {
            try Interrupt.check()
            let v = try s.condition.evaluate(self)
            let truth: Bool
            do { truth = try v.isTruthy() } catch { throw located(error, s.condition.location) }
            if !truth { return .normal }
            switch try executeBlock(s.body) {
            case .normal, .continueLoop: continue
            case .breakLoop: return .normal
            case .returned(let v): return .returned(v)
            }
        }
    }

    func visit(_ s: ForStmt) throws -> Flow {
        let iterable = try s.iterable.evaluate(self)
        // Fast path: `for i in range(...)` with one name, no list built.
        if case .object(let o) = iterable, let r = o as? RangeObject, s.targets.count == 1, case .name(let n) = s.targets[0] {
            var i = r.start
            for _ in 0..<r.count {
                try Interrupt.check()
                store(n, .number(Double(i)))
                switch try executeBlock(s.body) {
                case .normal, .continueLoop: break
                case .breakLoop: return .normal
                case .returned(let v): return .returned(v)
                }
                i += r.step
            }
            return .normal
        }
        let items: [Value]
        do { items = try iterationItems(iterable) } catch { throw located(error, s.iterable.location) }
        for item in items {
            try Interrupt.check()
            if s.targets.count == 1 { try assign(s.targets[0], item) } else { try unpack(s.targets, item, s.location) }
            switch try executeBlock(s.body) {
            case .normal, .continueLoop: continue
            case .breakLoop: return .normal
            case .returned(let v): return .returned(v)
            }
        }
        return .normal
    }

    /// The items a `for` loop visits (also what list() and map() take).
    public func iterationItems(_ v: Value) throws -> [Value] {
        switch v {
        case .list(let l): return l.items
        case .string(let s): return s.map { .string(String($0)) }
        case .record(let r): return r.keys.map { .string($0) }
        case .object(let o):
            if let items = try o.iterationValues() { return items }
            throw RuntimeError("cannot iterate over a \(o.typeName)")
        default: throw RuntimeError("cannot iterate over a \(v.typeName)")
        }
    }

    func visit(_ s: FunctionStmt) throws -> Flow {
        store(s.name, .function(try makeFunction(s.function, name: s.name.name, isAnonymous: false)))
        return .normal
    }
}
