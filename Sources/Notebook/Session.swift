import Lang
import RL
import Render
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// One notebook session: an interpreter with every builtin registered, and
/// the cells run so far with their outputs, for `_`/`_N`, `:save` and
/// `:export`. The REPL, `fairgrpo run` and the doctest runner all drive a
/// `Session`.
public final class Session {
    /// How a cell's value is shown: numbers at the display's significant digits
    /// (the value itself keeps every digit). The REPL and the notebook kernel agree.
    public static func echo(_ value: Value) -> String { value.echo(number: { formatSignificant($0, digits: Display.digits) }) }

    public let interpreter = Interpreter()
    public private(set) var cells: [Cell] = []
    /// Where printed text goes besides the cell record (the terminal).
    public var sink: (String) -> Void
    /// Where long builtins report progress, one line at a time, each replacing
    /// the last (the kernel shows it in place). nil: compare() writes its lines
    /// to stderr, step() shows none (its log lines are the terminal's progress).
    /// Kept out of the cell record, since elapsed times differ from run to run.
    public var progressSink: ((String) -> Void)?
    /// Where long work (step, compare) redraws its progress line in place; nil
    /// (scripts, pipes, doctest): no animation, periodic lines only.
    public var progressDisplay: ProgressDisplay?
    /// The progress line being shown, cleared before any other output.
    var activeProgress: ProgressLine?
    /// The share of every compare() this process trains (`fairgrpo run --shard i/n`,
    /// a Slurm array task); nil: every run.
    public var shard: Shard?
    /// Where warnings go besides the cell record; nil: the sink. Scripts send them to stderr.
    public var warningSink: ((String) -> Void)?
    /// Where a chart is also drawn as text after its PNG is written (the REPL on a
    /// terminal sets it; nil: the one-line summary only), and how many colours
    /// the terminal shows (0, 8 or 256).
    public var chartSink: ((String) -> Void)?
    public var chartColors = 0
    /// What `options()` and `:set` change.
    public var settings = Settings()
    /// A value already shown by the builtin that returned it (step's record
    /// after its summary line), so echoing it would repeat the line.
    var shownResult: AnyObject?
    /// Trainers stepped in this session; once there are several, their lines are labelled.
    var steppedTrainers: [WeakTrainer] = []
    /// Where a plot goes as it is written (path, width, height), besides the
    /// cell record: the kernel shows it inline. nil: nowhere else.
    public var imageSink: ((String, Int, Int) -> Void)?
    /// Receives each echoed value instead of the sink receiving its text, so
    /// a notebook front end can show it richly; the cell record keeps the text.
    public var resultSink: ((Value) -> Void)?
    /// Why the last cell failed, for front ends that report errors as data.
    public private(set) var lastFailure: Failure?
    /// Directory plots are written to when a path is relative.
    public var workingDirectory: String?
    private var capturing: Cell?
    /// The generator random builtins use when not given `seed=`; `seed(n)` resets it.
    public var generator = SeededGenerator(seed: 0)

    /// A cell: what was typed, what it printed, its value, plots it wrote.
    public struct Cell {
        public var number: Int
        public var input: String
        public var outputs: [Output] = []
        /// The value echoed (non-none result of the last expression statement).
        public var result: Value?
        public var error: String?
        /// For outputs (by index in `outputs`) that differ from run to run (timings,
        /// auto-chosen file names, progress that only a terminal shows): the text an
        /// exported Markdown notebook writes instead, with doctest's `...` wildcards,
        /// so the notebook replays under `fairgrpo doctest`.
        public var patterns: [Int: String] = [:]

        public init(number: Int, input: String) { self.number = number; self.input = input }
    }

    public enum Output {
        case text(String)
        case image(path: String, width: Int, height: Int)
    }

    /// Every group of builtins, in the order they are registered (a later one may use an earlier one's).
    static let builtinGroups: [@Sendable (Session) -> Void] = [
        CoreBuiltins.register, TensorBuiltins.register, DataBuiltins.register, FairnessBuiltins.register,
        TrainingBuiltins.register, StepBuiltin.register, ClusterBuiltins.register, PlotBuiltins.register,
        CompareBuiltins.register, SettingsBuiltins.register, TableBuiltins.register, InteropBuiltins.register,
    ]

