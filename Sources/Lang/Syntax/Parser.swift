/// Recursive-descent parser for the fairgrpo language (grammar in
/// docs/language.md). It reports every syntax error it can: after an error it
/// skips to the end of the statement and carries on.
public struct Parser {
    /// Deepest nesting of brackets, blocks and unary operators accepted.
    public static let maximumNesting = 200
    /// Tallest expression tree accepted (long operator chains count).
    public static let maximumHeight = 1000

    private let source: SourceFile
    private var tokens: [Token]
    private var position = 0
    private var nesting = 0
    /// Syntax errors as found; they become `Diagnostic`s (which copy source
    /// text) only at the end, and only the first `Diagnostic.limit` of them.
    private var errors: [(message: String, location: SourceLocation)] = []

    private struct Failure: Error { let message: String; let location: SourceLocation }

    /// The result of parsing: the program (with the statements that parsed),
    /// all syntax errors, and whether the text merely stopped early (an open
    /// bracket or string), which the REPL answers with a continuation prompt.
    public struct Result {
        public let program: Program
        public let diagnostics: [Diagnostic]
        public let isIncomplete: Bool
        /// Ctrl-C stopped the lexer: nothing was parsed and nothing must run.
        public var interrupted = false
    }

    public static func parse(_ source: SourceFile) -> Result {
        let lexer = Lexer(source.text, firstLine: source.firstLine)
        if lexer.interrupted {
            return Result(program: Program(source: source, statements: []), diagnostics: [], isIncomplete: false, interrupted: true)
        }
        var parser = Parser(source: source, tokens: lexer.tokens)
        parser.errors = lexer.errors.map { (message: $0.0, location: $0.1) }
        let lexical = parser.errors.count
        var statements: [Stmt] = []
        parser.skipSeparators()
        while !parser.atEnd {
            if let s = parser.statementRecovering() { statements.append(s) }
            parser.skipSeparators()
        }
        // A syntax error on a line where the lexer dropped a character, or
        // anywhere after an unterminated string, follows from that error:
        // report the cause alone. Then list everything in source order.
        var errors = Array(parser.errors[..<lexical])
        for e in parser.errors[lexical...] {
            if lexer.linesWithDroppedCharacters.contains(e.location.line) { continue }
            if let u = lexer.unterminatedString, (e.location.line, e.location.column) >= (u.line, u.column) { continue }
            errors.append(e)
        }
        errors = errors.enumerated().sorted {
            ($0.element.location.line, $0.element.location.column, $0.offset)
                < ($1.element.location.line, $1.element.location.column, $1.offset)
        }.map(\.element)
        return Result(program: Program(source: source, statements: statements),
                      diagnostics: Diagnostic.limited(errors, in: source), isIncomplete: lexer.endsIncomplete)
    }

    private init(source: SourceFile, tokens: [Token]) {
        self.source = source
        self.tokens = tokens
    }

    // MARK: Token helpers

    private var current: Token { tokens[position] }
    private var atEnd: Bool { current.kind == .end }

    private mutating func advance() -> Token {
        let t = tokens[position]
        if t.kind != .end { position += 1 }
        return t
    }

    private func check(_ s: Symbol) -> Bool { current.kind == .symbol(s) }
    private func check(_ k: Keyword) -> Bool { current.kind == .keyword(k) }

    private mutating func match(_ s: Symbol) -> Bool {
        if check(s) { position += 1; return true }
        return false
    }

    private mutating func match(_ k: Keyword) -> Bool {
        if check(k) { position += 1; return true }
        return false
    }

    private mutating func expect(_ s: Symbol, _ context: String) throws -> Token {
        guard check(s) else { throw failure("expected '\(s.rawValue)' \(context)") }
        return advance()
    }

    private func failure(_ message: String, at location: SourceLocation? = nil) -> Failure {
        var text = message
        if location == nil { text += ", found \(current.kind.display)" }
        return Failure(message: text, location: location ?? current.location)
    }

    /// Records an error that does not stop parsing the statement.
    private mutating func report(_ message: String, at location: SourceLocation) {
        errors.append((message, location))
    }

    private mutating func skipNewlines() { while current.kind == .newline { position += 1 } }

    private mutating func skipSeparators() {
        while current.kind == .newline || check(.semicolon) { position += 1 }
    }

    private mutating func enter() throws {
        nesting += 1
        if nesting > Parser.maximumNesting {
            throw failure("nesting deeper than \(Parser.maximumNesting) levels", at: current.location)
        }
    }

