import Foundation
import Lang
import Notebook
import Testing

/// docs/language.md stays true: its builtin table matches the builtins, and
/// every `fg` example in it runs.
@Suite("docs/language.md")
struct DocumentationTests {
    static let text: String = {
        let url = Paths.packageRoot.appendingPathComponent("docs/language.md")
        return (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }()

    /// Rows of the generated table: name → (signature, summary).
    static func documentedBuiltins() -> [String: (String, String)] {
        guard let start = text.range(of: "<!-- builtins:start -->"), let end = text.range(of: "<!-- builtins:end -->") else { return [:] }
        var rows: [String: (String, String)] = [:]
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
            guard cells.count == 2 else { continue }
            let signature = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")).replacingOccurrences(of: "\\|", with: "|")
            let name = String(signature.prefix { $0 != "(" })
            rows[name] = (signature, cells[1].replacingOccurrences(of: "\\|", with: "|"))
        }
        return rows
    }

    @Test("the builtin table names every builtin with its signature and summary")
    func builtinTable() {
        let documented = DocumentationTests.documentedBuiltins()
        let builtins = Session(sink: { _ in }).interpreter.builtins
        let missing = Set(builtins.keys).subtracting(documented.keys).sorted()
        let extra = Set(documented.keys).subtracting(builtins.keys).sorted()
        #expect(missing.isEmpty, "builtins missing from docs/language.md: \(missing); regenerate the table with scripts/docs-builtins")
        #expect(extra.isEmpty, "docs/language.md lists builtins that do not exist: \(extra); regenerate the table with scripts/docs-builtins")
        for (name, builtin) in builtins.sorted(by: { $0.key < $1.key }) {
            guard let (signature, summary) = documented[name] else { continue }
            #expect(signature == builtin.signature, "docs/language.md: \(name) is documented as \(signature), but its signature is \(builtin.signature); run scripts/docs-builtins")
            #expect(summary == builtin.summary, "docs/language.md: the summary of \(name) is out of date; run scripts/docs-builtins")
        }
    }

    @Test("the trainer options table lists every option of help(trainer) with its default and help")
    func trainerOptionTable() throws {
        let text = DocumentationTests.text
        guard let start = text.range(of: "<!-- trainer-options:start -->"), let end = text.range(of: "<!-- trainer-options:end -->") else {
            Issue.record("docs/language.md has no trainer options table")
            return
        }
        let documented = text[start.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("| `") }.map { line in
            line.dropFirst(2).dropLast(2).components(separatedBy: " | ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
        }
        // trainer()'s parameters after policy and data, except eval_data (a dataset, not a setting).
        let trainer = try #require(Session(sink: { _ in }).interpreter.builtins["trainer"])
        let listed = trainer.parameters.filter { !["policy", "data", "eval_data"].contains($0.name) }.map {
            [$0.name, ($0.defaultValue ?? .none).repr, $0.help]
        }
        #expect(listed.count >= 28)
        #expect(documented == listed, "docs/language.md's trainer options are out of date; run scripts/docs-builtins")
    }

    /// The contents of every ```fg block.
    static let examples: [String] = {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```fg" { current = [] }
            else if current != nil, line == "```" { blocks.append(current!.joined(separator: "\n")); current = nil }
            else if current != nil { current!.append(line) }
        }
        return blocks
    }()

    @Test("the reference has examples")
    func hasExamples() {
        #expect(DocumentationTests.examples.count >= 5)
    }

    @Test("every fg example parses and runs", arguments: DocumentationTests.examples.indices)
    func exampleRuns(_ index: Int) {
        let example = DocumentationTests.examples[index]
        var output = ""
        let session = Session(sink: { output += $0 })
        let source = SourceFile(name: "example \(index + 1)", text: example)
        var status: Session.Status = .ok
        for cell in CellSplitter.cells(of: source) where status == .ok {
            status = session.execute(cell)
        }
        #expect(status == .ok, "example \(index + 1) of docs/language.md failed:\n\(example)\n--- output ---\n\(output)")
    }
}
