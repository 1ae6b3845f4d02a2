import Render
import Lang

/// Runs the `fg` code blocks of a Markdown document in order, in one session,
/// and checks each block's output against the `output` block that follows it,
/// so tutorials are tested by the same interpreter users type into.
///
/// ````
/// ```fg
/// x = [1, 2, 3]
/// len(x)
/// ```
/// ```output
/// 3
/// ```
/// ````
///
/// Matching rules, chosen so that output that depends on the machine (timings,
/// sizes) is matched loosely rather than hidden:
/// - lines are compared after dropping trailing spaces; trailing blank lines
///   are ignored;
/// - a line that is exactly `...` matches any number of lines (also none);
/// - `...` inside a line matches any text on that line;
/// - an output block opened as ```` ```output approx ```` also accepts numbers
///   that differ by at most 1e-3 relative (or 1e-6 absolute), for values that
///   may change in the last digits between BLAS kernels.
///
/// A code block with no output block after it must run without error; its
/// output is not checked. A code block opened as ```` ```fg skip ```` is shown
/// but not run.
///
/// Scripts and the command line are checked too: a block opened as
/// ```` ```fg file=path/to/script.fg ```` must be identical to that file, and
/// a ```` ```console ```` block holds `$ fairgrpo ...` command lines, each
/// followed by its expected output (standard output and error together). Only
/// `fairgrpo` commands may appear there; they run as separate processes.
public enum Doctest {
    /// One code block and what it should print.
    public struct Example: Equatable {
        public enum Kind: Equatable {
            /// Code run in the document's session.
            case code
            /// Code that must equal the file at this path (a script the
            /// document shows and later runs); not run in the session.
            case file(String)
            /// A `$ fairgrpo ...` command line, run as a separate process.
            case command([String])
        }
        public var kind: Kind = .code
        public var code: String
        /// Line in the document where the code starts (after the fence).
        public var line: Int
        public var expected: String?
        /// Document lines of the expected block's contents, to rewrite it.
        public var expectedRange: Range<Int>?
        public var approx = false
        public var skip = false
    }

    /// The outcome of one example that did not pass.
    public struct Failure: CustomStringConvertible {
        public var file: String
        public var example: Example
        public var actual: String
        public var reason: String

        public var description: String {
            var text = "\(file):\(example.line): \(reason)\n"
            text += indent(example.code, "    > ")
            if let expected = example.expected {
                text += "  expected:\n" + indent(expected, "    ")
            }
            text += "  got:\n" + indent(actual, "    ")
            return text
        }

        private func indent(_ s: String, _ prefix: String) -> String {
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            let trimmed = lines.last == "" ? lines.dropLast() : lines[...]
            return trimmed.map { prefix + $0 }.joined(separator: "\n") + "\n"
        }
    }

    public struct Result {
        public var examples = 0
        public var skipped = 0
        public var failures: [Failure] = []
        /// Each run example's actual output (nil when skipped), in order.
        public var outputs: [String?] = []
    }

    public struct SyntaxError: Error, CustomStringConvertible {
        public var description: String
    }

    // MARK: Parsing

    /// A fenced block of a Markdown document: its info words (```` ```fg skip ````
    /// gives ["fg", "skip"]), the line of its opening fence, its content lines
    /// and the line after its closing fence (0-based).
    public struct Block {
        public var info: [String]
        public var open: Int
        public var content: Range<Int>
        public var next: Int
    }

    /// The document's lines, without carriage returns.
    public static func lines(of markdown: String) -> [String] {
        markdown.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
    }