    private func checkHeight<E: Expr>(_ e: E) throws -> E {
        if e.height > Parser.maximumHeight {
            throw Failure(message: "expression too deeply nested (more than \(Parser.maximumHeight) levels)", location: e.location)
        }
        return e
    }

    // MARK: Statements

    /// Parses one statement; on a syntax error records it and skips to the
    /// next statement boundary at the same block depth.
    private mutating func statementRecovering() -> Stmt? {
        let saved = nesting
        let start = position
        do {
            let s = try statement()
            try endOfStatement()
            return s
        } catch let f as Failure {
            errors.append((f.message, f.location))
            nesting = saved
            // Parsing stopped at the first token of a later line: a bracket
            // was left open (so the lexer hid the newlines); resume there.
            if current.startsLine && position > start { return nil }
            synchronize(depth: openBrackets(from: start), statementStart: start)
            // Always make progress, even at a stray closing bracket.
            if position == start { _ = advance() }
            return nil
        } catch {
            return nil
        }
    }

    /// How many brackets opened since token `start` are still open here.
    private func openBrackets(from start: Int) -> Int {
        var depth = 0
        for t in tokens[start..<position] {
            switch t.kind {
            case .symbol(.leftParen), .symbol(.leftBracket), .symbol(.leftBrace): depth += 1
            case .symbol(.rightParen), .symbol(.rightBracket), .symbol(.rightBrace): depth = Swift.max(0, depth - 1)
            default: break
            }
        }
        return depth
    }

    /// Skips to the end of the failed statement, given how many brackets are
    /// open at the error: a newline or ';' outside them, the '}' of the
    /// enclosing block, or (when an unclosed bracket hides newlines) the
    /// first token of a later line.
    private mutating func synchronize(depth initialDepth: Int, statementStart start: Int) {
        var depth = initialDepth
        while !atEnd {
            if depth <= 0 && current.startsLine && position > start { return }
            switch current.kind {
            case .newline where depth <= 0, .symbol(.semicolon) where depth <= 0:
                return
            case .symbol(.leftBrace), .symbol(.leftParen), .symbol(.leftBracket):
                depth += 1
            case .symbol(.rightBrace):
                if depth == 0 { return }  // closes the enclosing block
                depth -= 1
            case .symbol(.rightParen), .symbol(.rightBracket):
                depth = Swift.max(0, depth - 1)
            default: break
            }
            position += 1
        }
    }

    private mutating func endOfStatement() throws {
        switch current.kind {
        case .newline, .end, .symbol(.semicolon), .symbol(.rightBrace): return
        // Only after a bracket left open by an earlier error can a statement
        // be followed by a new line that the lexer did not mark.
        case _ where current.startsLine: return
        default: throw failure("expected end of statement (a new line or ';')")
        }
    }

    private mutating func statement() throws -> Stmt {
        let start = current.location
        switch current.kind {
        case .keyword(.for): return try forStatement()
        case .keyword(.while):
            _ = advance()
            let condition = try expression()
            return WhileStmt(condition, try block("to start the loop body"), start)
        case .keyword(.if): return try ifStatement()
        // `fn name(...)` defines a function; `fn(...) { ... }` is an anonymous one.
        case .keyword(.fn) where tokens[position + 1].kind != .symbol(.leftParen): return try functionStatement()
        case .keyword(.return):
            _ = advance()
            switch current.kind {
            case .newline, .end, .symbol(.semicolon), .symbol(.rightBrace): return ReturnStmt(nil, start)
            default: return ReturnStmt(try expression(), start)
            }
        case .keyword(.else):
            throw failure("'else' must be on the same line as the '}' that closes the 'if' block", at: start)
        case .keyword(.break): _ = advance(); return BreakStmt(start)
        case .keyword(.continue): _ = advance(); return ContinueStmt(start)
        default: return try expressionStatement()
        }
    }

