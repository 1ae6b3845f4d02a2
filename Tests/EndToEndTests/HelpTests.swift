import Lang
@testable import Notebook
import Testing

/// Builtin help is structured and fits the terminal: every builtin has a
/// topic, a returns line and a meaning for every parameter, and no line of
/// any help text is longer than the width it was wrapped to.
@Suite struct HelpTests {
    nonisolated(unsafe) static let session = Session(sink: { _ in })

    @Test("every builtin has a topic, a returns line and help for every parameter")
    func complete() {
        var missing: [String] = []
        for (name, b) in Self.session.interpreter.builtins.sorted(by: { $0.key < $1.key }) {
            if !BuiltinHelp.topics.contains(b.topic) { missing.append("\(name): topic '\(b.topic)'") }
            if b.returns.isEmpty { missing.append("\(name): returns") }
            for p in b.parameters where p.help.isEmpty { missing.append("\(name): parameter \(p.name)") }
        }
        #expect(missing.isEmpty, Comment(rawValue: "help missing (add it to BuiltinHelp.swift):\n" + missing.joined(separator: "\n")))
    }

    @Test("the catalogue names only builtins and parameters that exist")
    func noStaleEntries() {
        let builtins = Self.session.interpreter.builtins
        var stale: [String] = []
        for (name, entry) in BuiltinHelp.entries {
            guard let b = builtins[name] else { stale.append(name); continue }
            let names = Set(b.parameters.map(\.name))
            for p in entry.parameters.keys where !names.contains(p) { stale.append("\(name).\(p)") }
        }
        #expect(stale.isEmpty, Comment(rawValue: "stale help entries: \(stale.sorted())"))
    }

    @Test("help and the index fit 40, 80 and 120 columns", arguments: [40, 80, 120])
    func fits(_ width: Int) throws {
        var texts = [("index", Self.session.helpIndex(width: width))]
        for name in Self.session.interpreter.builtins.keys.sorted() {
            texts.append((name, try #require(Self.session.help(for: name, width: width))))
        }
        for (name, text) in texts {
            for line in text.split(separator: "\n") where line.count > width {
                Issue.record(Comment(rawValue: "help(\(name)) at \(width) columns has a line of \(line.count): \(line)"))
            }
        }
    }

    @Test("help shows the signature, one line per parameter with its default, returns and example")
    func layout() throws {
        let text = try #require(Self.session.help(for: "sorted", width: 80))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "sorted(items, key=none, reverse=false)")
        let parameters = try #require(lines.firstIndex(of: "parameters:"))
        #expect(lines[parameters + 1].hasPrefix("  items "))
        #expect(lines[parameters + 2].hasPrefix("  key=none "))
        #expect(lines[parameters + 2].contains("sort key"))
        #expect(lines[(parameters + 3)...].contains { $0.hasPrefix("  reverse=false ") })
        #expect(lines.contains("returns: a new list"))
        #expect(lines.contains("example:"))
        let seed = try #require(Self.session.help(for: "randn", width: 80))
        #expect(seed.contains("(by keyword only)"))
    }

    @Test("the index lists the builtins under their topics, in order")
    func index() {
        let text = Self.session.helpIndex(width: 80)
        let positions = BuiltinHelp.topics.map { text.range(of: "\n" + $0 + ":\n")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let training = text.range(of: "\ntraining:\n")!.upperBound
        let weights = text.range(of: "\nweights and inspection:\n")!.lowerBound
        #expect(text[training..<weights].contains("  trainer "))
        #expect(!text.contains("\nother:"))
    }

    @Test("wrapping keeps words whole and breaks code after commas")
    func wrapping() {
        #expect(TextWrap.wrap("one two three four", width: 9) == ["one two", "three", "four"])
        #expect(TextWrap.wrap("one two three", width: 9, indent: 2) == ["one two", "  three"])
        #expect(TextWrap.wrap("abcdefghijkl", width: 8) == ["abcdefgh", "ijkl"])
        #expect(TextWrap.code("f(aaa, bbb, ccc)", width: 10, indent: 2) == ["f(aaa,", "  bbb,", "  ccc)"])
        #expect(TextWrap.code("short(x)", width: 10, indent: 2) == ["short(x)"])
    }
}
