import ArgumentParser
import Lang
import Notebook
import RL
import Render
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The `fairgrpo` command: the REPL with no subcommand, `run` and `check` for scripts.
@main
struct FairgrpoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fairgrpo",
        abstract: "A notebook-style REPL and scripting environment for fairness-aware reinforcement learning (FairGRPO).",
        discussion: """
            With no subcommand, starts the interactive REPL (type :help there). \
            When standard input is not a terminal, the REPL reads it as a script: \
            no prompt, no echo, and it stops at the first error.

            Input history is kept in ~/.fairgrpo_history; set FAIRGRPO_HISTORY to \
            another file, or to "off" (or pass --no-history) to keep none.

            Performance: OpenBLAS reads OPENBLAS_CORETYPE when it loads. When it \
            would run its generic kernels on a CPU with AVX2 or AVX-512, fairgrpo \
            restarts itself once with the right core (SkylakeX or Haswell). Set \
            OPENBLAS_CORETYPE yourself to choose another; `fairgrpo --version` \
            shows the core in use.
            """,
        subcommands: [RunCommand.self, CheckCommand.self, StatusCommand.self, DoctestCommand.self, NotebookCommand.self, KernelCommand.self])

    @Flag(name: .long, help: "Print the version, the OpenBLAS version, its core and threads, and exit.")
    var version = false

    @Flag(name: .long, help: "Do not read or write the input history file.")
    var noHistory = false

    static func main() {
        // Must run before anything uses OpenBLAS (see BLASCoreSelection).
        BLASCoreSelection.ensureFastCore(arguments: CommandLine.arguments)
        main(nil)
    }

    func run() throws {
        if version {
            print(VersionInfo.report)
            return
        }
        setvbuf(stdout, nil, _IOLBF, 0)
        let session = Session(sink: { Output.write($0, to: stdout) })
        let repl = REPL(session: session, historyPath: noHistory ? nil : FairgrpoCommand.historyPath())
        if !repl.interactive {
            session.errorSink = { Output.write($0, to: stderr) }
            session.warningSink = { Output.write($0, to: stderr) }
            Interrupt.endsScript = true
        }
        let status = repl.run()
        if status != 0 { throw ExitCode(status) }
    }

    static func historyPath() -> String? {
        if let raw = getenv("FAIRGRPO_HISTORY") {
            let value = String(cString: raw)
            if value.isEmpty || value == "off" || value == "0" { return nil }
            return value
        }
        guard let home = getenv("HOME") else { return nil }
        return String(cString: home) + "/.fairgrpo_history"
    }
}

/// Variables given on the command line: `--set lr=0.01 --set name=demo`.
struct Assignments: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Define a variable before the script runs (repeatable). The value is read as an expression, or as text when it is not one: --set lr=0.01 --set data=demo.",
        valueName: "name=value"))
    var assignments: [String] = []

    /// The assignments as code, for a notebook of the run: `name = value` per line (nil without any).
    func code(in session: Session) -> String? {
        let lines = assignments.compactMap { item -> String? in
            guard let eq = item.firstIndex(of: "=") else { return nil }
            let name = String(item[..<eq])
            return session.interpreter.value(of: name).map { "\(name) = \($0.repr)" }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    func apply(to session: Session) throws {
        for item in assignments {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("--set expects name=value, got '\(item)'")
            }
            let name = String(item[..<eq]), valueText = String(item[item.index(after: eq)...])
            guard name.first.map({ $0.isLetter || $0 == "_" }) == true,
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), Keyword(rawValue: name) == nil else {
                throw ValidationError("--set: '\(name)' is not a valid variable name")
            }
            // Evaluated with no builtins defined, so a bare word is text even
            // when a builtin has that name (--set data=demo is "demo").
            let probe = Interpreter()
            probe.write = { _ in }
            let value: Value
            if (try? probe.run(SourceFile(name: "--set", text: "__value = (\(valueText))"))) != nil,
               let v = probe.value(of: "__value") {
                value = v
            } else {
                value = .string(valueText)
            }
            session.interpreter.define(name, value)
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a script headless.",
        discussion: """
            Output goes to standard output; errors go to standard error as \
            FILE:LINE:COLUMN: error: MESSAGE with the line and a caret. Exit status: \
            0 success, 64 bad --shard (or Slurm array variables), 65 syntax error, \
            66 the script cannot be read, 70 runtime error, 130 interrupted (Ctrl-C \
            ends the script once the current step leaves the trainer consistent).

            A study too big for one process: give each compare() results="folder" \
            and run the script once per shard (--shard 0/4 … 3/4, in parallel, on \
            one machine or as a Slurm array job); then run it once more without \
            --shard to assemble every table from the stored runs. `fairgrpo status \
            folder` shows what is stored. See docs/scaling.md.
            """)

    @Argument(help: "The script to run (.fg).")
    var script: String

    @OptionGroup var variables: Assignments

    @Option(name: .long, help: ArgumentHelp("Also write the run as a notebook: cells, outputs and plots (.md or .ipynb).", valueName: "file"))
    var notebook: String?

    @Option(name: .long, help: ArgumentHelp(
        "Train only shard i of n (numbered from 0) of every compare() in the script, storing its runs in compare's results= folder. Inside a Slurm array job the shard comes from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT; --shard 0/1 runs everything.",
        valueName: "i/n"))
    var shard: String?

    func validate() throws {
        if let notebook, NotebookExport.format(for: notebook) == nil {
            throw ValidationError("--notebook must name a .md or .ipynb file, got '\(notebook)'")
        }
        if let shard {
            do { _ = try Shard.parse(shard) } catch { throw ValidationError("\(error)") }
        }
    }

    /// The shard given, else a Slurm array task's, else none.
    func chosenShard() throws -> Shard? {
        if let shard { return try Shard.parse(shard) }
        var environment: [String: String] = [:]
        for name in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_STEP"] {
            if let raw = getenv(name) { environment[name] = String(cString: raw) }
        }
        return try Shard.fromSlurm(environment)
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let session = Session(sink: { Output.write($0, to: stdout) })
        session.errorSink = { Output.write($0, to: stderr) }
        session.warningSink = { Output.write($0, to: stderr) }
        try variables.apply(to: session)
        do { session.shard = try chosenShard() } catch {
            Output.write("fairgrpo: \(error)\n", to: stderr)
            throw ExitCode(64)
        }
        LineEditor.installSignalHandler()
        Interrupt.endsScript = true
        let outcome = ScriptRunner(session: session).run(path: script, stopOnError: true)
        if let notebook, outcome != .missingInput {
            do { try NotebookExport.write(session.cells, to: notebook, title: script, preamble: variables.code(in: session)) }
            catch { Output.write("fairgrpo: \(error)\n", to: stderr); throw ExitCode(73) }
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse a script and check its names without running it.",
        discussion: "Reports every syntax error and every name that is used but never defined. Exit status: 0 ok, 65 problems found, 66 unreadable.")

    @Argument(help: "The script to check (.fg).")
    var script: String

    @OptionGroup var variables: Assignments

    func run() throws {
        let session = Session(sink: { _ in })
        try variables.apply(to: session)
        guard let source = ScriptRunner(session: session).load(script) else { throw ExitCode(66) }
        let problems = session.interpreter.check(source)
        for p in problems { Output.write(p.rendered(width: Terminal.width) + "\n", to: stderr) }
        if !problems.isEmpty { throw ExitCode(65) }
        print("\(script): no problems found")
    }
}
