import Lang

/// Runs `text` in a fresh interpreter (or the one given) and returns the
/// values of its top-level expression statements, as the REPL would echo them.
func values(_ text: String, in interpreter: Interpreter = Interpreter()) throws -> [Value] {
    var out: [Value] = []
    try interpreter.run(SourceFile(name: "test.fg", text: text)) { out.append($0) }
    return out
}

/// The reprs of the echoed values.
func reprs(_ text: String) throws -> [String] { try values(text).map(\.repr) }

/// The text of the error running `text` raises (syntax or runtime), or nil.
func errorText(_ text: String) -> String? {
    do { _ = try values(text); return nil } catch { return "\(error)" }
}