    private mutating func expressionStatement() throws -> Stmt {
        let start = current.location
        let first = try expression()
        if check(.comma) {
            var targets = [try assignTarget(first)]
            while match(.comma) { targets.append(try assignTarget(try expression())) }
            guard check(.assign) else { throw failure("expected '=' after the names to unpack into") }
            _ = advance()  // the '='
            return AssignStmt(targets, try expression(), start)
        }
        if match(.assign) {
            return AssignStmt([try assignTarget(first)], try expression(), start)
        }
        let augmented: [Symbol: BinaryOperator] = [.plusAssign: .add, .minusAssign: .subtract, .starAssign: .multiply, .slashAssign: .divide]
        if case .symbol(let s) = current.kind, let op = augmented[s] {
            _ = advance()
            return AugmentedAssignStmt(try assignTarget(first), read: first, op, try expression(), start)
        }
        return ExprStmt(first)
    }

    private func assignTarget(_ e: Expr) throws -> AssignTarget {
        switch e {
        case let n as NameExpr: return .name(n)
        case let m as MemberExpr: return .member(m.object, m.name, m.location)
        case let x as IndexExpr: return .index(x.object, x.subscripts, x.location)
        default: throw Failure(message: "cannot assign to this expression (only to a name, a member or an index)", location: e.location)
        }
    }

    private mutating func forStatement() throws -> Stmt {
        let start = advance().location
        var targets: [AssignTarget] = []
        repeat {
            guard case .identifier(let name) = current.kind else { throw failure("expected a loop variable name after 'for'") }
            targets.append(.name(NameExpr(name, advance().location)))
        } while match(.comma)
        guard match(.in) else { throw failure("expected 'in' after the loop variable") }
        let iterable = try expression()
        return ForStmt(targets, iterable, try block("to start the loop body"), start)
    }

    private mutating func ifStatement() throws -> Stmt {
        let start = advance().location
        var branches: [(Expr, [Stmt])] = []
        let condition = try expression()
        branches.append((condition, try block("after the 'if' condition")))
        var elseBody: [Stmt]?
        while check(.else) && !current.startsLine {
            _ = advance()
            if match(.if) {
                let c = try expression()
                branches.append((c, try block("after the 'else if' condition")))
            } else {
                elseBody = try block("after 'else'")
                break
            }
        }
        return IfStmt(branches, elseBody, start)
    }

    private mutating func functionStatement() throws -> Stmt {
        let start = advance().location
        guard case .identifier(let name) = current.kind else { throw failure("expected a function name after 'fn' (or '(' for an anonymous function)") }
        let nameExpr = NameExpr(name, advance().location)
        _ = try expect(.leftParen, "after the function name")
        let parameters = try parameterList()
        return FunctionStmt(nameExpr, parameters, try block("to start the function body"), start)
    }

    /// `fn(params) { body }` as an expression; `fn` is the current token.
    private mutating func lambda() throws -> Expr {
        let start = advance().location
        _ = try expect(.leftParen, "after 'fn'")
        let parameters = try parameterList()
        try enter()
        defer { nesting -= 1 }
        return LambdaExpr(parameters, try block("to start the function body"), start)
    }

    /// The parameters after an opening '(' up to and including the ')'.
    private mutating func parameterList() throws -> [ParameterDecl] {
        var parameters: [ParameterDecl] = []
        var seenDefault = false
        skipNewlines()
        while !check(.rightParen) {
            guard case .identifier(let p) = current.kind else { throw failure("expected a parameter name") }
            let loc = advance().location
            let duplicate = parameters.contains(where: { $0.name == p })
            if duplicate { report("duplicate parameter '\(p)'", at: loc) }
            var dflt: Expr?
            if match(.assign) { dflt = try expression(); seenDefault = true }
            else if seenDefault { report("parameter '\(p)' without a default follows one with a default", at: loc) }
            if !duplicate { parameters.append(ParameterDecl(name: p, defaultValue: dflt, location: loc)) }
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        _ = try expect(.rightParen, "after the parameters")
        return parameters
    }

    /// `{ statements }`.
    private mutating func block(_ context: String) throws -> [Stmt] {
        guard check(.leftBrace) else { throw failure("expected '{' \(context)") }
        let open = advance()
        try enter()
        defer { nesting -= 1 }
        var body: [Stmt] = []
        skipSeparators()
        while !check(.rightBrace) {
            if atEnd { throw Failure(message: "expected '}' to close the block opened at line \(open.location.line)", location: current.location) }
            if let s = statementRecovering() { body.append(s) }
            skipSeparators()
        }
        _ = advance()
        return body
    }

    // MARK: Expressions (lowest precedence first)

    mutating func expression() throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        return try orExpression()
    }

    private mutating func orExpression() throws -> Expr {
        try logicalChain(.or) { try $0.andExpression() }
    }

