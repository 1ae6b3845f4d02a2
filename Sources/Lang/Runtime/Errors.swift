import Synchronization

/// An error while running a program, with the place it happened. Builtins
/// may throw it without a location; the interpreter adds the call's location.
public struct RuntimeError: Error, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?
    /// The source the location refers to (a function may be defined in another cell or file).
    public var source: SourceFile?
    public var notes: [String]

    public init(_ message: String, at location: SourceLocation? = nil, notes: [String] = []) {
        self.message = message
        self.location = location
        self.notes = notes
    }

    /// As a diagnostic in `source` (or `fallback` when the error carries none).
    public func diagnostic(fallback: SourceFile) -> Diagnostic {
        let src = source ?? fallback
        return Diagnostic(.error, message, at: location ?? SourceLocation(line: 1, column: 1), in: src, notes: notes)
    }

    public var description: String { message }
}

/// Thrown when the user interrupts (Ctrl-C) a running program.
public struct InterruptedError: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}

/// The Ctrl-C flag. A signal handler sets it; loops, calls and long-running
/// builtins check it at safe points and stop with `InterruptedError`, leaving
/// every object in a consistent state.
public enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    /// Called from a signal handler: only an atomic store.
    public static func request() { flag.store(true, ordering: .relaxed) }
    public static func clear() { flag.store(false, ordering: .relaxed) }
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Set by a headless run (`fairgrpo run`, a script on standard input):
    /// there Ctrl-C ends the whole script, while in the REPL a builtin that
    /// stops at a consistent point (step, compare) just returns early.
    nonisolated(unsafe) public static var endsScript = false

    /// Called by a builtin that has stopped early at a consistent point
    /// because of Ctrl-C: clears the flag, and in a headless run throws
    /// `InterruptedError` so the script ends (exit status 130).
    public static func stoppedEarly() throws {
        clear()
        if endsScript { throw InterruptedError() }
    }

    /// Throws (and clears the flag) when an interrupt is pending.
    @inline(__always)
    public static func check() throws {
        if flag.load(ordering: .relaxed) {
            clear()
            throw InterruptedError()
        }
    }
}

/// "did you mean" candidates: the closest names by edit distance.
public enum Suggestions {
    public static func closest(to name: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let maxDistance = max(1, name.count / 3 + 1)
        var scored: [(Int, String)] = []
        for c in Set(candidates) where c != name {
            let d = distance(name.lowercased(), c.lowercased())
            // A one-letter name is no evidence of a typo for another one.
            if d <= maxDistance && d < name.count { scored.append((d, c)) }
        }
        return scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(limit).map(\.1)
    }

    /// A note line like "did you mean 'print'?", or nil.
    public static func note(for name: String, among candidates: some Sequence<String>) -> String? {
        let best = closest(to: name, among: candidates)
        guard !best.isEmpty else { return nil }
        return "note: did you mean " + best.map { "'\($0)'" }.joined(separator: " or ") + "?"
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var row = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            row[0] = i
            for j in 1...b.count {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &row)
        }
        return previous[b.count]
    }
}
