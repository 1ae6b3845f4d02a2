#if canImport(Glibc)
import Glibc
#endif

/// Runs programs. One interpreter holds a session's variables; the REPL
/// runs each cell through the same instance.
///
/// Variables are resolved to slots before a program runs (see `Resolver`):
/// globals live in an array indexed by slot, a function call's locals in a
/// frame array, so a loop iteration costs no hashing.
public final class Interpreter {
    /// Deepest chain of user-function calls.
    public static let maximumCallDepth = 400

    var globals: [Value?] = []
    var globalSlots: [String: Int] = [:]
    var globalNames: [String] = []
    private var builtinNames: Set<String> = []
    public private(set) var builtins: [String: BuiltinFunction] = [:]
    /// The text of an error thrown by the embedding's library code inside a
    /// builtin, which the builtin then reports under its own name
    /// ("split(): test must be …"); nil for errors that speak for themselves
    /// (a file's problem names the file). The library knows nothing of the
    /// language, so its messages carry no builtin names.
    public var libraryErrorText: ((Error) -> String?)?

    final class Frame {
        var slots: [Value?]
        /// Boxes of the locals inner functions capture (indexed like `slots`).
        var boxes: [Box?]
        /// The running closure's captured variables.
        let captures: [Box]
        init(count: Int, boxed: [Int], captures: [Box]) {
            slots = [Value?](repeating: nil, count: count)
            boxes = boxed.isEmpty ? [] : [Box?](repeating: nil, count: count)
            for i in boxed { boxes[i] = Box() }
            self.captures = captures
        }
    }
    var frame: Frame?
    /// Names of the current function's locals, for error messages.
    var frameNames: [String] = []
    var currentSource: SourceFile
    var callDepth = 0
    private var stackBase: UInt = 0
    private let stackLimit: UInt

    /// Where `print` and echoed values go.
    public var write: (String) -> Void = { print($0, terminator: "") }

