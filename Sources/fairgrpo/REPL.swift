import Lang
import Notebook
import Render
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The interactive loop: numbered prompts, continuation lines, `:commands`,
/// `name?` for help. Errors never end the session.
final class REPL {
    let session: Session
    let editor: LineEditor?
    let interactive: Bool
    /// Where commands and help print: the terminal, or the kernel's stream.
    var write: (String) -> Void = { Swift.print($0, terminator: "") }
    /// Where `name?` and `:help` go when set (a notebook's pager); else `write`.
    var page: ((String) -> Void)?
    /// What `:quit` does.
    var quit: () -> Void = { exit(0) }

    /// `interactive` defaults to whether standard input is a terminal.
    init(session: Session, historyPath: String?, interactive: Bool? = nil) {
        self.session = session
        self.interactive = interactive ?? (isatty(0) == 1)
        if self.interactive {
            editor = LineEditor(historyPath: historyPath)
            let completer = Completer(session: session)
            LineEditor.completer = { line, start, end in completer.candidates(line: line, start: start, end: end) }
            // Long work redraws one line in place, on a terminal only: a pipe gets periodic lines.
            // So do charts drawn as text; a pipe keeps the one-line summary of each plot.
            if isatty(1) == 1 {
                session.progressDisplay = TerminalProgressDisplay { fputs($0, stdout); fflush(stdout) }
                session.chartSink = { fputs($0, stdout) }
                session.chartColors = REPL.terminalColors()
            }
        } else {
            editor = nil
            LineEditor.installSignalHandler()
        }
    }

    /// How many colours the terminal shows: none with NO_COLOR set (no-color.org) or a
    /// dumb terminal, 256 when TERM or COLORTERM says so, else the 8 basic ones.
    static func terminalColors() -> Int {
        func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        if let no = env("NO_COLOR"), !no.isEmpty { return 0 }
        let term = env("TERM") ?? ""
        if term.isEmpty || term == "dumb" { return 0 }
        if term.contains("256color") || env("COLORTERM") != nil { return 256 }
        return 8
    }

    /// Runs until `:quit` or end of input. Returns the exit status: 0, or for
    /// piped input the status of the first failing cell (65 syntax, 70 runtime,
    /// 130 Ctrl-C).
    func run() -> Int32 {
        if interactive {
            let width = Terminal.width
            print(wrapItems(["fairgrpo \(VersionInfo.version)", VersionInfo.blasSummary, ":help for help, :quit to leave"], width: width))
            print(wrapItems(["start with the built-in benchmark: data = demo()", "(or dataset(\"heart_cleveland\"), load_csv(...))"],
                            separator: "   ", width: width))
            if let warning = BLASCoreSelection.warning() { print(warning) }
        }
        var buffer = ""
        while true {
            let number = session.cells.count + 1
            let prompt = buffer.isEmpty ? "[\(number)]> " : String(repeating: ".", count: "[\(number)]".count) + "> "
            let input: LineEditor.Input = editor?.readLine(prompt: prompt) ?? plainReadLine()
            switch input {
            case .endOfFile:
                if interactive { print("") }
                if !buffer.isEmpty { if case let status = handle(buffer), status != 0, !interactive { return status } }
                return 0
            case .interrupted:
                buffer = ""
                continue
            case .line(let line):
                buffer += buffer.isEmpty ? line : "\n" + line
                if Session.isIncomplete(buffer) { continue }
                let cell = buffer
                buffer = ""
                editor?.remember(cell)
                if cell.trimmed == ":quit" || cell.trimmed == ":q" { return 0 }
                let status = handle(cell)
                if status != 0 && !interactive { return status }
            }
        }
    }

    private func plainReadLine() -> LineEditor.Input {
        guard let line = Swift.readLine(strippingNewline: true) else { return .endOfFile }
        return .line(line)
    }

