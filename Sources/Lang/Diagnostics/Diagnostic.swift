/// A position in a source text: 1-based line and column (in characters).
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "\(line):\(column)" }
}

/// A named source text, with fast access to its lines for error reports.
public final class SourceFile: Sendable {
    public let name: String
    public let text: String
    public let lines: [Substring]
    /// The line number of the text's first line: a cell cut from a script
    /// keeps the script's line numbers in its errors.
    public let firstLine: Int

    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        self.text = text
        self.firstLine = firstLine
        // A CRLF is one Character in Swift: split at it as at "\n", as the
        // lexer counts lines, so an error in a Windows-edited script shows its line.
        self.lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// Decodes bytes as UTF-8; invalid sequences become U+FFFD, which the lexer
    /// then reports as an error at its exact place (in a string literal too).
    /// A leading byte-order mark (some Windows editors write one) is skipped.
    public convenience init(name: String, bytes: [UInt8]) {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let text = bytes.starts(with: bom) ? String(decoding: bytes.dropFirst(3), as: UTF8.self) : String(decoding: bytes, as: UTF8.self)
        self.init(name: name, text: text)
    }

    public func line(_ n: Int) -> Substring? {
        let i = n - firstLine
        return i >= 0 && i < lines.count ? lines[i] : nil
    }
}

