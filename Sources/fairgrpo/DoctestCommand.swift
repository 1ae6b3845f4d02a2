import ArgumentParser
import Lang
import Notebook
import Render
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
        // Tutorials show what an 80-column terminal shows, wherever they are checked.
        if Terminal.widthOverride == nil { Terminal.widthOverride = 80 }
        // Commands of ```console blocks run at the same width.
        setenv("COLUMNS", String(Terminal.width), 1)
        LineEditor.installSignalHandler()
        var failed = 0, total = 0, unreadable = false, malformed = false
        for file in files {
            let text: String
            do { text = String(decoding: try FileIO.read(file), as: UTF8.self) }
            catch { Output.write("fairgrpo: cannot read \(error)\n", to: stderr); unreadable = true; continue }
            let started = monotonicSeconds()
            let result: Doctest.Result
            do {
                result = try Doctest.run(markdown: text, file: file, commands: Self.runFairgrpo,
                                         readFile: { String(decoding: try FileIO.read($0), as: UTF8.self) },
                                         progress: { n, count in
                    if verbose { fputs("\(file): example \(n)/\(count)\n", stderr) }
                })
            } catch {
                Output.write("\(error)\n", to: stderr)
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

    /// Runs this same fairgrpo binary with the given arguments, standard
    /// output and error going to one pipe, as a terminal would show them.
    static func runFairgrpo(_ arguments: [String]) throws -> (output: String, status: Int32) {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = length > 0 ? String(cString: buffer) : CommandLine.arguments[0]
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw DoctestError("cannot create a pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        // A history file must never be touched by a checked command.
        setenv("FAIRGRPO_HISTORY", "off", 1)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(fds[1])
        guard spawned == 0 else { close(fds[0]); throw DoctestError("cannot run \(executable): error \(spawned)") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &chunk, chunk.count)
            if n > 0 { bytes += chunk[0..<n] } else if n == 0 || errno != EINTR { break }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (String(decoding: bytes, as: UTF8.self), exit)
    }

    struct DoctestError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    private func format(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return "\(r)"
    }
}