    public init(sink: @escaping (String) -> Void = { print($0, terminator: "") }) {
        self.sink = sink
        interpreter.write = { [unowned self] text in self.emit(text) }
        interpreter.libraryErrorText = LibraryErrors.text
        for register in Session.builtinGroups { register(self) }
        BuiltinHelp.attach(to: interpreter)
    }

    /// Appends printed text to the running cell and passes it on.
    public func emit(_ text: String) {
        activeProgress?.clear()
        capturing?.outputs.append(.text(text))
        sink(text)
    }

    /// Prints `text`, recording `pattern` (with `...` where the text varies) for notebook exports.
    public func emit(_ text: String, pattern: String) {
        emit(text)
        if let i = capturing?.outputs.indices.last { capturing?.patterns[i] = pattern }
    }

    /// A warning: recorded in the cell like other output, shown unless
    /// `settings.warnings` is off, and sent to `warningSink` (stderr in scripts).
    public func warn(_ text: String) {
        guard settings.warnings else { return }
        activeProgress?.clear()
        capturing?.outputs.append(.text(text))
        if let warningSink { warningSink(text) } else { sink(text) }
    }

    private var plotCount = 0
    /// Where a plot goes when no path is given: plot-1.png, plot-2.png, … in the
    /// working directory, skipping names already taken, so a plot never replaces
    /// an image an earlier session (or an exported notebook) still uses.
    /// The name is claimed by creating the file exclusively, so two sessions
    /// plotting in one folder at the same moment cannot pick the same name.
    public func nextPlotPath() -> String {
        while true {
            plotCount += 1
            let path = (workingDirectory.map { $0 + "/" } ?? "") + "plot-\(plotCount).png"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { close(fd); return path }
            // Taken: try the next number. Any other failure is left to the write, which reports it.
            if errno != EEXIST { return path }
        }
    }

    /// Records an image written while the current cell runs.
    public func recordImage(path: String, width: Int, height: Int) {
        capturing?.outputs.append(.image(path: path, width: width, height: height))
        imageSink?(path, width, height)
    }

    /// A cell's error as data: its kind ("SyntaxError", "RuntimeError",
    /// "Interrupted"), the first message, where it is (the cell's source name,
    /// line and column, when known) and the text the terminal shows, caret
    /// lines included.
    public struct Failure: Sendable {
        public var name: String
        public var message: String
        public var file: String?
        public var line: Int?
        public var column: Int?
        public var text: String
    }

    public enum Status { case ok, syntaxError, runtimeError, interrupted }

    /// Runs one cell. Output (including errors, as text with a caret) goes to
    /// the sink. The session and its variables survive any error.
    @discardableResult
    public func execute(_ text: String, sourceName: String? = nil, echo: Bool = true) -> Status {
        execute(SourceFile(name: sourceName ?? "<\(cells.count + 1)>", text: text), echo: echo)
    }