    /// Runs a cell or a `:command`. Returns 0, 65 or 70.
    func handle(_ text: String) -> Int32 {
        let trimmed = text.trimmed
        if trimmed.isEmpty { return 0 }
        if trimmed.hasPrefix(":") { return command(trimmed) }
        if trimmed.hasSuffix("?"), !trimmed.dropLast().contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
            showHelp(String(trimmed.dropLast()))
            return 0
        }
        Interrupt.clear()
        switch session.execute(text) {
        case .ok: return 0
        case .interrupted: return interactive ? 0 : 130
        case .syntaxError: return 65
        case .runtimeError: return 70
        }
    }

    private func say(_ text: String) { write(text + "\n") }

    private func showHelp(_ name: String) {
        if let page {
            if name.isEmpty { page(session.helpIndex() + "\n" + commandList); return }
            if let text = session.help(for: name) { page(text); return }
        }
        if name.isEmpty { say(session.helpIndex()); say(commandList); return }
        if let text = session.help(for: name) { say(text); return }
        var message = "no builtin or variable named '\(name)'"
        if let note = Suggestions.note(for: name, among: session.interpreter.definedNames) { message += "\n" + note }
        say(message)
    }

    /// The REPL's commands, each description wrapped under its column to the terminal's width.
    private var commandList: String {
        let commands = [
            (":help [name]", "help for a builtin or variable (also: name?)"),
            (":vars", "the variables defined in this session"),
            (":history [text]", "previous inputs, optionally only those containing text"),
            (":time expr", "run a cell and print how long it took"),
            (":run file.fg", "run a script in this session"),
            (":save file.fg", "save this session's inputs as a replayable script"),
            (":export file.md", "write the session with outputs and plots (.md or .ipynb)"),
            (":cd [dir]", "change the working directory (paths and plots are relative to it); print it"),
            (":set [name value]", "show or change a setting (as options()): width, rows, digits, table_digits; charts, warnings (on|off)"),
            (":reset", "forget every variable"),
            (":quit", "leave (also Ctrl-D)"),
        ]
        let column = 20
        var lines = ["", "commands:"]
        for (name, what) in commands {
            let wrapped = TextWrap.wrap(what, width: max(Terminal.width - column, 20))
            let head = "  " + name
            lines.append(head + String(repeating: " ", count: max(1, column - head.count)) + (wrapped.first ?? ""))
            lines += wrapped.dropFirst().map { String(repeating: " ", count: column) + $0 }
        }
        return lines.joined(separator: "\n")
    }

    private func command(_ text: String) -> Int32 {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let name = parts[0], argument = parts.count > 1 ? parts[1].trimmed : ""
        switch name {
        case ":help", ":h":
            showHelp(argument)
        case ":vars":
            let names = session.interpreter.variableNames.filter { !($0.hasPrefix("_")) }
            if names.isEmpty { say("no variables yet") }
            let width = names.map(\.count).max() ?? 0
            for n in names {
                guard let v = session.interpreter.value(of: n) else { continue }
                let shown = v.repr.split(separator: "\n").first.map(String.init) ?? ""
                say(n.padding(to: width + 2) + v.typeName.padding(to: 10) + String(shown.prefix(60)))
            }
        case ":history":
            let entries = editor?.history ?? session.cells.map(\.input)
            for (i, entry) in entries.enumerated() where argument.isEmpty || entry.contains(argument) {
                say(String(i + 1).padding(to: 6) + entry.replacingNewlines)
            }
        case ":time":
            guard !argument.isEmpty else { say("usage: :time expression"); return 0 }
            let t0 = monotonicSeconds()
            let status = handle(argument)
            say("time: \(formatDuration(monotonicSeconds() - t0))")
            return status
        case ":run":
            guard !argument.isEmpty else { say("usage: :run file.fg"); return 0 }
            return ScriptRunner(session: session).run(path: argument, stopOnError: true).exitCode
        case ":save":
            guard !argument.isEmpty else { say("usage: :save file.fg"); return 0 }
            let script = session.cells.filter { $0.error == nil || $0.error == "interrupted" }.map(\.input).joined(separator: "\n\n") + "\n"
            do {
                try FileIO.writeAtomically(Array(script.utf8), to: argument)
                say("saved \(session.cells.count) cells to \(argument)")
            } catch { say("error: \(error)") }
        case ":export":
            guard !argument.isEmpty else { say("usage: :export file.md or :export file.ipynb"); return 0 }
            do {
                try NotebookExport.write(session.cells, to: argument)
                say("wrote \(argument) (\(session.cells.count) cells)")
            } catch { say("error: \(error)") }
        case ":cd":
            if !argument.isEmpty, chdir(argument) != 0 {
                say("error: cannot change to directory '\(argument)': \(String(cString: strerror(errno)))")
                return 0
            }
            var buffer = [CChar](repeating: 0, count: 4096)
            say(getcwd(&buffer, buffer.count) != nil ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ".")
        case ":set":
            let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else {
                for e in Settings.all { say(e.name.padding(to: 13) + (e.get(session.settings).repr).padding(to: 7) + e.meaning) }
                if words.count == 1 { say("usage: :set name value (e.g. :set width 100, :set charts off)") }
                return 0
            }
            do { try session.settings.set(words[0], .string(words[1].trimmed)) } catch { say("error: \(error)") }
        case ":reset":
            session.reset()
            say("session reset: every variable forgotten")
        case ":quit", ":q":
            quit()
        default:
            var message = "unknown command \(name)"
            if let note = Suggestions.note(for: name, among: Completer.metaCommands) { message += "\n" + note }
            say(message + " (:help lists the commands)")
        }
        return 0
    }
}

func formatDuration(_ seconds: Double) -> String {
    if seconds < 1e-3 { return "\(Int((seconds * 1e6).rounded())) µs" }
    if seconds < 1 { return "\(Double(Int(seconds * 1e4)) / 10) ms" }
    return "\(Double(Int(seconds * 1000)) / 1000) s"
}

extension String {
    var trimmed: String {
        String(drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).reversed())
    }
    var replacingNewlines: String { String(map { $0 == "\n" ? "⏎" : $0 }) }
    func padding(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
