/// The kinds of token the lexer produces.
public enum TokenKind: Equatable, Sendable {
    case number(Double)
    case string(String)
    /// `f"..."`: text and replacement fields, parsed by the parser.
    case formatString([FormatPiece])
    case identifier(String)
    case keyword(Keyword)
    case symbol(Symbol)
    case newline
    case end

    public var display: String {
        switch self {
        case .number(let v): return "number \(formatNumber(v))"
        case .string: return "string"
        case .formatString: return "f-string"
        case .identifier(let s): return "'\(s)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .symbol(let s): return "'\(s.rawValue)'"
        case .newline: return "end of line"
        case .end: return "end of input"
        }
    }
}

public enum Keyword: String, CaseIterable, Sendable {
    case `for`, `in`, `if`, `else`, `while`, fn, `return`, `break`, `continue`, and, or, not, `true`, `false`, none
}

public enum Symbol: String, CaseIterable, Sendable {
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%", power = "**", at = "@"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case assign = "=", plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]", leftBrace = "{", rightBrace = "}"
    case comma = ",", dot = ".", colon = ":", semicolon = ";"
}

public struct Token: Equatable, Sendable {
    public var kind: TokenKind
    public var location: SourceLocation
    /// Length in characters, for carets and completion.
    public var length: Int
    /// Whether this is the first token on its line. The parser uses it to
    /// find statement boundaries again after an error, even inside a bracket
    /// that was never closed (where the lexer emits no newline tokens).
    public var startsLine = false
}

/// Numbers print without a trailing ".0" when integral, like the REPL shows them.
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}
