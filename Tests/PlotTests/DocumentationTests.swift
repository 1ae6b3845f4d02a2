import Foundation
import Notebook
import Testing

/// docs/plots.md stays true: it gives each chart builtin's current signature,
/// and every image it shows exists and decodes.
@Suite("docs/plots.md")
struct PlotDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let text = (try? String(contentsOf: root.appendingPathComponent("docs/plots.md"), encoding: .utf8)) ?? ""

    @Test("each chart builtin's signature appears as documented")
    func signatures() throws {
        let builtins = Session(sink: { _ in }).interpreter.builtins
        for name in ["plot", "bar", "scatter", "heatmap"] {
            let signature = try #require(builtins[name]?.signature, "no builtin \(name)")
            #expect(Self.text.contains("`\(signature)`"), "docs/plots.md does not give \(signature)")
        }
    }

    @Test("every image in docs/plots.md exists and is a PNG libpng decodes")
    func images() throws {
        let pattern = try NSRegularExpression(pattern: #"!\[[^\]]*\]\(([^)]+)\)"#)
        let range = NSRange(Self.text.startIndex..., in: Self.text)
        let paths = pattern.matches(in: Self.text, range: range).map { String(Self.text[Range($0.range(at: 1), in: Self.text)!]) }
        #expect(paths.count >= 8)
        for path in paths {
            let file = Self.root.appendingPathComponent("docs").appendingPathComponent(path).path
            let d = try Decoded(file: file)
            #expect(d.width >= 200 && d.height >= 150, "\(path)")
        }
    }
}
