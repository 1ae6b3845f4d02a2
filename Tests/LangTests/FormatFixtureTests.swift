import Foundation
import Lang
import Testing

/// Every case of Tests/LangTests/Fixtures/format.tsv, Python's format()
/// over a grid of values and specs (scripts/format_fixture.py).
@Suite struct FormatFixtureTests {
    struct Case { let value: Value; let spec: String; let expected: String; let line: Int }

    static func cases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/format.tsv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [Case] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let value: Value = f[0] == "n" ? .number(Double(f[1])!) : .string(f[1])
            out.append(Case(value: value, spec: f[2], expected: f[3], line: n + 1))
        }
        return out
    }

    @Test func everyCaseMatchesPython() throws {
        let cases = try Self.cases()
        #expect(cases.count > 2000)
        var failures: [String] = []
        for c in cases {
            let got: String
            do { got = try c.value.formatted(c.spec) } catch { got = "!error" }
            if got != c.expected { failures.append("line \(c.line): format(\(c.value.repr), \"\(c.spec)\") gave \"\(got)\", Python \"\(c.expected)\"") }
        }
        #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) mismatches:\n" + failures.prefix(40).joined(separator: "\n")))
    }
}
