@preconcurrency import CReadline
import Lang
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The one file that talks to GNU readline.
///
/// readline is used through its callback interface, as CPython does, so that
/// Ctrl-C can discard a half-typed line: `readline()` itself cannot be left
/// with a `longjmp` from Swift. A SIGINT handler only sets flags; `poll`
/// returns EINTR, and the line state is cleaned up here.
final class LineEditor {
    enum Input { case line(String), interrupted, endOfFile }

    /// Completion candidates for the text before the cursor: (line buffer,
    /// start of the word being completed, cursor) → replacements for that word.
    nonisolated(unsafe) static var completer: ((String, Int, Int) -> [String])?
    nonisolated(unsafe) static var received: Input?
    static let sigint = Atomic<Bool>(false)

    let historyPath: String?
    /// Whether saving the history failed already: that is said once, not
    /// after every line.
    private var historyWarned = false

    init(historyPath: String?) {
        self.historyPath = historyPath
        rl_readline_name = UnsafePointer(strdup("fairgrpo"))
        rl_catch_signals = 0
        rl_catch_sigwinch = 1
        // Bracketed paste would print ESC[?2004h around prompts into logs and history.
        rl_variable_bind("enable-bracketed-paste", "off")
        rl_attempted_completion_function = { text, start, end in
            LineEditor.complete(text: text, start: Int(start), end: Int(end))
        }
        rl_completer_word_break_characters = UnsafePointer(strdup(" \t\n\"'([{,=+-*/@<>!;:.%"))
        rl_completer_quote_characters = nil
        // Otherwise readline takes the '"' before a path being completed for
        // a delimiter and closes the string after a single match, even when
        // the match is a directory to complete further into.
        rl_basic_quote_characters = UnsafePointer(strdup(""))
        using_history()
        stifle_history(10_000)
        if let historyPath { read_history(historyPath) }
        LineEditor.installSignalHandler()
    }

    /// The write end of a pipe that `readLine` polls together with the
    /// terminal. The SIGINT handler writes a byte to it, so a Ctrl-C wakes
    /// the line editor even when the signal is delivered to another thread
    /// (OpenBLAS starts several) or arrives while readline is busy rather
    /// than blocked in `poll`; relying on `EINTR` alone loses those.
    static let wakeWrite = Atomic<Int32>(-1)
    nonisolated(unsafe) static var wakeRead: Int32 = -1

    /// SIGINT sets a flag and asks running code to stop (see `Interrupt`).
    static func installSignalHandler() {
        if wakeWrite.load(ordering: .relaxed) < 0 {
            var fds: [Int32] = [-1, -1]
            if pipe(&fds) == 0 {
                for fd in fds {
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                }
                wakeRead = fds[0]
                wakeWrite.store(fds[1], ordering: .relaxed)
            }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            LineEditor.sigint.store(true, ordering: .relaxed)
            Interrupt.request()
            let fd = LineEditor.wakeWrite.load(ordering: .relaxed)
            if fd >= 0 {
                var byte: UInt8 = 1
                _ = write(fd, &byte, 1)  // async-signal-safe; a full pipe is fine
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: poll() must return EINTR
        sigaction(SIGINT, &action, nil)
        // A blocked SIGINT is inherited from the parent (some test runners and job
        // launchers block it in the thread that spawns); unblocked, Ctrl-C works anyway.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
    }

    /// Reads one line with `prompt`.
    func readLine(prompt: String) -> Input {
        LineEditor.received = nil
        // A Ctrl-C that stopped the previous cell must not also discard this line.
        LineEditor.drainWakePipe()
        LineEditor.sigint.store(false, ordering: .relaxed)
        rl_callback_handler_install(prompt) { raw in
            // Called by readline with a finished line (nil at end of input).
            if let raw {
                LineEditor.received = .line(String(cString: raw))
                free(raw)
            } else {
                LineEditor.received = .endOfFile
            }
            rl_callback_handler_remove()
        }
        while LineEditor.received == nil {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: LineEditor.wakeRead, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, LineEditor.wakeRead >= 0 ? 2 : 1, -1)
            if ready < 0 && errno != EINTR { LineEditor.received = .endOfFile; break }
            if LineEditor.sigint.exchange(false, ordering: .relaxed) {
                // Ctrl-C: throw away the half-typed line, start afresh.
                LineEditor.drainWakePipe()
                Interrupt.clear()
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_cleanup_after_signal()
                rl_callback_handler_remove()
                fputs("^C\n", stdout)
                fflush(stdout)
                return .interrupted
            }
            if ready > 0 && fds[0].revents & Int16(POLLIN | POLLHUP) != 0 { rl_callback_read_char() }
        }
        return LineEditor.received ?? .endOfFile
    }

    private static func drainWakePipe() {
        guard wakeRead >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// Adds an entry to the history and appends it to the history file.
    func remember(_ entry: String) {
        guard !entry.allSatisfy({ $0 == " " || $0 == "\n" }) else { return }
        add_history(entry)
        if let historyPath {
            var status = append_history(1, historyPath)
            if status != 0 { status = write_history(historyPath) }
            if status != 0 {
                if !historyWarned {
                    historyWarned = true
                    Output.write("fairgrpo: warning: cannot save the input history to \(historyPath): \(String(cString: strerror(status))) (set FAIRGRPO_HISTORY to another file, or to off)\n", to: stderr)
                }
                return
            }
            history_truncate_file(historyPath, 10_000)
        }
    }

    /// History entries, oldest first.
    var history: [String] {
        var out: [String] = []
        let n = Int(history_length)
        for i in 0..<n {
            if let entry = history_get(history_base + Int32(i)), let line = entry.pointee.line {
                out.append(String(cString: line))
            }
        }
        return out
    }

    private static func complete(text: UnsafePointer<CChar>?, start: Int, end: Int) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        rl_attempted_completion_over = 1  // never fall back to readline's filename completion
        guard let completer, let bufferPointer = rl_line_buffer else { return nil }
        let buffer = String(cString: bufferPointer)
        // start/end are byte offsets; convert to character offsets.
        let utf8 = Array(buffer.utf8)
        let startChars = String(decoding: utf8.prefix(start), as: UTF8.self).count
        let endChars = String(decoding: utf8.prefix(end), as: UTF8.self).count
        let candidates = completer(buffer, startChars, endChars)
        guard !candidates.isEmpty else { return nil }
        // readline wants [common prefix, match1, ..., nil], all malloc'ed.
        var common = candidates[0]
        for c in candidates.dropFirst() {
            while !c.hasPrefix(common) { common.removeLast() }
        }
        // malloc'ed, since readline frees it with free().
        let raw = malloc((candidates.count + 2) * MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)!
        let list = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: candidates.count + 2)
        list[0] = strdup(common)
        for (i, c) in candidates.enumerated() { list[i + 1] = strdup(c) }
        list[candidates.count + 1] = nil
        // Candidates carry their own suffix ("(", "/", "=") where one helps.
        rl_completion_append_character = 0
        return list
    }
}
