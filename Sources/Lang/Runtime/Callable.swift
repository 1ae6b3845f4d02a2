/// Anything that can be called: builtins, user functions, bound methods.
public protocol Callable: AnyObject {
    var name: String { get }
    /// The parameters, for argument binding, help and keyword completion.
    var parameters: [Parameter] { get }
    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value
}

extension Callable {
    /// `name(a, b=1, *rest)`.
    public var signature: String {
        name + "(" + parameters.map(\.display).joined(separator: ", ") + ")"
    }
}

/// A declared parameter.
public struct Parameter: Sendable {
    public enum Kind: Sendable { case regular, variadic, keywordOnly }
    public let name: String
    /// The default, shown in help; nil for a required parameter.
    public let defaultValue: Value?
    public let kind: Kind
    /// What the parameter means, one line, for help.
    public var help: String

    public init(_ name: String, default defaultValue: Value? = nil, kind: Kind = .regular, help: String = "") {
        self.name = name; self.defaultValue = defaultValue; self.kind = kind; self.help = help
    }

    public static func variadic(_ name: String) -> Parameter { Parameter(name, kind: .variadic) }

    var display: String {
        switch kind {
        case .variadic: return "*" + name
        case .regular, .keywordOnly:
            if let d = defaultValue { return "\(name)=\(d.repr)" }
            return name
        }
    }
}

/// Arguments of one call after binding to the parameters: one slot per
/// parameter (variadic parameters receive a list).
public struct Arguments {
    public let callee: String
    public let parameters: [Parameter]
    public var values: [Value?]
    public let location: SourceLocation?

    /// Binds positional and keyword arguments to `parameters`, with errors a
    /// user can act on (unknown keyword → the accepted names).
    public static func bind(
        _ positional: [Value], _ keywords: [(String, Value)], to parameters: [Parameter],
        callee: String, signature: String, location: SourceLocation?
    ) throws -> Arguments {
        var values = [Value?](repeating: nil, count: parameters.count)
        var p = 0
        var variadic: [Value] = []
        for (i, v) in positional.enumerated() {
            while p < parameters.count && parameters[p].kind == .keywordOnly { p += 1 }
            guard p < parameters.count else {
                let accepted = parameters.filter { $0.kind != .keywordOnly }.count
                throw RuntimeError("\(callee)() takes at most \(accepted) positional argument\(accepted == 1 ? "" : "s") but \(positional.count) were given; usage: \(signature)")
            }
            if parameters[p].kind == .variadic {
                variadic.append(contentsOf: positional[i...])
                values[p] = .list(variadic)
                break
            }
            values[p] = v
            p += 1
        }
        for (name, v) in keywords {
            guard let index = parameters.firstIndex(where: { $0.name == name && $0.kind != .variadic }) else {
                let names = parameters.filter { $0.kind != .variadic }.map(\.name)
                var notes: [String] = []
                if let n = Suggestions.note(for: name, among: names) { notes.append(n) }
                let accepted = names.isEmpty ? "it takes no keyword arguments" : "accepted: " + names.joined(separator: ", ")
                throw RuntimeError("\(callee)() got an unexpected keyword argument '\(name)'; \(accepted)", notes: notes)
            }
            if values[index] != nil {
                throw RuntimeError("\(callee)() got multiple values for argument '\(name)'")
            }
            values[index] = v
        }
        for (i, param) in parameters.enumerated() where values[i] == nil {
            if param.kind == .variadic { values[i] = .list([]); continue }
            guard let d = param.defaultValue else {
                throw RuntimeError("\(callee)() missing required argument '\(param.name)'; usage: \(signature)")
            }
            values[i] = d
        }
        return Arguments(callee: callee, parameters: parameters, values: values, location: location)
    }

