/// Turns source text into tokens.
///
/// Newlines end statements, except inside parentheses and brackets (so a call
/// or list may span lines). Inside braces they separate statements of a block;
/// the parser skips them inside record literals. `#` starts a comment.
public struct Lexer {
    public private(set) var tokens: [Token] = []
    public private(set) var errors: [(String, SourceLocation)] = []
    /// True when the text ended inside a string or an open bracket: more
    /// lines would complete it (the REPL then asks for a continuation line).
    public private(set) var endsIncomplete = false
    /// Where an unterminated string starts: it runs to the end of the text,
    /// so any later syntax error is a consequence of it.
    public private(set) var unterminatedString: SourceLocation?
    /// Lines with a character the lexer dropped: syntax errors the parser
    /// finds on them are consequences of that one.
    public private(set) var linesWithDroppedCharacters: Set<Int> = []

    /// Longest string or number literal accepted, in characters.
    public static let maximumLiteralLength = 1 << 24

    /// Lexing checks for Ctrl-C every this many characters of a literal or
    /// the text (see `Interrupt`): a huge input stays interruptible.
    static let interruptCheckInterval = 1 << 16

    /// `firstColumn` is where the text starts on its first line (for an
    /// f-string's embedded expression).
    public init(_ text: String, firstLine: Int = 1, firstColumn: Int = 1) {
        lex(Array(text.unicodeScalars), firstLine: firstLine, firstColumn: firstColumn)
    }

    /// Whether lexing stopped because of Ctrl-C: the tokens are incomplete
    /// and the parser reports `InterruptedError` instead of syntax errors.
    public private(set) var interrupted = false

    private mutating func lex(_ s: [Unicode.Scalar], firstLine: Int, firstColumn: Int) {
        var i = 0, line = firstLine, column = firstColumn
        var depth: [Unicode.Scalar] = []  // open ( [ {
        func location() -> SourceLocation { SourceLocation(line: line, column: column) }
        // Tokens before `flagged` have their `startsLine` set; `lineStart` is
        // true until the first token of the current line.
        var flagged = 0, lineStart = true
        // Just after the last character that is not a space or a comment:
        // where "end of input" is reported.
        var contentEnd = location()
        // Marks the tokens added since the last call.
        func flagNewTokens() {
            while flagged < tokens.count {
                if tokens[flagged].kind != .newline {
                    tokens[flagged].startsLine = lineStart
                    lineStart = false
                    contentEnd = location()
                }
                flagged += 1
            }
        }

        var nextInterruptCheck = Lexer.interruptCheckInterval
        while i < s.count {
            if i >= nextInterruptCheck {
                nextInterruptCheck = i + Lexer.interruptCheckInterval
                if Interrupt.isRequested { interrupted = true; break }
            }
            flagNewTokens()
            let c = s[i]
            let start = location()
            switch c {
            case " ", "\t", "\r":
                i += 1; column += 1
            case "\n":
                if depth.last != "(" && depth.last != "[" {
                    if let last = tokens.last, last.kind != .newline { tokens.append(Token(kind: .newline, location: start, length: 1)) }
                }
                i += 1; line += 1; column = 1
                lineStart = true
            case "#":
                while i < s.count && s[i] != "\n" { i += 1; column += 1 }
            case "0"..."9", "." where i + 1 < s.count && ("0"..."9").contains(s[i + 1]) && (tokens.last.map { !$0.isValueEnd } ?? true):
                let begin = i
                while i < s.count && (s[i].properties.numericType != nil && ("0"..."9").contains(s[i]) || s[i] == "." || s[i] == "_") {
                    if s[i] == "." && i + 1 < s.count && s[i + 1] == "." { break }
                    i += 1
                }
                if i < s.count && (s[i] == "e" || s[i] == "E") {
                    var j = i + 1
                    if j < s.count && (s[j] == "+" || s[j] == "-") { j += 1 }
                    if j < s.count && ("0"..."9").contains(s[j]) {
                        i = j
                        while i < s.count && ("0"..."9").contains(s[i]) { i += 1 }
                    }
                }
                let text = String(String.UnicodeScalarView(s[begin..<i])).replacingUnderscores
                let length = i - begin
                column += length
                if let v = Double(text), length <= Lexer.maximumLiteralLength {
                    tokens.append(Token(kind: .number(v), location: start, length: length))
                } else {
                    errors.append(("invalid number literal '\(text.prefix(40))'", start))
                    tokens.append(Token(kind: .number(.nan), location: start, length: length))
                }
            case "\"", "'":
                lexString(s, &i, &line, &column, quote: c, start: start)
            case "f" where i + 1 < s.count && (s[i + 1] == "\"" || s[i + 1] == "'"):
                var scanner = FormatStringScanner(s, at: i, line: line, column: column)
                let pieces = scanner.scan()
                errors += scanner.errors
                // Syntax errors on these lines follow from the f-string's.
                for (_, at) in scanner.errors { linesWithDroppedCharacters.insert(at.line) }
                if scanner.unterminated { endsIncomplete = true; unterminatedString = start }
                if scanner.interrupted { interrupted = true }
                tokens.append(Token(kind: .formatString(pieces), location: start, length: scanner.i - i))
                (i, line, column) = (scanner.i, scanner.line, scanner.column)
            case _ where c == "_" || c.properties.isAlphabetic:
                let begin = i
                while i < s.count && (s[i] == "_" || s[i].properties.isAlphabetic || ("0"..."9").contains(s[i])) { i += 1 }
                let word = String(String.UnicodeScalarView(s[begin..<i]))
                column += i - begin
                let kind: TokenKind = Keyword(rawValue: word).map { .keyword($0) } ?? .identifier(word)
                tokens.append(Token(kind: kind, location: start, length: i - begin))
            default:
                // Longest symbol first: two characters, then one.
                var matched: Symbol?
                if i + 1 < s.count, let two = Symbol(rawValue: String(Character(c)) + String(Character(s[i + 1]))) { matched = two }
                else if let one = Symbol(rawValue: String(Character(c))) { matched = one }
                guard let symbol = matched else {
                    let shown = c == "\u{FFFD}" ? "invalid UTF-8 byte sequence"
                        : c.value < 0x20 || c.value == 0x7F ? "unexpected control character U+\(String(format4: c.value))"
                        : "unexpected character '\(Character(c))'"
                    errors.append((shown, start))
                    linesWithDroppedCharacters.insert(line)
                    i += 1; column += 1
                    continue
                }
                switch symbol {
                case .leftParen: depth.append("(")
                case .leftBracket: depth.append("[")
                case .leftBrace: depth.append("{")
                case .rightParen, .rightBracket, .rightBrace: if !depth.isEmpty { depth.removeLast() }
                default: break
                }
                let n = symbol.rawValue.unicodeScalars.count
                i += n; column += n
                tokens.append(Token(kind: .symbol(symbol), location: start, length: n))
            }
        }
        flagNewTokens()
        if !depth.isEmpty { endsIncomplete = true }
        if let last = tokens.last, last.kind != .newline {
            tokens.append(Token(kind: .newline, location: contentEnd, length: 0))
        }
        tokens.append(Token(kind: .end, location: contentEnd, length: 0))
    }

