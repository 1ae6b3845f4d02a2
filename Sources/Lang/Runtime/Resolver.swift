/// Assigns every name a slot before a program runs.
///
/// At the top level every name is a global. Inside a function (named or
/// anonymous), its parameters and every name it assigns (including loop
/// variables and nested function names) are locals. A name a function reads
/// but does not assign is a local of the nearest enclosing function that has
/// it (a captured variable), else a global. Captured variables live in boxes
/// shared by the function that owns them and the closures that use them, so a
/// closure sees the variable itself (its latest value), as in Python, and
/// holds only what it uses rather than its creator's whole frame.
struct Resolver {
    let interpreter: Interpreter
    /// Global names read and where, for `check`.
    private(set) var reads: [(String, SourceLocation)] = []
    private(set) var assignedGlobals: Set<String> = []

    /// One function being resolved.
    private final class Scope {
        let slots: [String: Int]
        /// Name nodes resolved to a plain local slot; those whose slot turns
        /// out to be captured are switched to the boxed slot at the end.
        var localReferences: [NameExpr] = []
        var boxed: Set<Int> = []
        var captureIndex: [String: Int] = [:]
        var captures: [CaptureSource] = []
        init(slots: [String: Int]) { self.slots = slots }
    }
    /// Enclosing functions, innermost last; empty at the top level.
    private var scopes: [Scope] = []

    init(interpreter: Interpreter) { self.interpreter = interpreter }

    mutating func resolve(_ program: Program) {
        for s in program.statements { statement(s) }
    }

    private mutating func name(_ n: NameExpr, isWrite: Bool) {
        if let scope = scopes.last {
            if let i = scope.slots[n.name] {
                n.slot = .local(i)
                scope.localReferences.append(n)
                return
            }
            if let k = capture(n.name, level: scopes.count - 1) {
                n.slot = .captured(k)
                return
            }
        }
        n.slot = .global(interpreter.slot(for: n.name))
        if isWrite { assignedGlobals.insert(n.name) } else { reads.append((n.name, n.location)) }
    }

    /// The index among the captures of the function at `level` of the
    /// enclosing functions' variable `name`, threading it through every
    /// function in between; nil when no enclosing function has it.
    private func capture(_ name: String, level: Int) -> Int? {
        let scope = scopes[level]
        if let k = scope.captureIndex[name] { return k }
        guard level > 0 else { return nil }
        let outer = scopes[level - 1]
        let source: CaptureSource
        if let i = outer.slots[name] {
            outer.boxed.insert(i)
            source = .boxedLocal(i)
        } else if let k = capture(name, level: level - 1) {
            source = .captured(k)
        } else {
            return nil
        }
        scope.captureIndex[name] = scope.captures.count
        scope.captures.append(source)
        return scope.captures.count - 1
    }

    private mutating func target(_ t: AssignTarget) {
        switch t {
        case .name(let n): name(n, isWrite: true)
        case let .member(object, _, _): expression(object)
        case let .index(object, subscripts, _):
            expression(object)
            subscriptExpressions(subscripts)
        }
    }

    private mutating func subscriptExpressions(_ subscripts: [SubscriptExpr]) {
        for s in subscripts {
            switch s {
            case .single(let e): expression(e)
            case let .slice(a, b, c): for e in [a, b, c].compactMap({ $0 }) { expression(e) }
            }
        }
    }

    private mutating func block(_ body: [Stmt]) {
        for s in body { statement(s) }
    }

    private mutating func statement(_ s: Stmt) {
        switch s {
        case let e as ExprStmt: expression(e.expr)
        case let a as AssignStmt:
            expression(a.value)
            for t in a.targets { target(t) }
        case let a as AugmentedAssignStmt:
            expression(a.read)
            expression(a.value)
            target(a.target)
        case let i as IfStmt:
            for (c, body) in i.branches { expression(c); block(body) }
            if let e = i.elseBody { block(e) }
        case let f as ForStmt:
            expression(f.iterable)
            for t in f.targets { target(t) }
            block(f.body)
        case let w as WhileStmt:
            expression(w.condition)
            block(w.body)
        case let r as ReturnStmt:
            if let v = r.value { expression(v) }
        case let f as FunctionStmt:
            name(f.name, isWrite: true)
            function(f.function)
        default: break
        }
    }

    /// A function's defaults (in the enclosing scope), then its body in a scope of its own.
    private mutating func function(_ f: FunctionBody) {
        for p in f.parameters { if let d = p.defaultValue { expression(d) } }
        var names = f.parameters.map(\.name)
        collectAssigned(f.body, into: &names)
        var slots: [String: Int] = [:]
        for n in names where slots[n] == nil { slots[n] = slots.count }
        f.localNames = slots.sorted { $0.value < $1.value }.map(\.key)
        f.localCount = slots.count
        let scope = Scope(slots: slots)
        scopes.append(scope)
        block(f.body)
        scopes.removeLast()
        for n in scope.localReferences { if case .local(let i) = n.slot, scope.boxed.contains(i) { n.slot = .boxed(i) } }
        f.boxedSlots = scope.boxed.sorted()
        f.captures = scope.captures
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

    private mutating func expression(_ e: Expr) {
        switch e {
        case let n as NameExpr: name(n, isWrite: false)
        case let l as ListExpr: for i in l.items { expression(i) }
        case let r as RecordExpr: for v in r.values { expression(v) }
        case let u as UnaryExpr: expression(u.operand)
        case let b as BinaryExpr: expression(b.lhs); expression(b.rhs)
        case let b as LogicalExpr: expression(b.lhs); expression(b.rhs)
        case let c as CallExpr:
            expression(c.callee)
            for a in c.arguments { expression(a) }
            for k in c.keywords { expression(k.value) }
        case let m as MemberExpr: expression(m.object)
        case let x as IndexExpr:
            expression(x.object)
            subscriptExpressions(x.subscripts)
        case let l as LambdaExpr: function(l.function)
        case let f as FormatStringExpr: formatParts(f.parts)
        default: break
        }
    }

    private mutating func formatParts(_ parts: [FormatPart]) {
        for case .field(let f) in parts {
            expression(f.value)
            formatParts(f.spec)
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
            if out.count == Diagnostic.limit {
                let more = Set(resolver.reads.lazy.map(\.0).filter { !known.contains($0) }).count - Diagnostic.limit
                out.append(Diagnostic(.note, "\(more) more undefined names not shown (the first \(Diagnostic.limit) are above)",
                                      file: source.name, location: location))
                break
            }
            var notes: [String] = []
            if let n = Suggestions.note(for: name, among: known) { notes.append(n) }
            out.append(Diagnostic(.error, "name '\(name)' is not defined", at: location, in: source, notes: notes))
        }
        return out
    }
}