    /// The fenced blocks of a document, in order.
    public static func blocks(_ lines: [String], file: String = "<doc>") throws -> [Block] {
        // The fence of an open block: its marker (``` or ~~~, maybe longer).
        func fence(_ line: String) -> (marker: String, info: [String])? {
            let t = line.drop(while: { $0 == " " })
            guard line.count - t.count <= 3, let c = t.first, c == "`" || c == "~" else { return nil }
            let marker = String(t.prefix(while: { $0 == c }))
            guard marker.count >= 3 else { return nil }
            let info = t.dropFirst(marker.count).split(separator: " ").map(String.init)
            return (marker, info)
        }
        func closes(_ line: String, _ marker: String) -> Bool {
            let t = line.trimmingSpaces
            return t.count >= marker.count && t.allSatisfy({ $0 == marker.first })
        }
        var blocks: [Block] = []
        var i = 0
        while i < lines.count {
            guard let open = fence(lines[i]) else { i += 1; continue }
            var j = i + 1
            while j < lines.count && !closes(lines[j], open.marker) { j += 1 }
            guard j < lines.count else {
                throw SyntaxError(description: "\(file):\(i + 1): code block is never closed (expected \(open.marker))")
            }
            blocks.append(Block(info: open.info, open: i, content: i + 1 ..< j, next: j + 1))
            i = j + 1
        }
        return blocks
    }

    /// The index of the output block that belongs to `blocks[b]` (an fg block):
    /// the next block, when only blank lines separate them and it is an output block.
    public static func outputBlock(after b: Int, in blocks: [Block], lines: [String]) -> Int? {
        guard b + 1 < blocks.count, blocks[b + 1].info.first == "output" else { return nil }
        let between = lines[blocks[b].next ..< blocks[b + 1].open]
        return between.allSatisfy { $0.trimmingSpaces.isEmpty } ? b + 1 : nil
    }

    /// The examples of a Markdown document, in order.
    public static func examples(in markdown: String, file: String = "<doc>") throws -> [Example] {
        let lines = lines(of: markdown)
        let blocks = try blocks(lines, file: file)
        var examples: [Example] = []
        var b = 0
        while b < blocks.count {
            let block = blocks[b]
            b += 1
            if block.info.first == "console" {
                examples += try consoleExamples(lines[block.content], firstLine: block.content.lowerBound + 1, file: file)
                continue
            }
            guard block.info.first == "fg" else {
                if block.info.first == "output" {
                    throw SyntaxError(description: "\(file):\(block.open + 1): an output block must follow an fg block")
                }
                continue
            }
            var example = Example(code: lines[block.content].joined(separator: "\n") + "\n", line: block.open + 2)
            example.skip = block.info.dropFirst().contains("skip")
            if let path = block.info.dropFirst().first(where: { $0.hasPrefix("file=") })?.dropFirst(5) {
                example.kind = .file(String(path))
            }
            if let o = outputBlock(after: b - 1, in: blocks, lines: lines) {
                let out = blocks[o]
                example.expected = lines[out.content].joined(separator: "\n")
                example.expectedRange = out.content
                example.approx = out.info.dropFirst().contains("approx")
                b = o + 1
            }
            examples.append(example)
        }
        return examples
    }

    /// The commands of a console block: `$ fairgrpo args...` lines, each with
    /// the lines up to the next command as its expected output.
    static func consoleExamples(_ lines: ArraySlice<String>, firstLine: Int, file: String) throws -> [Example] {
        var examples: [Example] = []
        for (offset, line) in zip(lines.indices, lines) {
            let number = firstLine + (offset - lines.startIndex)
            if line.hasPrefix("$ ") {
                let words = try shellWords(String(line.dropFirst(2)), at: "\(file):\(number)")
                guard words.first == "fairgrpo", words.count > 1 else {
                    throw SyntaxError(description: "\(file):\(number): a console block may only run fairgrpo commands, got '\(line.dropFirst(2))'")
                }
                var example = Example(code: line + "\n", line: number, expected: "")
                example.kind = .command(Array(words.dropFirst()))
                examples.append(example)
            } else if var last = examples.popLast() {
                last.expected! += (last.expected!.isEmpty ? "" : "\n") + line
                examples.append(last)
            } else if !line.trimmingSpaces.isEmpty {
                throw SyntaxError(description: "\(file):\(number): a console block must start with a '$ fairgrpo' line")
            }
        }
        return examples
    }