    private mutating func lexString(_ s: [Unicode.Scalar], _ i: inout Int, _ line: inout Int, _ column: inout Int,
                                    quote: Unicode.Scalar, start: SourceLocation) {
        var value = String.UnicodeScalarView()
        // The value's length, kept here: the view's `count` walks the whole
        // string, which made every literal quadratic to lex.
        var length = 0
        var nextInterruptCheck = i + Lexer.interruptCheckInterval
        let begin = i
        i += 1; column += 1
        while true {
            if i >= nextInterruptCheck {
                nextInterruptCheck = i + Lexer.interruptCheckInterval
                if Interrupt.isRequested { interrupted = true; return }
            }
            guard i < s.count else {
                errors.append(("unterminated string (missing closing \(quote))", start))
                endsIncomplete = true
                unterminatedString = start
                tokens.append(Token(kind: .string(String(value)), location: start, length: i - begin))
                return
            }
            let c = s[i]
            if c == quote { i += 1; column += 1; break }
            if c == "\n" { line += 1; column = 1; value.append(c); length += 1; i += 1; continue }
            if c == "\\" && i + 1 < s.count {
                let e = s[i + 1]
                i += 2; column += 2
                switch e {
                case "n": value.append("\n"); length += 1
                case "t": value.append("\t"); length += 1
                case "r": value.append("\r"); length += 1
                case "0": value.append("\0"); length += 1
                case "\\", "\"", "'": value.append(e); length += 1
                case "\n": line += 1; column = 1  // line continuation inside a string
                default:
                    errors.append(("unknown escape sequence '\\\(Character(e))'", SourceLocation(line: line, column: column - 2)))
                }
                continue
            }
            if c == "\u{FFFD}" {
                // Source bytes that are not UTF-8 were decoded as U+FFFD
                // (SourceFile): an error here as anywhere else in a script,
                // rather than text silently changed.
                errors.append(("invalid UTF-8 byte sequence in a string literal", SourceLocation(line: line, column: column)))
            }
            value.append(c)
            length += 1
            i += 1; column += 1
            if length > Lexer.maximumLiteralLength {
                errors.append(("string literal longer than \(Lexer.maximumLiteralLength) characters", start))
                while i < s.count && s[i] != quote { i += 1 }
                i += 1
                break
            }
        }
        tokens.append(Token(kind: .string(String(value)), location: start, length: i - begin))
    }
}

extension Token {
    /// Whether this token can end an operand (so a following "." is member access, not a number).
    var isValueEnd: Bool {
        switch kind {
        case .number, .string, .formatString, .identifier: return true
        case .symbol(let s): return s == .rightParen || s == .rightBracket || s == .rightBrace
        case .keyword(let k): return k == .true || k == .false || k == .none
        default: return false
        }
    }
}

extension String {
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}

extension String {
    /// Four or more upper-case hexadecimal digits, as in U+001B.
    init(format4 value: UInt32) {
        let hex = String(value, radix: 16, uppercase: true)
        self = String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
    }
}