    public init() {
        currentSource = SourceFile(name: "<none>", text: "")
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_STACK.rawValue), &limit)
        let size = limit.rlim_cur == rlim_t.max ? UInt(8 << 20) : UInt(limit.rlim_cur)
        // Leave a quarter of the stack (at least 1 MiB) for the builtins a call may run.
        stackLimit = min(size, 64 << 20) * 3 / 4
    }

    // MARK: Variables

    func slot(for name: String) -> Int {
        if let s = globalSlots[name] { return s }
        let s = globals.count
        globals.append(nil)
        globalSlots[name] = s
        globalNames.append(name)
        return s
    }

    /// Defines or replaces a global variable.
    public func define(_ name: String, _ value: Value) { globals[slot(for: name)] = value }

    /// Removes a global variable.
    public func undefine(_ name: String) { if let s = globalSlots[name] { globals[s] = nil } }

    /// The value of a global, if defined.
    public func value(of name: String) -> Value? { globalSlots[name].flatMap { globals[$0] } }

    /// Registers a builtin function as a global of its name.
    public func register(_ builtin: BuiltinFunction) {
        builtins[builtin.name] = builtin
        builtinNames.insert(builtin.name)
        define(builtin.name, .function(builtin))
    }

    /// Defined globals that are not builtins (or that shadow one), in definition order.
    public var variableNames: [String] {
        globalNames.filter { name in
            guard let v = value(of: name) else { return false }
            if case .function(let f) = v, f is BuiltinFunction, builtinNames.contains(name) { return false }
            return true
        }
    }

    /// Every defined global name: builtins and variables.
    public var definedNames: [String] { globalNames.filter { value(of: $0) != nil } }

    /// Forgets every variable; builtins stay.
    public func reset() {
        for (i, name) in globalNames.enumerated() where !builtinNames.contains(name) { globals[i] = nil }
        for name in builtinNames { define(name, .function(builtins[name]!)) }
    }

    // MARK: Running

    /// Parses, resolves and runs `source`. Syntax errors come back as a
    /// `DiagnosticList` before anything runs; a runtime error stops the run
    /// and is thrown as a `Diagnostic`; Ctrl-C as `InterruptedError`.
    /// `echo` receives the value of each top-level expression statement that
    /// is not `none`, as a notebook shows it.
    public func run(_ source: SourceFile, echo: (Value) -> Void = { _ in }) throws {
        let parsed = Parser.parse(source)
        try Interrupt.check()
        if !parsed.diagnostics.isEmpty { throw DiagnosticList(parsed.diagnostics) }
        try run(parsed.program, echo: echo)
    }

    public func run(_ program: Program, echo: (Value) -> Void = { _ in }) throws {
        var resolver = Resolver(interpreter: self)
        resolver.resolve(program)
        let previousSource = currentSource
        currentSource = program.source
        defer { currentSource = previousSource }
        var marker: UInt8 = 0
        let isOutermost = callDepth == 0 && frame == nil
        if isOutermost { stackBase = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) } }
        do {
            for statement in program.statements {
                if let e = statement as? ExprStmt {
                    let v = try e.expr.evaluate(self)
                    if case .none = v { continue }
                    echo(v)
                    continue
                }
                switch try statement.execute(self) {
                case .normal: break
                case .breakLoop, .continueLoop:
                    throw RuntimeError("'break' or 'continue' outside a loop", at: statement.location)
                case .returned:
                    throw RuntimeError("'return' outside a function", at: statement.location)
                }
            }
        } catch let e as RuntimeError {
            if isOutermost { frame = nil; callDepth = 0 }
            throw e.diagnostic(fallback: program.source)
        } catch {
            if isOutermost { frame = nil; callDepth = 0 }
            throw error
        }
    }

    /// Calls a function value (for builtins that take user callbacks).
    public func call(_ value: Value, positional: [Value], keywords: [(String, Value)] = [], location: SourceLocation? = nil) throws -> Value {
        guard case .function(let f) = value else { throw RuntimeError("\(value.typeName) is not callable", at: location) }
        let args = try Arguments.bind(positional, keywords, to: f.parameters, callee: f.name, signature: f.signature, location: location)
        return try f.call(args, self)
    }

    /// Runs a user function's body in a fresh frame.
    func invoke(_ function: UserFunction, _ arguments: Arguments) throws -> Value {
        try Interrupt.check()
        guard callDepth < Interpreter.maximumCallDepth else {
            throw RuntimeError("maximum call depth of \(Interpreter.maximumCallDepth) exceeded in '\(function.name)' (infinite recursion?)")
        }
        var marker: UInt8 = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        if stackBase != 0, stackBase > here, stackBase - here > stackLimit {
            throw RuntimeError("recursion too deep in '\(function.name)': the stack is nearly full")
        }
        let declaration = function.function
        let newFrame = Frame(count: declaration.localCount, boxed: declaration.boxedSlots, captures: function.captures)
        for i in 0..<arguments.values.count { newFrame.slots[i] = arguments.values[i] }
        for i in declaration.boxedSlots where i < arguments.values.count { newFrame.boxes[i]!.value = arguments.values[i] }
        let (savedFrame, savedSource, savedNames) = (frame, currentSource, frameNames)
        frame = newFrame
        currentSource = function.source
        frameNames = declaration.localNames
        callDepth += 1
        defer {
            frame = savedFrame
            currentSource = savedSource
            frameNames = savedNames
            callDepth -= 1
        }
        do {
            let body = declaration.body
            // An anonymous function gives the value of its last statement
            // when that is an expression.
            if declaration.returnsLastExpression, let last = body.last as? ExprStmt {
                for s in body.dropLast() {
                    let flow = try s.execute(self)
                    if case .normal = flow { continue }
                    return try returnValue(flow)
                }
                return try last.expr.evaluate(self)
            }
            return try returnValue(try executeBlock(body))
        } catch var e as RuntimeError {
            if e.source == nil { e.source = function.source }
            throw e
        }
    }

    private func returnValue(_ flow: Flow) throws -> Value {
        switch flow {
        case .returned(let v): return v
        case .normal: return .none
        case .breakLoop, .continueLoop: throw RuntimeError("'break' or 'continue' outside a loop")
        }
    }

    /// A function value for `function`, holding the boxes of the enclosing
    /// variables it uses (taken from the running frame).
    func makeFunction(_ function: FunctionBody, name: String, isAnonymous: Bool) throws -> UserFunction {
        var defaults: [Value?] = []
        for p in function.parameters { defaults.append(try p.defaultValue?.evaluate(self)) }
        let captures: [Box] = function.captures.map { source in
            switch source {
            case .boxedLocal(let i): return frame!.boxes[i]!
            case .captured(let k): return frame!.captures[k]
            }
        }
        return UserFunction(name: name, isAnonymous: isAnonymous, function: function, defaults: defaults,
                            captures: captures, source: currentSource)
    }

    @inline(__always)
    func executeBlock(_ statements: [Stmt]) throws -> Flow {
        for s in statements {
            let flow = try s.execute(self)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    /// Attaches the location (and current source) to errors raised without one.
    /// A library error leaving the builtin `name`, as `libraryErrorText` says to report it.
    func named(_ error: Error, by name: String) -> Error {
        guard !(error is RuntimeError), let text = libraryErrorText?(error) else { return error }
        return RuntimeError(name + "(): " + text)
    }

    func located(_ error: Error, _ location: SourceLocation) -> Error {
        switch error {
        case var e as RuntimeError:
            if e.location == nil { e.location = location; e.source = currentSource }
            return e
        case is InterruptedError, is Diagnostic, is DiagnosticList:
            return error
        default:
            var e = RuntimeError("\(error)", at: location)
            e.source = currentSource
            return e
        }
    }
}
