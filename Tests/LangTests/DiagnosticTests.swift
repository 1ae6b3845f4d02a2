import Lang
import Testing

/// Error reports stay small and readable whatever the input: a long line is
/// shown as an excerpt with the caret under the column, and a file full of
/// errors lists the first `Diagnostic.limit` and counts the rest.
@Suite struct DiagnosticTests {
    @Test func aLongLineIsShownAroundTheColumn() {
        // The error is at column 5,008 of a 10,007-character line.
        let line = "x = \"" + String(repeating: "a", count: 5000) + "\" )" + String(repeating: "b", count: 4999)
        let source = SourceFile(name: "long.fg", text: line + "\n")
        let parsed = Parser.parse(source)
        let d = parsed.diagnostics[0]
        #expect(d.location == SourceLocation(line: 1, column: 5008))
        let lines = d.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 3)
        // The shown line fits 80 columns, is cut at both ends, and the caret
        // stands under the ')' that caused the error.
        #expect(lines[1].count <= 80 && lines[2].count <= 80)
        #expect(lines[1].hasPrefix("    …") && lines[1].hasSuffix("…"))
        let caret = lines[2].count - 1
        #expect(Array(lines[1])[caret] == ")")
        #expect(lines[2].last == "^")
        // What a diagnostic keeps of the source is the excerpt, not the line.
        #expect((d.sourceLine ?? "").count < 80)
    }

    @Test func aShortLineIsShownWhole() {
        let source = SourceFile(name: "short.fg", text: "x = (1 +\ny = 2)\n")
        let d = Parser.parse(source).diagnostics[0]
        #expect(d.description.contains("\n    y = 2)\n"))
        #expect(d.sourceLineStart == 1)
    }

    @Test func theEndOfALongLineKeepsItsCaret() {
        let line = String(repeating: "c", count: 300) + " $"
        let d = Parser.parse(SourceFile(name: "end.fg", text: line)).diagnostics[0]
        let lines = d.description.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("    …") && !lines[1].hasSuffix("…"))
        #expect(Array(lines[1])[lines[2].count - 1] == "$")
    }

    @Test func manyErrorsAreCountedNotListed() {
        // 60,000 stray control characters on one line: 60,000 errors.
        let text = "x = " + String(repeating: "\u{0}", count: 60_000) + "\n"
        let parsed = Parser.parse(SourceFile(name: "nul.fg", text: text))
        #expect(parsed.diagnostics.count == Diagnostic.limit + 1)
        #expect(parsed.diagnostics.prefix(Diagnostic.limit).allSatisfy {
            $0.severity == .error && $0.message == "unexpected control character U+0000"
        })
        let last = parsed.diagnostics.last!
        #expect(last.severity == .note)
        #expect(last.message == "59900 more errors not shown (the first 100 are above)")
    }

    @Test func manyUndefinedNamesAreCountedNotListed() {
        let text = "fn show(x) { return x }\n" + (0..<250).map { "show(undefined\($0))" }.joined(separator: "\n")
        let found = Interpreter().check(SourceFile(name: "names.fg", text: text))
        #expect(found.count == Diagnostic.limit + 1)
        #expect(found[0].message == "name 'undefined0' is not defined")
        #expect(found.last!.message == "150 more undefined names not shown (the first 100 are above)")
    }

    @Test func theMessageAndNotesWrapToTheWidth() {
        let d = Diagnostic(.error, "trainer(): unknown method \"fairgrp\"; methods: grpo, rloo, reinforce++, fairgrpo, fairgrpo_nd, grpo_rs, grpo_dro",
                           at: SourceLocation(line: 1, column: 5), in: SourceFile(name: "s.fg", text: "t = trainer(method=\"fairgrp\")"),
                           notes: ["note: a note that is long enough to need a second line when the terminal is forty columns wide"])
        let lines = d.rendered(width: 40).split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 40 })
        #expect(lines[0] == "s.fg:1:5: error: trainer(): unknown")
        #expect(lines[1] == "  method \"fairgrp\"; methods: grpo, rloo,")
        #expect(lines.contains("    t = trainer(method=\"fairgrp\")"))
        #expect(lines.contains("        ^"))
        #expect(lines.contains { $0.hasPrefix("note: a note") })
        // Unwrapped, the description keeps each part on one line; the words are the same.
        #expect(d.description.split(separator: "\n").count == 4)
        #expect(d.rendered(width: 40).split(whereSeparator: { $0 == " " || $0 == "\n" }) == d.description.split(whereSeparator: { $0 == " " || $0 == "\n" }))
    }

    @Test func aWindowsScriptShowsItsLine() {
        let source = SourceFile(name: "crlf.fg", text: "x = 1\r\ny = 2\r\nz = 2 $\r\n")
        #expect(source.lines.count == 4)
        let d = Parser.parse(source).diagnostics[0]
        #expect(d.location == SourceLocation(line: 3, column: 7))
        #expect(d.description.hasSuffix("\n    z = 2 $\n          ^"))
        // And its cells split at blank lines as a Unix script's do.
        #expect(CellSplitter.cells(of: SourceFile(name: "c.fg", text: "a = 1\r\n\r\nb = 2\r\n")).map(\.firstLine) == [1, 3])
    }

    @Test func aColumnPastTheEndOfItsLineIsShownAtTheEnd() {
        // A location counted on other line breaks than the text's must not trap.
        let line = String(repeating: "v", count: 200)
        let d = Diagnostic(.error, "m", at: SourceLocation(line: 1, column: 500), in: SourceFile(name: "s.fg", text: line))
        let lines = d.description.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("    …v") && lines[1].hasSuffix("v"))
        #expect(lines[2].hasSuffix("^") && lines[2].count <= 80)
    }
}
