import Foundation
import Notebook
import Testing
import TestSupport

/// The doctest runner that checks the tutorials: parsing fenced blocks,
/// matching rules, failure reports, `--update`, and the command's exit codes.
@Suite("doctest")
struct DoctestTests {
    private let fence = "```"

    private func doc(_ blocks: [(code: String, output: String?)], outputInfo: String = "output") -> String {
        var text = "# A tutorial\n\nSome prose.\n\n"
        for b in blocks {
            text += "\(fence)fg\n\(b.code)\n\(fence)\n"
            if let out = b.output { text += "\(fence)\(outputInfo)\n\(out)\n\(fence)\n" }
            text += "\nMore prose.\n\n"
        }
        return text
    }

    @Test func examplesKeepTheirLinesAndOutputs() throws {
        let text = doc([("x = 1\nx + 1", "2"), ("print(x)", nil)]) + "~~~python\nnot run\n~~~\n"
        let examples = try Doctest.examples(in: text)
        #expect(examples.count == 2)
        #expect(examples[0].code == "x = 1\nx + 1\n")
        #expect(examples[0].line == 6)
        #expect(examples[0].expected == "2")
        #expect(examples[1].expected == nil)
        #expect(examples[1].line == 16)
    }

    @Test func unclosedBlocksAndStrayOutputAreReported() {
        #expect(throws: Doctest.SyntaxError.self) { try Doctest.examples(in: "\(fence)fg\nx = 1\n", file: "t.md") }
        do {
            _ = try Doctest.examples(in: "text\n\(fence)output\n1\n\(fence)\n", file: "t.md")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "t.md:2: an output block must follow an fg block")
        }
    }

    @Test func runsBlocksInOneSessionAndReportsDifferences() throws {
        let text = doc([("x = 20", nil), ("x + 1", "21"), ("x * 2", "41"), ("print(\"ok\")", "ok")])
        let r = try Doctest.run(markdown: text, file: "t.md")
        #expect(r.examples == 4)
        #expect(r.failures.count == 1)
        let f = try #require(r.failures.first)
        #expect(f.example.code == "x * 2\n")
        #expect(f.actual == "40\n")
        #expect(f.description.hasPrefix("t.md:\(f.example.line): output differs\n    > x * 2\n  expected:\n    41\n  got:\n    40\n"))
    }

    @Test func errorsFailOnlyWhenNotExpected() throws {
        let unexpected = try Doctest.run(markdown: doc([("y = nope", nil)]), file: "t.md")
        #expect(unexpected.failures.map(\.reason) == ["error in a block with no expected output"])
        let expected = try Doctest.run(markdown: doc([("y = nope", "...: error: name 'nope' is not defined\n...")]), file: "t.md")
        #expect(expected.failures.isEmpty)
        // Errors carry the document's own line numbers.
        #expect(expected.outputs[0]?.hasPrefix("t.md:6:5: error:") == true)
    }

    @Test func ellipsisRules() {
        #expect(Doctest.matches(expected: "a\n...\nd", actual: "a\nb\nc\nd\n"))
        #expect(Doctest.matches(expected: "a\n...\nb", actual: "a\nb"))
        #expect(!Doctest.matches(expected: "a\n...\nd", actual: "a\nb\nc"))
        #expect(Doctest.matches(expected: "took ... ms (... KB)", actual: "took 12.5 ms (3 KB)"))
        #expect(!Doctest.matches(expected: "took ... ms", actual: "took 12.5 s"))
        #expect(!Doctest.matches(expected: "x ...", actual: "y 1"))
        #expect(Doctest.matches(expected: "...end", actual: "the end"))
        #expect(Doctest.matches(expected: "trailing   \n\n", actual: "trailing\n"))
        #expect(!Doctest.matches(expected: "a", actual: "a\nb"))
        #expect(!Doctest.matches(expected: "a\nb", actual: "a"))
    }

    @Test("an error message matches however it wrapped: a line indented by two continues the one before")
    func wrappedMessages() {
        let oneLine = "...: error: /a/long/path.csv: no such column 'x'\n    load(p)\n    ^"
        #expect(Doctest.matches(expected: oneLine, actual: "s.md:3:1: error:\n  /a/long/path.csv: no such column\n  'x'\n    load(p)\n    ^"))
        #expect(Doctest.matches(expected: "e: a b\n  c d", actual: "e: a\n  b c d"))
        // The words must still agree, and a source line (four spaces) is never joined.
        #expect(!Doctest.matches(expected: oneLine, actual: "s.md:3:1: error: /a/long/path.csv: no such column 'y'\n    load(p)\n    ^"))
        #expect(!Doctest.matches(expected: "e: a b\n    c", actual: "e: a b c"))
    }

    @Test func approximateNumbersOnlyWhenAsked() {
        #expect(!Doctest.matches(expected: "loss 0.25000", actual: "loss 0.25010"))
        #expect(Doctest.matches(expected: "loss 0.25000", actual: "loss 0.25010", approx: true))
        #expect(!Doctest.matches(expected: "loss 0.25", actual: "loss 0.26", approx: true))
        #expect(Doctest.matches(expected: "[1e-3, -2.5]", actual: "[0.0010001, -2.5001]", approx: true))
        #expect(!Doctest.matches(expected: "f1 0.5", actual: "acc 0.5", approx: true))
        let text = doc([("1 / 3", "0.3333")], outputInfo: "output approx")
        #expect((try? Doctest.run(markdown: text, file: "t.md"))?.failures.isEmpty == true)
    }

    @Test func skippedBlocksAreNotRun() throws {
        let text = "\(fence)fg skip\nthis would not parse (\n\(fence)\n" + doc([("1 + 1", "2")])
        let r = try Doctest.run(markdown: text, file: "t.md")
        #expect(r.skipped == 1 && r.examples == 1 && r.failures.isEmpty)
    }

    @Test func updateRewritesOnlyFailingBlocksAndAddsMissingOnes() throws {
        let text = doc([("print(\"a\")\nprint(\"b\")", nil), ("7 * 6", "41"), ("print(\"x 1\")", "x ...")])
        let r = try Doctest.run(markdown: text, file: "t.md")
        let updated = try Doctest.updated(markdown: text, file: "t.md", result: r)
        let again = try Doctest.run(markdown: updated, file: "t.md")
        #expect(again.failures.isEmpty)
        #expect(updated.contains("\(fence)output\na\nb\n\(fence)"))
        #expect(updated.contains("\(fence)output\n42\n\(fence)"))
        #expect(updated.contains("\(fence)output\nx ...\n\(fence)"), "a passing pattern is kept")
    }

    @Test func commandExitCodes() throws {
        let dir = try temporaryDirectory()
        let good = dir.appendingPathComponent("good.md"), bad = dir.appendingPathComponent("bad.md")
        try Data(doc([("2 + 2", "4")]).utf8).write(to: good)
        try Data(doc([("2 + 2", "5")]).utf8).write(to: bad)
        let ok = try fairgrpo(["doctest", good.path])
        #expect(ok.status == 0)
        #expect(ok.stdout.hasSuffix("good.md: 1/1 examples passed (0.0 s)\n"))
        let failing = try fairgrpo(["doctest", good.path, bad.path])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("output differs"))
        #expect(failing.stdout.hasSuffix("1/2 examples passed in 2 files\n"))
        let missing = try fairgrpo(["doctest", dir.appendingPathComponent("none.md").path])
        #expect(missing.status == 66)
    }
}
