import Lang
import Notebook
import Render
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs a script file in a session, cell by cell (cells are separated by
/// blank lines), as `fairgrpo run` and `:run` do.
struct ScriptRunner {
    let session: Session

    enum Outcome {
        case ok, missingInput, syntaxError, runtimeError, interrupted
        /// sysexits-style codes: 66 no input, 65 data (syntax) error, 70 software (runtime) error.
        var exitCode: Int32 {
            switch self {
            case .ok: return 0
            case .missingInput: return 66
            case .syntaxError: return 65
            case .runtimeError: return 70
            case .interrupted: return 130
            }
        }
    }

    func load(_ path: String) -> SourceFile? {
        do {
            return SourceFile(name: path, bytes: try FileIO.read(path))
        } catch {
            Output.write("fairgrpo: cannot read \(error)\n", to: stderr)
            return nil
        }
    }

    /// Parses the whole file first, so every syntax error is reported before
    /// anything runs; then runs cell by cell, stopping at the first error.
    func run(path: String, stopOnError: Bool) -> Outcome {
        guard let source = load(path) else { return .missingInput }
        let parsed = Parser.parse(source)
        if parsed.interrupted {
            Interrupt.clear()
            if let sink = session.errorSink { sink("interrupted\n") } else { session.emit("interrupted\n") }
            return .interrupted
        }
        if !parsed.diagnostics.isEmpty {
            let text = DiagnosticList(parsed.diagnostics).rendered(width: Terminal.width) + "\n"
            if let sink = session.errorSink { sink(text) } else { session.emit(text) }
            return .syntaxError
        }
        for cell in CellSplitter.cells(of: source) {
            switch session.execute(cell) {
            case .ok: continue
            case .syntaxError: if stopOnError { return .syntaxError }
            case .runtimeError: if stopOnError { return .runtimeError }
            case .interrupted: return .interrupted
            }
        }
        return .ok
    }
}