/// An error or warning at a place in a source file, rendered as
///
///     train.fg:3:7: error: expected ')' after arguments
///         f(a, b
///               ^
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var message: String
    public var file: String
    public var location: SourceLocation
    /// The text of the offending line, shown with a caret under the column:
    /// of a long line only an excerpt around the column (a diagnostic never
    /// holds more than a few hundred characters of source, however many a
    /// script has and however long its lines).
    public var sourceLine: String?
    /// The column in the real line of `sourceLine`'s first character.
    public var sourceLineStart = 1
    /// Extra lines printed after the caret ("did you mean ...").
    public var notes: [String]

    public init(_ severity: Severity = .error, _ message: String, file: String, location: SourceLocation,
                sourceLine: String? = nil, notes: [String] = []) {
        self.severity = severity
        self.message = message
        self.file = file
        self.location = location
        self.sourceLine = sourceLine
        self.notes = notes
    }

    public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation, in source: SourceFile,
                notes: [String] = []) {
        let excerpt = source.line(location.line).map { Diagnostic.excerpt(of: $0, around: location.column) }
        self.init(severity, message, file: source.name, location: location, sourceLine: excerpt?.text, notes: notes)
        sourceLineStart = excerpt?.start ?? 1
    }

    /// How many diagnostics a report lists: past this many errors the rest
    /// follow from the first ones or from input that is not a script at all.
    public static let limit = 100
    /// Characters of a source line shown under an error: with the indent and
    /// the `…` marks of a cut line, an error fits an 80-column terminal.
    static let excerptWidth = 72

    /// Up to `limit` errors as diagnostics, then a note counting the rest.
    public static func limited(_ errors: [(message: String, location: SourceLocation)], in source: SourceFile) -> [Diagnostic] {
        var out = errors.prefix(limit).map { Diagnostic(.error, $0.message, at: $0.location, in: source) }
        if errors.count > limit {
            out.append(Diagnostic(.note, "\(errors.count - limit) more errors not shown (the first \(limit) are above)",
                                  file: source.name, location: errors[limit].location))
        }
        return out
    }

    /// At most `excerptWidth` characters of `line` showing `column`, with `…`
    /// where the line was cut: its start when the column falls there (most
    /// errors), else a window centred on the column. `start` is the real
    /// column of the excerpt's first character (a leading `…` stands in for
    /// the column before the cut).
    static func excerpt(of line: Substring, around column: Int) -> (text: String, start: Int) {
        let scalars = line.unicodeScalars
        let width = excerptWidth
        // Only as much of the line as the window needs is walked: a diagnostic
        // on a 60,000-character line costs what one on a short line does.
        guard let limit = scalars.index(scalars.startIndex, offsetBy: width + 1, limitedBy: scalars.endIndex),
              limit != scalars.endIndex else { return (String(line), 1) }
        if column - 1 < width - 8 {
            return (String(scalars[..<scalars.index(scalars.startIndex, offsetBy: width)]) + "…", 1)
        }
        // Centred: `width - 2` characters between the two marks (fewer at the
        // end of the line). A column past the line's end (a location counted
        // on other line breaks) shows the end of the line.
        let count = scalars.count
        let first = min(column - 1 - (width - 2) / 2, count - (width - 2))  // 0-based index of the first character kept
        let from = scalars.index(scalars.startIndex, offsetBy: first)
        var text = "…"
        if let to = scalars.index(from, offsetBy: width - 2, limitedBy: scalars.endIndex), to != scalars.endIndex {
            text += String(scalars[from..<to]) + "…"
        } else {
            text += String(scalars[from...])
        }
        return (text, first)
    }

    /// The header line alone: `file:line:col: error: message`.
    public var headline: String { "\(file):\(location.line):\(location.column): \(severity.rawValue): \(message)" }

    /// Header, the source line with a caret, then notes.
    public var description: String { rendered(width: nil) }

    /// As `description`, with the message and notes broken between words to
    /// fit `width` columns (continuation lines indented by two), as the REPL
    /// and scripts print it; the source line is already an excerpt that fits.
    public func rendered(width: Int?) -> String {
        func fit(_ text: String) -> String { width.map { Diagnostic.wrap(text, width: $0) } ?? text }
        var out = fit(headline)
        if let line = sourceLine {
            var (text, start) = (line, sourceLineStart)
            if line.unicodeScalars.count > Diagnostic.excerptWidth + 2 {
                let e = Diagnostic.excerpt(of: Substring(line), around: location.column - sourceLineStart + 1)
                (text, start) = (e.text, sourceLineStart + e.start - 1)
            }
            let shown = text.visibleControlCharacters
            out += "\n    " + shown
            let caret = location.column - start
            out += "\n    " + String(repeating: " ", count: max(0, min(caret, shown.count))) + "^"
        }
        for note in notes { out += "\n" + fit(note) }
        return out
    }

    /// Greedy word wrap of each line of `text`; a word longer than the width
    /// (a path) keeps its own line rather than being cut.
    static func wrap(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width else { return String(line) }
            var lines: [String] = [], current = ""
            for word in line.split(separator: " ", omittingEmptySubsequences: false) {
                let indent = lines.isEmpty ? "" : "  "
                if current.isEmpty || indent.count + current.count + 1 + word.count <= width || current.allSatisfy({ $0 == " " }) {
                    current += (current.isEmpty ? "" : " ") + word
                } else {
                    lines.append(indent + current)
                    current = String(word)
                }
            }
            lines.append((lines.isEmpty ? "" : "  ") + current)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// Several diagnostics from one pass (the parser reports all it can find).
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { rendered(width: nil) }
    public func rendered(width: Int?) -> String { diagnostics.map { $0.rendered(width: width) }.joined(separator: "\n") }
}

extension String {
    /// The line as shown under an error: a tab becomes a space and other
    /// control characters (NUL, ESC, ...) their one-column Control Pictures
    /// symbol (␀, ␛), so nothing cuts or garbles the output and the caret
    /// stays under its column.
    var visibleControlCharacters: String {
        var out = String.UnicodeScalarView()
        for c in unicodeScalars {
            switch c.value {
            case 0x09: out.append(" ")
            case 0x0D: continue  // a CRLF line's carriage return
            case 0x00..<0x20: out.append(Unicode.Scalar(0x2400 + c.value)!)
            case 0x7F: out.append("\u{2421}")
            default: out.append(c)
            }
        }
        return String(out)
    }
}