    /// The value bound to `name`.
    public subscript(_ name: String) -> Value {
        guard let i = parameters.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("\(callee)() has no parameter '\(name)'")
        }
        return values[i] ?? .none
    }

    public func isNone(_ name: String) -> Bool {
        if case .none = self[name] { return true }
        return false
    }

    private func typeError(_ name: String, _ expected: String) -> RuntimeError {
        RuntimeError("\(callee)(): argument '\(name)' must be \(expected), got \(self[name].typeName) \(self[name].repr.prefix(40))")
    }

    public func number(_ name: String) throws -> Double {
        switch self[name] {
        case .number(let v): return v
        case .bool(let b): return b ? 1 : 0
        default: throw typeError(name, "a number")
        }
    }

    public func integer(_ name: String) throws -> Int {
        let v = try number(name)
        guard v == v.rounded(), abs(v) < 9e15 else { throw typeError(name, "a whole number") }
        return Int(v)
    }

    public func optionalInteger(_ name: String) throws -> Int? { isNone(name) ? nil : try integer(name) }
    public func optionalNumber(_ name: String) throws -> Double? { isNone(name) ? nil : try number(name) }

    public func string(_ name: String) throws -> String {
        guard case .string(let s) = self[name] else { throw typeError(name, "a string") }
        return s
    }

    public func optionalString(_ name: String) throws -> String? { isNone(name) ? nil : try string(name) }

    public func bool(_ name: String) throws -> Bool {
        guard case .bool(let b) = self[name] else { throw typeError(name, "true or false") }
        return b
    }

    public func list(_ name: String) throws -> [Value] {
        switch self[name] {
        case .list(let l): return l.items
        case .object(let o):
            if let items = try o.iterationValues() { return items }
            throw typeError(name, "a list")
        default: throw typeError(name, "a list")
        }
    }

    /// A library object of the given type.
    public func object<T>(_ name: String, as type: T.Type, _ expected: String) throws -> T {
        guard case .object(let o) = self[name], let t = o as? T else { throw typeError(name, expected) }
        return t
    }
}

/// A function implemented in Swift and registered by the binding layer.
public final class BuiltinFunction: Callable, @unchecked Sendable {
    public let name: String
    public private(set) var parameters: [Parameter]
    /// One line: what it does.
    public let summary: String
    /// More text: defaults, details.
    public let details: String
    /// One example of use.
    public let example: String
    /// What a call gives back, one line.
    public private(set) var returns = ""
    /// The group `:help` lists it under.
    public private(set) var topic = ""
    let body: (Arguments, Interpreter) throws -> Value

    public init(
        _ name: String, _ parameters: [Parameter] = [], summary: String, details: String = "", example: String,
        body: @escaping (Arguments, Interpreter) throws -> Value
    ) {
        self.name = name; self.parameters = parameters
        self.summary = summary; self.details = details; self.example = example
        self.body = body
    }

    public func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        do { return try body(arguments, interpreter) } catch { throw interpreter.named(error, by: name) }
    }

    /// Attaches the help a catalogue keeps apart from the implementation:
    /// the topic, the returns line, and each parameter's meaning (for the
    /// parameters that have none yet).
    public func document(topic: String, returns: String, parameter meaning: (String) -> String?) {
        self.topic = topic
        self.returns = returns
        for i in parameters.indices where parameters[i].help.isEmpty {
            parameters[i].help = meaning(parameters[i].name) ?? ""
        }
    }

    /// The help text shown by `help(name)`, `:help name` and `name?`: the
    /// signature, the summary, one line per parameter (name, default,
    /// meaning), what it returns, details and an example, every line at
    /// most `width` characters.
    public func help(width: Int = 100) -> String {
        let width = max(width, 30)
        var out: [String] = []
        out += TextWrap.code(signature, width: width, indent: 4)
        out += [""] + TextWrap.wrap(summary, width: width)
        if !parameters.isEmpty {
            out += ["", "parameters:"]
            let labels = parameters.map { p -> String in
                switch p.kind {
                case .variadic: return "*" + p.name
                case .regular, .keywordOnly: return p.defaultValue.map { "\(p.name)=\($0.repr)" } ?? p.name
                }
            }
            // The meanings start in one column when the labels are short,
            // else on the line after a long label.
            let column = min((labels.map(\.count).max() ?? 0) + 4, max(12, width / 3))
            for (p, label) in zip(parameters, labels) {
                let meaning = p.help.isEmpty ? "" : p.help + (p.kind == .keywordOnly ? " (by keyword only)" : "")
                let lines = TextWrap.wrap(meaning, width: width - column)
                let head = "  " + label
                if head.count + 2 <= column, let first = lines.first {
                    out.append(head + String(repeating: " ", count: column - head.count) + first)
                    out += lines.dropFirst().map { String(repeating: " ", count: column) + $0 }
                } else {
                    out += TextWrap.wrap(label, width: width - 2).map { "  " + $0 }
                    out += lines.map { String(repeating: " ", count: column) + $0 }
                }
            }
        }
        if !returns.isEmpty { out += [""] + TextWrap.wrap("returns: " + returns, width: width, indent: 2) }
        if !details.isEmpty {
            out.append("")
            for paragraph in details.split(separator: "\n", omittingEmptySubsequences: false) {
                let text = String(paragraph)
                // Lines laid out already (numbered steps, indented) keep their start.
                let lead = text.prefix(while: { $0 == " " }).count
                let isItem = text.first?.isNumber ?? false
                out += text.isEmpty ? [""] : TextWrap.wrap(text, width: width, indent: isItem ? 3 : lead)
            }
        }
        out += ["", "example:"]
        for line in example.split(separator: "\n") { out += TextWrap.code(String(line), width: width - 4, indent: 4).map { "    " + $0 } }
        return out.joined(separator: "\n")
    }
}

