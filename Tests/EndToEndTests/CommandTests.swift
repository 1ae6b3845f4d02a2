import Foundation
import Testing
import TestSupport

/// `fairgrpo check`, `fairgrpo run` options and exit codes, notebook
/// export, and the REPL reading a pipe.
@Suite("fairgrpo command")
struct CommandTests {
    private func golden(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: Paths.golden.appendingPathComponent(name)), as: UTF8.self)
    }

    private func script(_ text: String, named name: String = "script.fg") throws -> URL {
        let dir = try temporaryDirectory()
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        return dir
    }

    // MARK: check

    @Test func checkAcceptsAValidScript() throws {
        let r = try fairgrpo(["check", "functions.fg"])
        #expect(r.status == 0)
        #expect(r.stdout == "functions.fg: no problems found\n")
        #expect(r.stderr == "")
    }

    @Test func checkReportsEverySyntaxErrorLikeRun() throws {
        let r = try fairgrpo(["check", "error_syntax.fg"])
        #expect(r.status == 65)
        #expect(r.stdout == "")
        let expected = try golden("error_syntax.err")
        #expect(r.stderr == expected, "\(difference(r.stderr, expected))")
        #expect(r.stderr.components(separatedBy: ": error: ").count - 1 >= 10)
    }

    @Test func checkReportsUndefinedNamesWithoutRunning() throws {
        let dir = try script("""
            print("ran")
            learning_rate = 0.1
            fn update(x) { return x * learning_rte }
            print(update(2), total_rewrd)
            """)
        let r = try fairgrpo(["check", "script.fg"], in: dir)
        #expect(r.status == 65)
        #expect(r.stdout == "")
        let expected = """
            script.fg:3:27: error: name 'learning_rte' is not defined
                fn update(x) { return x * learning_rte }
                                          ^
            note: did you mean 'learning_rate'?
            script.fg:4:18: error: name 'total_rewrd' is not defined
                print(update(2), total_rewrd)
                                 ^

            """
        #expect(r.stderr == expected, "\(difference(r.stderr, expected))")
    }

    @Test func checkKnowsVariablesGivenWithSet() throws {
        let dir = try script("print(lr * 2)\n")
        #expect(try fairgrpo(["check", "script.fg"], in: dir).status == 65)
        let r = try fairgrpo(["check", "script.fg", "--set", "lr=0.5"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }

    // MARK: exit codes

    @Test(arguments: ["run", "check"])
    func missingScriptExits66(_ subcommand: String) throws {
        let r = try fairgrpo([subcommand, "no-such-script.fg"])
        #expect(r.status == 66)
        #expect(r.stdout == "")
        #expect(r.stderr == "fairgrpo: cannot read no-such-script.fg: No such file or directory\n")
    }

    @Test func runtimeErrorExits70AndKeepsEarlierOutput() throws {
        let dir = try script("print(1)\nprint(2)\n\nx = [1][3]\nprint(3)\n")
        let r = try fairgrpo(["run", "script.fg"], in: dir)
        #expect(r.status == 70)
        #expect(r.stdout == "1\n2\n")
        #expect(r.stderr == "script.fg:4:8: error: list index 3 is out of range for length 1\n    x = [1][3]\n           ^\n")
    }

    // MARK: --set

    @Test func setDefinesVariablesBeforeTheScriptRuns() throws {
        let dir = try script("""
            print(lr, type(lr))
            print(name, type(name))
            print(layers, type(layers))
            print(flag, type(flag))
            print(steps + 1)
            """)
        let r = try fairgrpo([
            "run", "script.fg", "--set", "lr=1e-3", "--set", "name=demo", "--set", "layers=[64, 64]",
            "--set", "flag=true", "--set", "steps=9",
        ], in: dir)
        #expect(r.stderr == "")
        #expect(r.status == 0)
        #expect(r.stdout == "0.001 number\ndemo string\n[64, 64] list\ntrue bool\n10\n")
    }

    @Test func setRejectsAnInvalidName() throws {
        let dir = try script("print(1)\n")
        let r = try fairgrpo(["run", "script.fg", "--set", "2x=1"], in: dir)
        #expect(r.status == 64)
        #expect(r.stdout == "")
        #expect(r.stderr.hasPrefix("Error: --set: '2x' is not a valid variable name\n"))
        let missing = try fairgrpo(["run", "script.fg", "--set", "lr"], in: dir)
        #expect(missing.status == 64)
        #expect(missing.stderr.hasPrefix("Error: --set expects name=value, got 'lr'\n"))
    }

    // MARK: notebooks

    static let notebookScript = """
        # A small notebook.
        x = 6 * 7
        x

        print("hello")
        print("world")

        fn double(n) { return n * 2 }
        double(x)
        """

    @Test func anExportedNotebookReplaysUnderDoctest() throws {
        let dir = try script(CommandTests.notebookScript, named: "notebook.fg")
        #expect(try fairgrpo(["run", "notebook.fg", "--notebook", "out.md"], in: dir).status == 0)
        let r = try fairgrpo(["doctest", "out.md"], in: dir)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.hasPrefix("out.md: 3/3 examples passed"))
    }

    @Test func runWritesAMarkdownNotebook() throws {
        let dir = try script(CommandTests.notebookScript, named: "notebook.fg")
        let r = try fairgrpo(["run", "notebook.fg", "--notebook", "out.md"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout == "42\nhello\nworld\n84\n")
        let markdown = String(decoding: try Data(contentsOf: dir.appendingPathComponent("out.md")), as: UTF8.self)
        let fence = "```"
        let expected = """
            # notebook.fg

            \(fence)fg
            # A small notebook.
            x = 6 * 7
            x
            \(fence)

            \(fence)output
            42
            \(fence)

            \(fence)fg
            print("hello")
            print("world")
            \(fence)

            \(fence)output
            hello
            world
            \(fence)

            \(fence)fg
            fn double(n) { return n * 2 }
            double(x)
            \(fence)

            \(fence)output
            84
            \(fence)

            """
        #expect(markdown == expected, "\(difference(markdown, expected))")
    }

    /// The cells of an ipynb file: (source, stdout text, stderr text).
    private func notebookCells(_ url: URL) throws -> (format: Int, cells: [(String, String, String)]) {
        let json = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
        let root = try #require(json as? [String: Any])
        let format = try #require(root["nbformat"] as? Int)
        let cells = try #require(root["cells"] as? [[String: Any]])
        var out: [(String, String, String)] = []
        for cell in cells {
            #expect(cell["cell_type"] as? String == "code")
            let source = try #require(cell["source"] as? [String]).joined()
            var stdout = "", stderr = ""
            for output in try #require(cell["outputs"] as? [[String: Any]]) {
                #expect(output["output_type"] as? String == "stream")
                let text = try #require(output["text"] as? [String]).joined()
                if output["name"] as? String == "stderr" { stderr += text } else { stdout += text }
            }
            out.append((source, stdout, stderr))
        }
        return (format, out)
    }

    @Test func runWritesAJupyterNotebook() throws {
        let dir = try script(CommandTests.notebookScript, named: "notebook.fg")
        let r = try fairgrpo(["run", "notebook.fg", "--notebook", "out.ipynb"], in: dir)
        #expect(r.status == 0)
        let (format, cells) = try notebookCells(dir.appendingPathComponent("out.ipynb"))
        #expect(format == 4)
        try #require(cells.count == 3)
        #expect(cells[0].0 == "# A small notebook.\nx = 6 * 7\nx")
        #expect(cells[0].1 == "42\n")
        #expect(cells[1].0 == "print(\"hello\")\nprint(\"world\")")
        #expect(cells[1].1 == "hello\nworld\n")
        #expect(cells[2].0 == "fn double(n) { return n * 2 }\ndouble(x)")
        #expect(cells[2].1 == "84\n")
        #expect(cells.allSatisfy { $0.2.isEmpty })
    }

    @Test func aFailedRunStillWritesItsNotebookWithTheError() throws {
        let dir = try script("print(\"start\")\n\nx = 1 / 0\n\nprint(\"never\")\n")
        let r = try fairgrpo(["run", "script.fg", "--notebook", "out.ipynb"], in: dir)
        #expect(r.status == 70)
        #expect(r.stdout == "start\n")
        let (_, cells) = try notebookCells(dir.appendingPathComponent("out.ipynb"))
        try #require(cells.count == 2)
        #expect(cells[0].1 == "start\n")
        #expect(cells[1].0 == "x = 1 / 0")
        #expect(cells[1].1 == "")
        #expect(cells[1].2 == "script.fg:3:7: error: division by zero\n    x = 1 / 0\n          ^\n")
    }

    @Test func notebookNeedsAKnownExtension() throws {
        let dir = try script("print(1)\n")
        let r = try fairgrpo(["run", "script.fg", "--notebook", "out.txt"], in: dir)
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("Error: --notebook must name a .md or .ipynb file, got 'out.txt'\n"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.txt").path))
    }

    // MARK: the REPL reading a pipe

    @Test func pipedInputRunsWithoutPromptOrEcho() throws {
        let input = """
            x = 2
            print(x * 21)
            for i in range(3) {
                print(i)
            }
            x + 1

            """
        let r = try fairgrpo([], stdin: input)
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.stdout == "42\n0\n1\n2\n3\n", "\(difference(r.stdout, "42\n0\n1\n2\n3\n"))")
        #expect(!r.stdout.contains("]> "))
        #expect(!r.stdout.contains("x = 2"))
    }

    @Test func pipedInputStopsAtTheFirstError() throws {
        let r = try fairgrpo([], stdin: "cohort_size = 3\nprint(1)\nprint(cohort_sise)\nprint(2)\n")
        #expect(r.status == 70)
        #expect(r.stdout == "1\n")
        #expect(r.stderr == "<3>:1:7: error: name 'cohort_sise' is not defined\n    print(cohort_sise)\n          ^\nnote: did you mean 'cohort_size'?\n")
        let syntax = try fairgrpo([], stdin: "print(1)\nprint(1 +)\nprint(2)\n")
        #expect(syntax.status == 65)
        #expect(syntax.stdout == "1\n")
    }
}
