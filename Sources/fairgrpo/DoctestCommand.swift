import ArgumentParser
import Lang
import Notebook
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `fairgrpo doctest FILE.md...`: runs the fg code blocks of Markdown
/// documents (the tutorials) and checks their output blocks.
struct DoctestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctest",
        abstract: "Run the fg code blocks of Markdown files and check their expected output.",
        discussion: """
            Each file runs in a fresh session, its ```fg blocks in order. When an \
            ```output block follows a code block, what the code printed (values, \
            print output, errors) must match it: a line `...` matches any number of \
            lines, `...` inside a line matches any text, and ```output approx \
            accepts numbers within 1e-3 relative. A code block with no output block \
            must run without error. ```fg skip blocks are not run.

            Relative paths in the code are relative to the current directory: run \
            the tutorials from the repository root. Exit status: 0 all passed, \
            1 some example failed, 65 a file is not well-formed, 66 a file cannot be read.
            """)

    @Argument(help: "Markdown files to check.")
    var files: [String]

    @Flag(name: .long, help: "Rewrite the output blocks of failing examples with what they printed (and add missing ones).")
    var update = false

    @Flag(name: .shortAndLong, help: "Print each file's examples as they run.")
    var verbose = false

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        LineEditor.installSignalHandler()
        var failed = 0, total = 0, unreadable = false, malformed = false
        for file in files {
            let text: String
            do { text = String(decoding: try FileIO.read(file), as: UTF8.self) }
            catch { fputs("fairgrpo: cannot read \(error)\n", stderr); unreadable = true; continue }
            let started = monotonicSeconds()
            let result: Doctest.Result
            do {
                result = try Doctest.run(markdown: text, file: file, progress: { n, count in
                    if verbose { fputs("\(file): example \(n)/\(count)\n", stderr) }
                })
            } catch {
                fputs("\(error)\n", stderr)
                malformed = true
                continue
            }
            total += result.examples
            failed += result.failures.count
            for failure in result.failures { print(failure) }
            let seconds = monotonicSeconds() - started
            let skipped = result.skipped > 0 ? ", \(result.skipped) skipped" : ""
            print("\(file): \(result.examples - result.failures.count)/\(result.examples) examples passed\(skipped) (\(format(seconds)) s)")
            if update {
                let newText = try Doctest.updated(markdown: text, file: file, result: result)
                if newText != text {
                    try FileIO.writeAtomically(Array(newText.utf8), to: file)
                    print("\(file): updated")
                }
            }
        }
        if files.count > 1 { print("\(total - failed)/\(total) examples passed in \(files.count) files") }
        if malformed { throw ExitCode(65) }
        if unreadable { throw ExitCode(66) }
        if failed > 0 { throw ExitCode(1) }
    }

    private func format(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return "\(r)"
    }
}