    /// Splits a command line into words: spaces separate, single and double
    /// quotes group (no variables, globs or escapes beyond \" inside double quotes).
    static func shellWords(_ text: String, at place: String) throws -> [String] {
        var words: [String] = [], current = "", inWord = false
        var quote: Character?
        var escaped = false
        for c in text {
            if escaped { current.append(c); escaped = false; continue }
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"" { escaped = true } else { current.append(c) }
                continue
            }
            switch c {
            case " ", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'", "\"":
                quote = c; inWord = true
            default:
                current.append(c); inWord = true
            }
        }
        guard quote == nil else { throw SyntaxError(description: "\(place): unterminated quote in command") }
        if inWord { words.append(current) }
        return words
    }

    /// Runs a fairgrpo command line: its arguments, and what it printed and its exit status.
    public typealias CommandRunner = ([String]) throws -> (output: String, status: Int32)

    // MARK: Running

    /// Runs every example of a document in a fresh session.
    public static func run(markdown: String, file: String, commands: CommandRunner? = nil,
                           readFile: ((String) throws -> String)? = nil,
                           progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let examples = try examples(in: markdown, file: file)
        var output = ""
        let session = Session(sink: { output += $0 })
        var result = Result()
        for (n, example) in examples.enumerated() {
            progress?(n + 1, examples.count)
            if example.skip {
                result.skipped += 1
                result.outputs.append(nil)
                continue
            }
            switch example.kind {
            case .code: break
            case .file(let path):
                guard let readFile else { result.skipped += 1; result.outputs.append(nil); continue }
                result.examples += 1
                result.outputs.append(nil)
                let actual: String
                do { actual = try readFile(path) } catch {
                    result.failures.append(Failure(file: file, example: example, actual: "\(error)\n", reason: "cannot read \(path)"))
                    continue
                }
                if actual != example.code {
                    result.failures.append(Failure(file: file, example: example, actual: actual, reason: "the block differs from \(path)"))
                }
                continue
            case .command(let arguments):
                guard let commands else { result.skipped += 1; result.outputs.append(nil); continue }
                result.examples += 1
                let (actual, status) = try commands(arguments)
                result.outputs.append(actual)
                if !matches(expected: example.expected ?? "", actual: actual, approx: false) {
                    result.failures.append(Failure(file: file, example: example, actual: actual,
                                                   reason: "output differs (exit status \(status))"))
                }
                continue
            }
            result.examples += 1
            output = ""
            let status = session.execute(SourceFile(name: file, text: example.code, firstLine: example.line))
            result.outputs.append(output)
            if let expected = example.expected {
                if !matches(expected: expected, actual: output, approx: example.approx) {
                    result.failures.append(Failure(file: file, example: example, actual: output,
                                                   reason: "output differs"))
                }
            } else if status != .ok {
                result.failures.append(Failure(file: file, example: example, actual: output,
                                               reason: status == .interrupted ? "interrupted" : "error in a block with no expected output"))
            }
            if status == .interrupted { break }
        }
        return result
    }

    /// The document with the output blocks of failing examples replaced by
    /// what they printed, and an output block added after examples that had
    /// none but printed something. Passing blocks keep their text (and their
    /// `...` patterns).
    public static func updated(markdown: String, file: String, result: Result) throws -> String {
        let examples = try examples(in: markdown, file: file)
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let failing = Set(result.failures.map(\.example.line))
        // From the end, so earlier line numbers stay valid.
        for (n, example) in examples.enumerated().reversed() {
            guard example.kind == .code, n < result.outputs.count, let actual = result.outputs[n] else { continue }
            var newLines = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while newLines.last == "" { newLines.removeLast() }
            if let range = example.expectedRange {
                guard failing.contains(example.line) else { continue }
                lines.replaceSubrange(range, with: newLines)
            } else if !newLines.isEmpty {
                // The code block's closing fence is the first line after the code.
                let codeLines = example.code.split(separator: "\n", omittingEmptySubsequences: false).count - 1
                let close = example.line - 1 + codeLines
                lines.insert(contentsOf: ["```output"] + newLines + ["```"], at: close + 1)
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Matching

    public static func matches(expected: String, actual: String, approx: Bool = false) -> Bool {
        // An error message wraps between words at the display width, and where
        // depends on text a `...` may stand for (a path): a line indented by
        // exactly two spaces continues the one before, on both sides.
        func lines(_ s: String) -> [Substring] {
            var l: [Substring] = []
            for line in s.split(separator: "\n", omittingEmptySubsequences: false).map({ $0.trimmingTrailingSpaces }) {
                if let last = l.last, !last.isEmpty, line.hasPrefix("  "), let third = line.dropFirst(2).first, third != " " {
                    l[l.count - 1] = Substring(last + " " + line.dropFirst(2))
                } else {
                    l.append(line)
                }
            }
            while l.last?.isEmpty == true { l.removeLast() }
            return l
        }
        let want = lines(expected), got = lines(actual)
        // Backtracking over `...` lines; documents are small.
        func match(_ i: Int, _ j: Int) -> Bool {
            if i == want.count { return j == got.count }
            if want[i] == "..." {
                for k in j...got.count where match(i + 1, k) { return true }
                return false
            }
            guard j < got.count, lineMatches(want[i], got[j], approx: approx) else { return false }
            return match(i + 1, j + 1)
        }
        return match(0, 0)
    }

    static func lineMatches(_ want: Substring, _ got: Substring, approx: Bool) -> Bool {
        if want == got { return true }
        if want.contains("...") {
            return wildcard(want.split(separator: "...", omittingEmptySubsequences: false).map(String.init)[...],
                            got[...], approx: approx, anchored: true)
        }
        return approx && approximately(want, got)
    }

    /// Whether `text` is `parts` joined by arbitrary text.
    private static func wildcard(_ parts: ArraySlice<String>, _ text: Substring, approx: Bool, anchored: Bool) -> Bool {
        guard let first = parts.first else { return text.isEmpty }
        if parts.count == 1 {
            // The last part must end the text.
            guard text.count >= first.count else { return false }
            if anchored { return text == first[...] || (approx && approximately(first[...], text)) }
            return text.hasSuffix(first)
        }
        if anchored {
            guard text.hasPrefix(first) else { return false }
            return wildcard(parts.dropFirst(), text.dropFirst(first.count), approx: approx, anchored: false)
        }
        // Try every place the part occurs.
        var start = text.startIndex
        while start <= text.endIndex {
            let rest = text[start...]
            if rest.hasPrefix(first),
               wildcard(parts.dropFirst(), rest.dropFirst(first.count), approx: approx, anchored: false) { return true }
            if start == text.endIndex { break }
            start = text.index(after: start)
        }
        return false
    }

    /// Whether two lines are equal once numbers within tolerance are taken as equal.
    static func approximately(_ a: Substring, _ b: Substring) -> Bool {
        let ta = tokens(a), tb = tokens(b)
        guard ta.count == tb.count else { return false }
        for (x, y) in zip(ta, tb) {
            switch (x, y) {
            case (.text(let s), .text(let t)): if s != t { return false }
            case (.number(let u), .number(let v)):
                if abs(u - v) > max(1e-6, 1e-3 * max(abs(u), abs(v))) { return false }
            default: return false
            }
        }
        return true
    }

    enum Token { case text(Substring), number(Double) }

    static func tokens(_ s: Substring) -> [Token] {
        var out: [Token] = []
        var i = s.startIndex
        var textStart = i
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        while i < s.endIndex {
            let c = s[i]
            let next = s.index(after: i)
            let startsNumber = isDigit(c) || ((c == "-" || c == ".") && next < s.endIndex && isDigit(s[next]))
            if startsNumber {
                var j = next
                while j < s.endIndex, isDigit(s[j]) || s[j] == "." || s[j] == "e" || s[j] == "E"
                        || ((s[j] == "-" || s[j] == "+") && (s[s.index(before: j)] == "e" || s[s.index(before: j)] == "E")) {
                    j = s.index(after: j)
                }
                if let v = Double(s[i..<j]) {
                    if textStart < i { out.append(.text(s[textStart..<i])) }
                    out.append(.number(v))
                    i = j
                    textStart = j
                    continue
                }
            }
            i = next
        }
        if textStart < s.endIndex { out.append(.text(s[textStart...])) }
        return out
    }
}

extension StringProtocol where SubSequence == Substring {
    var trimmingSpaces: Substring {
        let s = self[...].drop(while: { $0 == " " || $0 == "\t" })
        return s.trimmingTrailingSpaces
    }

    var trimmingTrailingSpaces: Substring {
        var s = self[...]
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return s
    }
}
