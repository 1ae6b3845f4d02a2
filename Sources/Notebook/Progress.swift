import Render
import Tensors

/// A front end that can show one line of progress and redraw it in place:
/// a terminal (carriage return), a notebook kernel (an updatable display).
/// Sessions without one (scripts, pipes, doctest) print periodic lines only.
public protocol ProgressDisplay: AnyObject {
    /// Shows `line` as the current state of the work, replacing the previous one.
    func update(_ line: String)
    /// Removes the line, so that ordinary output (or the next prompt) starts clean.
    func clear()
}

/// The terminal's progress line: a carriage return, the line cut to the
/// terminal's width, and an erase to the end of the line.
public final class TerminalProgressDisplay: ProgressDisplay {
    private let write: (String) -> Void
    public init(write: @escaping (String) -> Void) { self.write = write }

    public func update(_ line: String) {
        // One column short of the width, so the cursor never wraps onto a new line.
        let room = max(10, Terminal.width - 1)
        let shown = line.count > room ? String(line.prefix(room - 1)) + "…" : line
        write("\r" + shown + "\u{1B}[K")
    }

    public func clear() { write("\r\u{1B}[K") }
}

/// The progress line of one piece of long work (a `step(t, n)`, a `compare`):
/// throttled redraws, cleared before any other output of the session, and
/// cleared for good when the work ends.
final class ProgressLine {
    private let display: ProgressDisplay?
    private var lastDraw = -Double.infinity
    private(set) var isShowing = false
    /// Redraws at most this often (seconds): fast steps must not flood the terminal.
    static let interval = 0.1

    init(_ display: ProgressDisplay?) { self.display = display }

    var isActive: Bool { display != nil }

    /// Redraws with `line()` unless the last redraw was under `interval` ago (`force`: always).
    func update(force: Bool = false, _ line: () -> String) {
        guard let display else { return }
        let now = monotonicSeconds()
        guard force || now - lastDraw >= ProgressLine.interval else { return }
        lastDraw = now
        display.update(line())
        isShowing = true
    }

    func clear() {
        guard isShowing else { return }
        display?.clear()
        isShowing = false
    }
}

/// How long something takes, for progress lines: "42.0 s", "3 min 05 s", "1 h 02 min".
func durationText(_ s: Double) -> String {
    guard s.isFinite, s >= 0 else { return "-" }
    if s < 60 { return formatFixed(s, 1) + " s" }
    let whole = Int(s.rounded())
    if whole < 3600 { return "\(whole / 60) min \(whole % 60 < 10 ? "0" : "")\(whole % 60) s" }
    let minutes = (whole % 3600) / 60
    return "\(whole / 3600) h \(minutes < 10 ? "0" : "")\(minutes) min"
}