    private mutating func andExpression() throws -> Expr {
        try logicalChain(.and) { try $0.notExpression() }
    }

    /// operand (`or`|`and` operand)*, left-associative.
    private mutating func logicalChain(_ keyword: Keyword, operand: (inout Parser) throws -> Expr) throws -> Expr {
        var e = try operand(&self)
        while check(keyword) {
            let loc = advance().location
            e = try checkHeight(LogicalExpr(isAnd: keyword == .and, e, try operand(&self), loc))
        }
        return e
    }

    private mutating func notExpression() throws -> Expr {
        if check(.not) {
            let loc = advance().location
            try enter()
            defer { nesting -= 1 }
            return try checkHeight(UnaryExpr(.not, try notExpression(), loc))
        }
        return try comparison()
    }

    private static let comparisonOperators: [Symbol: BinaryOperator] = [
        .equal: .equal, .notEqual: .notEqual, .less: .less, .lessEqual: .lessEqual, .greater: .greater, .greaterEqual: .greaterEqual,
    ]

    private mutating func comparisonOperator() -> BinaryOperator? {
        if case .symbol(let s) = current.kind { return Parser.comparisonOperators[s] }
        if check(.in) { return .in }
        return nil
    }

    private mutating func comparison() throws -> Expr {
        let lhs = try additive()
        guard let op = comparisonOperator() else { return lhs }
        let loc = advance().location
        let e = try checkHeight(BinaryExpr(op, lhs, try additive(), loc))
        if comparisonOperator() != nil {
            throw failure("comparisons cannot be chained; combine them with 'and'", at: current.location)
        }
        return e
    }

    private mutating func additive() throws -> Expr {
        var e = try term()
        while true {
            let op: BinaryOperator
            if check(.plus) { op = .add } else if check(.minus) { op = .subtract } else { break }
            let loc = advance().location
            e = try checkHeight(BinaryExpr(op, e, try term(), loc))
        }
        return e
    }

