import Foundation
import Lang
import Notebook
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Hostile or broken input must give a prompt, located error (or the right
/// result), never a hang, a silent change or a crash: long literals, bytes
/// that are not UTF-8, NUL characters, devices where files are expected,
/// Ctrl-C in a headless run.
@Suite("Bad input", .serialized)
struct BadInputTests {
    func session() -> (Session, () -> String) {
        final class Box: @unchecked Sendable { var text = "" }
        let box = Box()
        let s = Session(sink: { box.text += $0 })
        return (s, { box.text })
    }

    func scratch() throws -> URL { try temporaryDirectory() }

    // MARK: Literals

    @Test("a 400,000-character string literal lexes in linear time", arguments: [100_000, 400_000])
    func longLiteralIsLinear(length: Int) {
        let text = "s = \"" + String(repeating: "a", count: length) + "\"\n"
        let start = Date()
        let parsed = Parser.parse(SourceFile(name: "long.fg", text: text))
        let seconds = Date().timeIntervalSince(start)
        #expect(parsed.diagnostics.isEmpty)
        // Quadratic lexing took 57 s for 100,000 characters in a debug build.
        #expect(seconds < 5, "lexing \(length) characters took \(seconds) s")
    }

    @Test("a literal longer than the limit is one clear error, found in linear time")
    func overlongLiteral() {
        let text = "s = \"" + String(repeating: "b", count: Lexer.maximumLiteralLength + 10) + "\"\nprint(1)\n"
        let start = Date()
        let parsed = Parser.parse(SourceFile(name: "huge.fg", text: text))
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(parsed.diagnostics.map(\.message) == ["string literal longer than \(Lexer.maximumLiteralLength) characters"])
    }

    /// Ctrl-C is a process-wide flag, so this runs the binary: setting the flag
    /// in-process would interrupt whatever other test runs at the same time.
    @Test("Ctrl-C stops the lexer inside a huge literal and nothing runs")
    func lexingIsInterruptible() throws {
        // Long enough that lexing takes many seconds in a debug build.
        let text = "s = \"" + String(repeating: "c", count: 15_000_000) + "\"\nprint(\"ran\")\n"
        let start = Date()
        let r = try runInterrupted(text, .after(0.3), timeout: 120).result
        #expect(!r.stdout.contains("ran"), "\(r.stdout)")
        #expect(r.status == 130, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.hasSuffix("interrupted\n"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test("bytes that are not UTF-8 inside a string literal are a located error",
          arguments: [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]] as [[UInt8]])
    func invalidUTF8InLiteral(bytes: [UInt8]) {
        let source = SourceFile(name: "bad.fg", bytes: Array("x = 1\nprint(\"ab".utf8) + bytes + Array("cd\")\n".utf8))
        let parsed = Parser.parse(source)
        #expect(parsed.diagnostics.count >= 1)
        #expect(parsed.diagnostics.first?.message == "invalid UTF-8 byte sequence in a string literal")
        #expect(parsed.diagnostics.first?.location == SourceLocation(line: 2, column: 10))
    }

    @Test("a leading byte-order mark is accepted; one elsewhere is still an error")
    func byteOrderMark() {
        let (s, output) = session()
        #expect(s.execute(SourceFile(name: "bom.fg", bytes: [0xEF, 0xBB, 0xBF] + Array("x = 2\nprint(x + 1)\n".utf8))) == .ok)
        #expect(output() == "3\n")
        let parsed = Parser.parse(SourceFile(name: "bom.fg", bytes: Array("x = 2\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("print(x)\n".utf8)))
        #expect(!parsed.diagnostics.isEmpty)
    }

    // MARK: NUL characters

    @Test("an error on a line holding NUL or other control characters keeps its line and caret")
    func controlCharactersInErrors() {
        let (s, output) = session()
        s.execute("x = \"a\0b\u{1B}\" + 1\n", sourceName: "nul.fg")
        // Whatever the message says, the line is shown whole with the caret under the '+'.
        #expect(output().hasPrefix("nul.fg:1:12: error: "), "\(output())")
        #expect(output().contains("\n    x = \"a␀b␛\" + 1\n               ^\n"), "\(output())")
    }

    @Test("print writes NUL characters through, in a headless run and on standard input")
    func nulInOutput() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("print(\"a\\0b\", \"c\")\nx = \"\\0\" + \"d\0e\" + 1\n".utf8).write(to: dir.appendingPathComponent("nul.fg"))
        let r = try fairgrpo(["run", "nul.fg"], in: dir)
        #expect(r.status == 70)
        #expect(r.stdout == "a\0b c\n")
        #expect(r.stderr.contains("+ \"d␀e\" + 1\n                     ^\n"), "\(r.stderr)")
        let piped = try fairgrpo([], in: dir, stdin: "print(\"x\\0y\")\n")
        #expect(piped.stdout == "x\0y\n")
    }

    // MARK: Files that are not files

    @Test("load() of a device, a folder or a pipe fails at once with a clear error",
          arguments: ["/dev/zero", "/dev/urandom", "/dev/null", "/dev/full"])
    func loadDevice(path: String) {
        let (s, output) = session()
        let start = Date()
        #expect(s.execute("t = load(\"\(path)\")\n", sourceName: "load.fg") == .runtimeError)
        #expect(Date().timeIntervalSince(start) < 5)
        // The message as one line (errors wrap between words at the display width).
        #expect(unwrapped(output()).contains("\(path): is not a regular file (a character device); only files can be read here"), "\(output())")
    }

    @Test("load() of a named pipe does not wait for a writer")
    func loadFIFO() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.ckpt").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let (s, output) = session()
        #expect(s.execute("t = load(\"\(fifo)\")\n") == .runtimeError)
        #expect(unwrapped(output()).contains("is not a regular file (a pipe)"), "\(output())")
    }

    @Test("save() to a device is refused and the device stays", arguments: ["/dev/full", "/dev/null"])
    func saveToDevice(path: String) throws {
        let (s, output) = session()
        #expect(s.execute("t = trainer(policy(demo(n=140)), demo(n=140))\n") == .ok)
        #expect(s.execute("save(t, \"\(path)\")\n", sourceName: "save.fg") == .runtimeError)
        #expect(output().contains("\(path): is not a regular file (a character device); not replaced"), "\(output())")
        var st = stat()
        #expect(lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }

    // MARK: Ctrl-C in a headless run

    @Test("Ctrl-C during step() in `fairgrpo run` ends the script with 130 after a consistent step")
    func interruptedStepEndsScript() throws {
        let script = "t = trainer(policy(demo(n=200), hidden=[8]), demo(n=200), G=4, batch=8)\nprint(\"ready\")\nstep(t, 1000000, every=1)\nprint(\"not reached\")\n"
        // Once a few steps have been logged.
        let (r, signalled) = try runInterrupted(script, .whenStdout { text in
            text.contains("step 3 ") || text.contains("step    3") || text.components(separatedBy: "\n").count > 5
        }, timeout: 120)
        #expect(signalled)
        #expect(r.status == 130, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("; the trainer is consistent\n"))
        #expect(!r.stdout.contains("not reached"))
        #expect(r.stderr.hasSuffix("interrupted\n"), "\(r.stderr)")
    }
}
