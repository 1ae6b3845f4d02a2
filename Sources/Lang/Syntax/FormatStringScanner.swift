/// One piece of an f-string: literal text, or a replacement field
/// `{expression!conversion:spec}` whose expression is kept as source text
/// (with where it starts) for the parser to parse.
public enum FormatPiece: Equatable, Sendable {
    case text(String)
    case field(FormatField)
}

public struct FormatField: Equatable, Sendable {
    /// The expression's source text and where it starts.
    public var source: String
    public var location: SourceLocation
    /// `r` (repr) or `s` (str) after `!`, if given.
    public var conversion: Character?
    /// The spec after `:`, itself text and nested fields (`{x:{w}.3f}`).
    public var spec: [FormatPiece]
    /// `{x=}` shows `x=` before the value (Python's self-documenting form).
    public var showsSource: Bool
}

/// Scans `f"..."` (or `f'...'`): literal text with the usual escapes, `{{` and
/// `}}` for braces, and replacement fields. A field's expression may hold
/// brackets, and strings in the other kind of quote; the f-string's own
/// quote always ends it (as in Python before 3.12). Linear in the length.
struct FormatStringScanner {
    let s: [Unicode.Scalar]
    var i: Int
    var line: Int
    var column: Int
    let quote: Unicode.Scalar
    var errors: [(String, SourceLocation)] = []
    /// True when the text ended before the closing quote.
    var unterminated = false
    /// True when Ctrl-C stopped the scan (see `Lexer.interrupted`).
    var interrupted = false
    private var nextInterruptCheck: Int

    init(_ s: [Unicode.Scalar], at i: Int, line: Int, column: Int) {
        self.s = s; self.i = i; self.line = line; self.column = column
        quote = s[i + 1]
        nextInterruptCheck = i + Lexer.interruptCheckInterval
    }

    private var location: SourceLocation { SourceLocation(line: line, column: column) }

    private mutating func step() {
        if s[i] == "\n" { line += 1; column = 1 } else { column += 1 }
        i += 1
    }

    /// Scans from the `f` to just after the closing quote.
    mutating func scan() -> [FormatPiece] {
        let start = location
        let begin = i
        step(); step()  // f and the quote
        let pieces = pieces(inSpec: false)
        if interrupted { return pieces }
        if i - begin > Lexer.maximumLiteralLength {
            errors.append(("f-string longer than \(Lexer.maximumLiteralLength) characters", start))
        }
        if i < s.count && s[i] == quote {
            step()
        } else {
            errors.append(("unterminated f-string (missing closing \(quote))", start))
            unterminated = true
        }
        return pieces
    }

    /// Literal text and fields up to the closing quote (or, in a spec, the
    /// `}` that closes the field).
    private mutating func pieces(inSpec: Bool) -> [FormatPiece] {
        var out: [FormatPiece] = []
        var text = String.UnicodeScalarView()
        func flush() { if !text.isEmpty { out.append(.text(String(text))); text = String.UnicodeScalarView() } }
        while i < s.count && s[i] != quote {
            if i >= nextInterruptCheck {
                nextInterruptCheck = i + Lexer.interruptCheckInterval
                if Interrupt.isRequested { interrupted = true; i = s.count; return out }
            }
            let c = s[i]
            if c == "\u{FFFD}" {
                // Bytes that are not UTF-8 (decoded as U+FFFD): an error, as in any literal.
                errors.append(("invalid UTF-8 byte sequence in a string literal", location))
            }
            if c == "{" {
                if !inSpec && i + 1 < s.count && s[i + 1] == "{" { text.append("{"); step(); step(); continue }
                flush()
                if let f = field() { out.append(.field(f)) }
                continue
            }
            if c == "}" {
                if inSpec { break }
                if i + 1 < s.count && s[i + 1] == "}" { text.append("}"); step(); step(); continue }
                errors.append(("single '}' in an f-string; write '}}' for a brace", location))
                step()
                continue
            }
            if c == "\\" && !inSpec && i + 1 < s.count {
                let here = location
                let e = s[i + 1]
                step(); step()
                switch e {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "0": text.append("\0")
                case "\\", "\"", "'": text.append(e)
                case "\n": break
                default: errors.append(("unknown escape sequence '\\\(Character(e))'", here))
                }
                continue
            }
            text.append(c)
            step()
        }
        flush()
        return out
    }

    /// `{expression[=][!r|!s][:spec]}`, from the `{`; nil after an error.
    private mutating func field() -> FormatField? {
        let open = location
        step()
        let exprStart = location
        let begin = i
        var depth = 0
        var end: Int?
        var showsSource = false
        scanning: while i < s.count && s[i] != quote {
            let c = s[i]
            switch c {
            case "(", "[", "{": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            case "}":
                if depth == 0 { end = i; break scanning }
                depth -= 1
            case "\"", "'":
                // A string in the other quote: skip it whole.
                step()
                while i < s.count && s[i] != c && s[i] != quote {
                    if s[i] == "\\" && i + 1 < s.count && s[i + 1] != quote { step() }
                    step()
                }
                if i < s.count && s[i] == c { step() }
                continue scanning
            case "!" where depth == 0 && !(i + 1 < s.count && s[i + 1] == "="),
                 ":" where depth == 0:
                end = i; break scanning
            case "=" where depth == 0:
                let previous = i > begin ? s[i - 1] : " "
                let next = i + 1 < s.count ? s[i + 1] : " "
                if next != "=" && !"=!<>".unicodeScalars.contains(previous) {
                    var j = i + 1
                    while j < s.count && s[j] == " " { j += 1 }
                    if j < s.count && (s[j] == "}" || s[j] == "!" || s[j] == ":") {
                        end = i; showsSource = true
                        break scanning
                    }
                }
            default: break
            }
            step()
        }
        guard let end else {
            let why = i < s.count ? " before the f-string's closing \(quote) (a string inside a field takes the other quote)" : ""
            errors.append(("expected '}' to close the f-string field opened here" + why, open))
            return nil
        }
        let source = String(String.UnicodeScalarView(s[begin..<end]))
        if source.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" }) {
            errors.append(("empty expression in an f-string field; write '{{' for a brace", exprStart))
        }
        if showsSource { step() }
        var conversion: Character?
        if i < s.count && s[i] == "!" {
            step()
            if i < s.count && (s[i] == "r" || s[i] == "s") {
                conversion = Character(s[i]); step()
            } else {
                errors.append(("expected 'r' or 's' after '!' in an f-string field", location))
            }
        }
        var spec: [FormatPiece] = []
        if i < s.count && s[i] == ":" {
            step()
            spec = pieces(inSpec: true)
        }
        guard i < s.count && s[i] == "}" else {
            errors.append(("expected '}' to close the f-string field opened here", open))
            return nil
        }
        step()
        return FormatField(source: source, location: exprStart, conversion: conversion, spec: spec, showsSource: showsSource)
    }
}