    /// Runs one cell given as a source (which may carry a script's name and line numbers).
    @discardableResult
    public func execute(_ source: SourceFile, echo: Bool = true) -> Status {
        let number = cells.count + 1
        capturing = Cell(number: number, input: source.text)
        shownResult = nil
        lastFailure = nil
        defer {
            if let cell = capturing { cells.append(cell) }
            capturing = nil
        }
        do {
            try interpreter.run(source) { value in
                capturing?.result = value
                interpreter.define("_", value)
                interpreter.define("_\(number)", value)
                if case .object(let o) = value, o === shownResult { return }
                if case .record(let r) = value, r === shownResult { return }
                guard echo else { return }
                let shown = Session.echo(value)
                if let resultSink {
                    capturing?.outputs.append(.text(shown + "\n"))
                    resultSink(value)
                } else {
                    emit(shown + "\n")
                }
            }
            return .ok
        } catch let e as DiagnosticList {
            capturing?.error = e.rendered(width: Terminal.width)
            let first = e.diagnostics.first
            lastFailure = Failure(name: "SyntaxError", message: first?.message ?? "syntax error", file: first?.file,
                                  line: first?.location.line, column: first?.location.column, text: e.description)
            report(e.rendered(width: Terminal.width) + "\n")
            return .syntaxError
        } catch let e as Diagnostic {
            capturing?.error = e.rendered(width: Terminal.width)
            lastFailure = Failure(name: "RuntimeError", message: e.message, file: e.file,
                                  line: e.location.line, column: e.location.column, text: e.description)
            report(e.rendered(width: Terminal.width) + "\n")
        } catch is InterruptedError {
            Interrupt.clear()
            capturing?.error = "interrupted"
            lastFailure = Failure(name: "Interrupted", message: "interrupted", text: "interrupted")
            report("interrupted\n")
            return .interrupted
        } catch {
            capturing?.error = "\(error)"
            lastFailure = Failure(name: "Error", message: "\(error)", text: "error: \(error)")
            report("error: \(error)\n")
        }
        return .runtimeError
    }

    /// Where errors go: the sink by default (the REPL shows them inline);
    /// `fairgrpo run` sends them to stderr.
    public var errorSink: ((String) -> Void)?

    private func report(_ text: String) {
        if let errorSink { errorSink(text) } else { sink(text) }
    }

    /// Whether `text` stops inside an open bracket, brace or string, so the
    /// REPL should read a continuation line.
    public static func isIncomplete(_ text: String) -> Bool {
        Parser.parse(SourceFile(name: "<input>", text: text)).isIncomplete
    }

    /// Forgets variables and cells; builtins stay.
    public func reset() {
        interpreter.reset()
        cells.removeAll()
    }

    /// Help for a builtin, a user function or a variable, wrapped to `width`
    /// (the terminal's by default).
    public func help(for name: String, width: Int = Terminal.width) -> String? {
        if let b = interpreter.builtins[name], case .function(let f)? = interpreter.value(of: name), f === b {
            return b.help(width: width)
        }
        guard let v = interpreter.value(of: name) else { return nil }
        var lines: [String]
        switch v {
        case .function(let f):
            lines = TextWrap.code(f.signature, width: width, indent: 4) + ["", "A function defined in this session."]
        case .object(let o):
            lines = ["\(name): \(o.typeName)"]
            if !o.memberNames.isEmpty { lines += TextWrap.wrap("members: " + o.memberNames.joined(separator: ", "), width: width, indent: 2) }
        default:
            lines = TextWrap.wrap("\(name): \(v.typeName) = \(v.repr.prefix(200))", width: width, indent: 2)
        }
        return lines.joined(separator: "\n")
    }

    /// Every builtin by topic, for `:help` and `help()`: a name and its
    /// summary per line, wrapped under the summary's column.
    public func helpIndex(width: Int = Terminal.width) -> String {
        var lines = TextWrap.wrap("builtins by topic (help(name) or name? for one):", width: width)
        let column = min((interpreter.builtins.keys.map(\.count).max() ?? 0) + 4, width / 3)
        let known = Set(BuiltinHelp.topics)
        let other = interpreter.builtins.values.contains { !known.contains($0.topic) }
        for topic in BuiltinHelp.topics + (other ? ["other"] : []) {
            let members = interpreter.builtins.values
                .filter { topic == "other" ? !known.contains($0.topic) : $0.topic == topic }
                .sorted { $0.name < $1.name }
            guard !members.isEmpty else { continue }
            lines += ["", topic + ":"]
            for b in members {
                let head = "  " + b.name
                let summary = TextWrap.wrap(b.summary, width: width - column)
                if head.count + 2 <= column, let first = summary.first {
                    lines.append(head + String(repeating: " ", count: column - head.count) + first)
                } else {
                    lines.append(head)
                    if let first = summary.first { lines.append(String(repeating: " ", count: column) + first) }
                }
                lines += summary.dropFirst().map { String(repeating: " ", count: column) + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
