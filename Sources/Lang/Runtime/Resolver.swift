/// Assigns every name a slot before a program runs.
///
/// At the top level every name is a global. Inside a function, its parameters
/// and every name it assigns (including loop variables and nested function
/// names) are locals; any other name is a global. Functions do not capture the
/// locals of an enclosing function.
struct Resolver {
    let interpreter: Interpreter
    /// Global names read and where, for `check`.
    private(set) var reads: [(String, SourceLocation)] = []
    private(set) var assignedGlobals: Set<String> = []

    init(interpreter: Interpreter) { self.interpreter = interpreter }

    mutating func resolve(_ program: Program) {
        for s in program.statements { statement(s, locals: nil) }
    }

    private mutating func name(_ n: NameExpr, locals: [String: Int]?, isWrite: Bool) {
        if let locals, let i = locals[n.name] {
            n.slot = .local(i)
        } else {
            n.slot = .global(interpreter.slot(for: n.name))
            if isWrite { assignedGlobals.insert(n.name) } else { reads.append((n.name, n.location)) }
        }
    }

    private mutating func target(_ t: AssignTarget, locals: [String: Int]?) {
        switch t {
        case .name(let n): name(n, locals: locals, isWrite: true)
        case let .member(object, _, _): expression(object, locals: locals)
        case let .index(object, subscripts, _):
            expression(object, locals: locals)
            subscriptExpressions(subscripts, locals: locals)
        }
    }

    private mutating func subscriptExpressions(_ subscripts: [SubscriptExpr], locals: [String: Int]?) {
        for s in subscripts {
            switch s {
            case .single(let e): expression(e, locals: locals)
            case let .slice(a, b, c): for e in [a, b, c].compactMap({ $0 }) { expression(e, locals: locals) }
            }
        }
    }

    private mutating func block(_ body: [Stmt], locals: [String: Int]?) {
        for s in body { statement(s, locals: locals) }
    }

    private mutating func statement(_ s: Stmt, locals: [String: Int]?) {
        switch s {
        case let e as ExprStmt: expression(e.expr, locals: locals)
        case let a as AssignStmt:
            expression(a.value, locals: locals)
            for t in a.targets { target(t, locals: locals) }
        case let a as AugmentedAssignStmt:
            expression(a.read, locals: locals)
            expression(a.value, locals: locals)
            target(a.target, locals: locals)
        case let i as IfStmt:
            for (c, body) in i.branches { expression(c, locals: locals); block(body, locals: locals) }
            if let e = i.elseBody { block(e, locals: locals) }
        case let f as ForStmt:
            expression(f.iterable, locals: locals)
            for t in f.targets { target(t, locals: locals) }
            block(f.body, locals: locals)
        case let w as WhileStmt:
            expression(w.condition, locals: locals)
            block(w.body, locals: locals)
        case let r as ReturnStmt:
            if let v = r.value { expression(v, locals: locals) }
        case let f as FunctionStmt:
            for p in f.parameters { if let d = p.defaultValue { expression(d, locals: locals) } }
            name(f.name, locals: locals, isWrite: true)
            var names = f.parameters.map(\.name)
            collectAssigned(f.body, into: &names)
            var slots: [String: Int] = [:]
            for n in names where slots[n] == nil { slots[n] = slots.count }
            f.localNames = slots.sorted { $0.value < $1.value }.map(\.key)
            f.localCount = slots.count
            block(f.body, locals: slots)
        default: break
        }
    }

    /// Names assigned anywhere in a function body (not inside nested functions' bodies).
    private func collectAssigned(_ body: [Stmt], into names: inout [String]) {
        func add(_ t: AssignTarget) { if case .name(let n) = t, !names.contains(n.name) { names.append(n.name) } }
        for s in body {
            switch s {
            case let a as AssignStmt: a.targets.forEach(add)
            case let a as AugmentedAssignStmt: add(a.target)
            case let f as ForStmt: f.targets.forEach(add); collectAssigned(f.body, into: &names)
            case let w as WhileStmt: collectAssigned(w.body, into: &names)
            case let i as IfStmt:
                for (_, b) in i.branches { collectAssigned(b, into: &names) }
                if let e = i.elseBody { collectAssigned(e, into: &names) }
            case let f as FunctionStmt: add(.name(f.name))
            default: break
            }
        }
    }

    private mutating func expression(_ e: Expr, locals: [String: Int]?) {
        switch e {
        case let n as NameExpr: name(n, locals: locals, isWrite: false)
        case let l as ListExpr: for i in l.items { expression(i, locals: locals) }
        case let r as RecordExpr: for v in r.values { expression(v, locals: locals) }
        case let u as UnaryExpr: expression(u.operand, locals: locals)
        case let b as BinaryExpr: expression(b.lhs, locals: locals); expression(b.rhs, locals: locals)
        case let b as LogicalExpr: expression(b.lhs, locals: locals); expression(b.rhs, locals: locals)
        case let c as CallExpr:
            expression(c.callee, locals: locals)
            for a in c.arguments { expression(a, locals: locals) }
            for k in c.keywords { expression(k.value, locals: locals) }
        case let m as MemberExpr: expression(m.object, locals: locals)
        case let x as IndexExpr:
            expression(x.object, locals: locals)
            subscriptExpressions(x.subscripts, locals: locals)
        default: break
        }
    }
}

extension Interpreter {
    /// `fairgrpo check`: parses and resolves without running. Reports syntax
    /// errors, and names that are read but never assigned in the program and
    /// not defined (builtins, `--set` variables), with suggestions.
    public func check(_ source: SourceFile) -> [Diagnostic] {
        let parsed = Parser.parse(source)
        if !parsed.diagnostics.isEmpty { return parsed.diagnostics }
        var resolver = Resolver(interpreter: self)
        resolver.resolve(parsed.program)
        let known = Set(definedNames).union(resolver.assignedGlobals)
        var out: [Diagnostic] = []
        var reported = Set<String>()
        for (name, location) in resolver.reads where !known.contains(name) && !reported.contains(name) {
            reported.insert(name)
            var notes: [String] = []
            if let n = Suggestions.note(for: name, among: known) { notes.append(n) }
            out.append(Diagnostic(.error, "name '\(name)' is not defined", at: location, in: source, notes: notes))
        }
        return out
    }
}