    private mutating func term() throws -> Expr {
        var e = try unary()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .symbol(.star): op = .multiply
            case .symbol(.slash): op = .divide
            case .symbol(.percent): op = .modulo
            case .symbol(.at): op = .matmul
            default: return e
            }
            let loc = advance().location
            e = try checkHeight(BinaryExpr(op, e, try unary(), loc))
        }
    }

    private mutating func unary() throws -> Expr {
        if check(.minus) {
            let loc = advance().location
            try enter()
            defer { nesting -= 1 }
            return try checkHeight(UnaryExpr(.negate, try unary(), loc))
        }
        if check(.plus) {
            _ = advance()
            try enter()
            defer { nesting -= 1 }
            return try unary()
        }
        return try power()
    }

    private mutating func power() throws -> Expr {
        let base = try postfix()
        if check(.power) {
            let loc = advance().location
            try enter()
            defer { nesting -= 1 }
            return try checkHeight(BinaryExpr(.power, base, try unary(), loc))
        }
        return base
    }

    private mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if check(.leftParen) {
                let open = advance()
                e = try checkHeight(try callArguments(callee: e, open: open.location))
            } else if check(.dot) {
                let loc = advance().location
                guard case .identifier(let name) = current.kind else { throw failure("expected a member name after '.'") }
                _ = advance()
                e = try checkHeight(MemberExpr(e, name, loc))
            } else if check(.leftBracket) {
                let open = advance()
                e = try checkHeight(try subscripts(object: e, open: open.location))
            } else {
                return e
            }
        }
    }

    private mutating func callArguments(callee: Expr, open: SourceLocation) throws -> Expr {
        var positional: [Expr] = []
        var keywords: [KeywordArgument] = []
        while !check(.rightParen) {
            if atEnd { throw failure("expected ')' after arguments") }
            if case .identifier(let name) = current.kind, tokens[position + 1].kind == .symbol(.assign) {
                let loc = advance().location
                _ = advance()
                let value = try expression()
                if keywords.contains(where: { $0.name == name }) {
                    report("keyword argument '\(name)' given twice", at: loc)
                } else {
                    keywords.append(KeywordArgument(name: name, value: value, location: loc))
                }
            } else {
                let arg = try expression()
                if !keywords.isEmpty {
                    report("positional argument after keyword arguments", at: arg.location)
                }
                positional.append(arg)
            }
            if !match(.comma) { break }
        }
        _ = try expect(.rightParen, "after arguments")
        return CallExpr(callee, positional, keywords, callee.location)
    }

    /// An f-string piece; a field's expression is parsed from its source
    /// text, with locations in the enclosing source.
    private mutating func formatPart(_ piece: FormatPiece) throws -> FormatPart {
        switch piece {
        case .text(let t): return .text(t)
        case .field(let f):
            // The lexer has reported an empty field.
            if f.source.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" }) { return .text("") }
            let lexer = Lexer(f.source, firstLine: f.location.line, firstColumn: f.location.column)
            errors += lexer.errors.map { (message: $0.0, location: $0.1) }
            var sub = Parser(source: source, tokens: lexer.tokens)
            sub.nesting = nesting
            sub.skipNewlines()
            let value = try sub.expression()
            sub.skipNewlines()
            if !sub.atEnd { throw sub.failure("expected the end of the f-string field's expression") }
            errors += sub.errors
            let spec = try f.spec.map { try formatPart($0) }
            return .field(FormatFieldExpr(value: value, conversion: f.conversion, spec: spec, label: f.showsSource ? f.source + "=" : nil))
        }
    }

    private mutating func subscripts(object: Expr, open: SourceLocation) throws -> Expr {
        var items: [SubscriptExpr] = []
        repeat {
            if check(.rightBracket) { break }
            var start: Expr?
            if !check(.colon) { start = try expression() }
            if match(.colon) {
                var end: Expr?, step: Expr?
                if !check(.colon) && !check(.comma) && !check(.rightBracket) { end = try expression() }
                if match(.colon), !check(.comma) && !check(.rightBracket) { step = try expression() }
                items.append(.slice(start, end, step))
            } else if let start {
                items.append(.single(start))
            }
        } while match(.comma)
        guard !items.isEmpty else { throw failure("expected an index inside '[]'") }
        _ = try expect(.rightBracket, "after the index")
        return IndexExpr(object, items, open)
    }

    private mutating func primary() throws -> Expr {
        let t = current
        switch t.kind {
        case .number(let v): _ = advance(); return ConstantExpr(.number(v), t.location)
        case .string(let s): _ = advance(); return ConstantExpr(.string(s), t.location)
        case .formatString(let pieces):
            _ = advance()
            return try checkHeight(FormatStringExpr(try pieces.map { try formatPart($0) }, t.location))
        case .keyword(.true): _ = advance(); return ConstantExpr(.bool(true), t.location)
        case .keyword(.false): _ = advance(); return ConstantExpr(.bool(false), t.location)
        case .keyword(.none): _ = advance(); return ConstantExpr(.none, t.location)
        case .identifier(let name): _ = advance(); return NameExpr(name, t.location)
        case .keyword(.fn): return try lambda()
        case .symbol(.leftParen):
            _ = advance()
            let e = try expression()
            _ = try expect(.rightParen, "to close '(' at \(t.location)")
            return e
        case .symbol(.leftBracket):
            _ = advance()
            try enter()
            defer { nesting -= 1 }
            var items: [Expr] = []
            while !check(.rightBracket) {
                if atEnd { throw failure("expected ']' to close the list") }
                items.append(try expression())
                if !match(.comma) { break }
            }
            _ = try expect(.rightBracket, "to close the list opened at \(t.location)")
            return try checkHeight(ListExpr(items, t.location))
        case .symbol(.leftBrace):
            _ = advance()
            try enter()
            defer { nesting -= 1 }
            var keys: [String] = [], values: [Expr] = []
            skipNewlines()
            while !check(.rightBrace) {
                let key: String
                switch current.kind {
                case .identifier(let k), .string(let k): key = k
                case .keyword(let k): key = k.rawValue
                default: throw failure("expected a field name in the record")
                }
                let keyLocation = advance().location
                _ = try expect(.colon, "after the field name '\(key)'")
                skipNewlines()
                let value = try expression()
                if keys.contains(key) {
                    report("field '\(key)' appears twice in the record", at: keyLocation)
                } else {
                    keys.append(key)
                    values.append(value)
                }
                skipNewlines()
                if !match(.comma) { break }
                skipNewlines()
            }
            _ = try expect(.rightBrace, "to close the record opened at \(t.location)")
            return try checkHeight(RecordExpr(keys, values, t.location))
        case .end:
            throw failure("unexpected end of input; expected an expression", at: t.location)
        default:
            throw failure("expected an expression")
        }
    }
}
