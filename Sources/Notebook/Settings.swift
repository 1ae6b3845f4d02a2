import Lang

/// A session's output settings, changed with `options(name=value)` or `:set name value`.
/// Each setting is declared once in `Settings.all`; the builtin, the REPL
/// command, their help and their checks all come from that list.
public struct Settings: Sendable {
    /// Draw each chart in the terminal as well as writing its PNG (where the front end can).
    public var charts = true
    /// Show warnings (e.g. groups whose rollouts all agree) after the step that found them.
    public var warnings = true

    public init() {}

    /// One setting: its name, what it means, and how it reads and writes a value.
    public struct Entry: Sendable {
        public let name: String
        public let meaning: String
        public let get: @Sendable (Settings) -> Value
        let set: @Sendable (inout Settings, Value) throws -> Void
    }

    static func flag(_ name: String, _ meaning: String, _ path: WritableKeyPath<Settings, Bool> & Sendable) -> Entry {
        Entry(name: name, meaning: meaning, get: { .bool($0[keyPath: path]) }, set: { s, v in
            switch v {
            case .bool(let b): s[keyPath: path] = b
            case .string(let t) where ["on", "true", "yes", "1"].contains(t.lowercased()): s[keyPath: path] = true
            case .string(let t) where ["off", "false", "no", "0"].contains(t.lowercased()): s[keyPath: path] = false
            default: throw RuntimeError("options(): \(name) must be true or false (or on/off), got \(v.repr.prefix(30))")
            }
        })
    }

    public static let all: [Entry] = [
        flag("charts", "draw each chart in the terminal too (REPL on a terminal only); the PNG is written either way", \.charts),
        flag("warnings", "show warnings such as groups without a learning signal (scripts send them to stderr)", \.warnings),
    ]

    public static func entry(_ name: String) throws -> Entry {
        guard let e = all.first(where: { $0.name == name }) else {
            let names = all.map(\.name)
            throw RuntimeError("options(): no setting named '\(name)'",
                               notes: [Suggestions.note(for: name, among: names) ?? "note: settings: \(names.joined(separator: ", "))"])
        }
        return e
    }

    /// The settings as a record, for `options()`.
    public var record: Value { .record(RecordObject(Settings.all.map { ($0.name, $0.get(self)) })) }

    /// Sets one setting from a value (`options`) or from text (`:set`).
    public mutating func set(_ name: String, _ value: Value) throws { try Settings.entry(name).set(&self, value) }
}

enum SettingsBuiltins {
    static func register(in session: Session) {
        session.interpreter.register(BuiltinFunction(
            "options", Settings.all.map { Parameter($0.name, default: Value.none, kind: .keywordOnly) },
            summary: "Shows or changes the session's output settings: options(charts=false), options(warnings=false); options() lists them.",
            details: Settings.all.map { "\($0.name): \($0.meaning)." }.joined(separator: " ") + " In the REPL, :set name value does the same.",
            example: "options(charts=false)"
        ) { [unowned session] a, _ in
            for e in Settings.all where !a.isNone(e.name) { try session.settings.set(e.name, a[e.name]) }
            return session.settings.record
        })
    }
}