/// Wrapping text to a width, for help. Breaks at spaces; a word longer than
/// the width is cut.
public enum TextWrap {
    /// `text` in lines of at most `width` characters; lines after the first
    /// start with `indent` spaces (the first keeps any it has).
    public static func wrap(_ text: String, width: Int, indent: Int = 0) -> [String] {
        guard !text.isEmpty else { return [] }
        let width = max(width, indent + 8)
        var lines: [String] = []
        var line = ""
        let pad = String(repeating: " ", count: indent)
        let lead = String(text.prefix(while: { $0 == " " }))
        line = lead
        var lineHasWord = false
        for word in text.dropFirst(lead.count).split(separator: " ", omittingEmptySubsequences: true) {
            var w = Substring(word)
            if lineHasWord && line.count + 1 + w.count <= width {
                line += " " + w
                continue
            }
            if lineHasWord { lines.append(line); line = pad }
            while line.count + w.count > width {
                let room = width - line.count
                lines.append(line + w.prefix(room))
                w = w.dropFirst(room)
                line = pad
            }
            line += w
            lineHasWord = true
        }
        if lineHasWord || !line.isEmpty { lines.append(line) }
        return lines
    }

    /// A line of code in lines of at most `width`, broken after ", " (inside
    /// a call or list a line break is allowed there), continued with `indent` spaces.
    public static func code(_ text: String, width: Int, indent: Int) -> [String] {
        guard text.count > width else { return [text] }
        let pieces = text.split(separator: ", ", omittingEmptySubsequences: false).map(String.init)
        var lines: [String] = []
        var line = ""
        let pad = String(repeating: " ", count: indent)
        for (k, piece) in pieces.enumerated() {
            let item = piece + (k < pieces.count - 1 ? "," : "")
            if line.isEmpty || line == pad {
                line += item
            } else if line.count + 1 + item.count <= width {
                line += " " + item
            } else {
                lines.append(line)
                line = pad + item
            }
        }
        lines.append(line)
        // A piece longer than the width on its own is cut.
        return lines.flatMap { l -> [String] in
            var rest = Substring(l), out: [String] = []
            while rest.count > width { out.append(String(rest.prefix(width))); rest = pad + rest.dropFirst(width) }
            out.append(String(rest))
            return out
        }
    }
}

/// A method of a library object, bound to it.
public final class BoundMethod: Callable, @unchecked Sendable {
    public let name: String
    public let parameters: [Parameter]
    public let summary: String
    let body: (Arguments, Interpreter) throws -> Value
    public init(_ name: String, _ parameters: [Parameter] = [], summary: String = "",
                body: @escaping (Arguments, Interpreter) throws -> Value) {
        self.name = name; self.parameters = parameters; self.summary = summary; self.body = body
    }
    public func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        do { return try body(arguments, interpreter) } catch { throw interpreter.named(error, by: name) }
    }
}

/// A variable shared between the function that owns it and the closures
/// that capture it.
final class Box {
    var value: Value?
    init(_ value: Value? = nil) { self.value = value }
}

/// A function defined with `fn name(...) { ... }` or written as an anonymous
/// `fn(...) { ... }`.
public final class UserFunction: Callable {
    public let name: String
    public let parameters: [Parameter]
    /// Written as `fn(...) { ... }`, without a name.
    public let isAnonymous: Bool
    let function: FunctionBody
    let captures: [Box]
    let source: SourceFile

    init(name: String, isAnonymous: Bool, function: FunctionBody, defaults: [Value?], captures: [Box], source: SourceFile) {
        self.name = name
        self.isAnonymous = isAnonymous
        self.function = function
        self.captures = captures
        self.source = source
        self.parameters = zip(function.parameters, defaults).map { Parameter($0.0.name, default: $0.1) }
    }

    public func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        try interpreter.invoke(self, arguments)
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
