import Lang
import Render

/// The output settings, changed with `options(name=value)` or `:set name value`.
/// Each setting is declared once in `Settings.all`; the builtin, the REPL
/// command, their help and their checks all come from that list. Charts and
/// warnings belong to a session; how tables and numbers print (width, rows,
/// digits) is `Display`'s, one for the process, since every front end prints
/// through the same tables.
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

    /// A whole-number display setting in `range`; `:set` gives it as text.
    static func count(_ name: String, _ meaning: String, rule: String, valid: @escaping @Sendable (Int) -> Bool,
                      get: @escaping @Sendable () -> Int, set: @escaping @Sendable (Int) -> Void) -> Entry {
        Entry(name: name, meaning: meaning, get: { _ in .number(Double(get())) }, set: { _, v in
            var number: Double?
            switch v {
            case .number(let d): number = d
            case .string(let t): number = Double(t.split(separator: " ").joined())
            default: number = nil
            }
            guard let d = number, d.rounded() == d, d.magnitude < 1e9, valid(Int(d)) else {
                throw RuntimeError("options(): \(name) must be \(rule), got \(v.repr.prefix(30))")
            }
            set(Int(d))
        })
    }

    public static let all: [Entry] = [
        count("width", "columns tables and text fit (0: the terminal's, measured each time)",
              rule: "0 (the terminal's) or a whole number from 20 to 10000", valid: { $0 == 0 || (20...10_000).contains($0) },
              get: { Terminal.widthOverride ?? 0 }, set: { Terminal.widthOverride = $0 == 0 ? nil : $0 }),
        count("rows", "rows a table shows before head and tail (0: all)", rule: "0 (all) or more", valid: { $0 >= 0 },
              get: { Display.maxRows }, set: { Display.maxRows = $0 }),
        count("digits", "significant digits of a number shown on its own (print(x) and str(x) show every digit)",
              rule: "1 to 17", valid: { (1...17).contains($0) }, get: { Display.digits }, set: { Display.digits = $0 }),
        count("table_digits", "significant digits of table columns (to_csv writes every digit)",
              rule: "1 to 17", valid: { (1...17).contains($0) }, get: { Display.tableDigits }, set: { Display.tableDigits = $0 }),
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
            summary: "Shows or changes the output settings: options(width=100, rows=20), options(charts=false); options() lists them.",
            details: Settings.all.map { "\($0.name): \($0.meaning)." }.joined(separator: " ")
                + " Values keep full precision whatever is shown. In the REPL, :set name value does the same.",
            example: "options(width=120, rows=20, digits=8)"
        ) { [unowned session] a, _ in
            for e in Settings.all where !a.isNone(e.name) { try session.settings.set(e.name, a[e.name]) }
            return session.settings.record
        })
    }
}
