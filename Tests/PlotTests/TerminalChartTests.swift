import Foundation
import Notebook
import Plot
import Testing
import TestSupport

/// Charts drawn as text for the terminal: fitted to the width, axes with tick
/// labels, a colour (or a mark) per series and a legend.
@Suite("Terminal charts")
struct TerminalChartTests {
    static let series = [Series(name: "grpo", x: [0, 1, 2, 3], y: [0, 0.5, 0.25, 1]),
                         Series(name: "fairgrpo", x: [0, 1, 2, 3], y: [1, 0.75, 0.5, 0])]

    /// Visible width of a line: escape sequences take no columns.
    static func visibleWidth(_ line: Substring) -> Int {
        var n = 0, escape = false
        for c in line {
            if c == "\u{1B}" { escape = true; continue }
            if escape { if c.isLetter { escape = false }; continue }
            n += 1
        }
        return n
    }

    @Test("a line chart fits the width, has tick labels on both axes and a legend entry per series", arguments: [40, 80, 120])
    func lineFits(width: Int) {
        let text = TerminalChart.line(Self.series, title: "dF1", xLabel: "step", width: width, colors: .extended)
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { Self.visibleWidth($0) <= width }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("  1 ┤") } && lines.contains { $0.hasPrefix("  0 ┤") }, "y ticks: \(text)")
        #expect(lines.contains { $0.contains("└─") })
        #expect(lines.contains { $0.trimmingPrefix(" ").hasPrefix("0") && $0.contains("3") }, "x ticks")
        let legend = String(lines.last!)
        #expect(legend.contains("grpo") && legend.contains("fairgrpo"))
        // One colour per series, in the dots and the legend.
        #expect(text.contains("\u{1B}[38;5;214m") && text.contains("\u{1B}[38;5;117m"))
        #expect(text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "braille dots")
    }

    @Test("without colours series are told apart by their marks, and no escape codes are written")
    func plainMarks() {
        let text = TerminalChart.line(Self.series, title: "", width: 60, colors: .none)
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("•") && text.contains("+"), "\(text)")
        #expect(text.contains("•• grpo") && text.contains("++ fairgrpo"), "\(text)")
        let basic = TerminalChart.line(Self.series, title: "", width: 60, colors: .basic)
        #expect(basic.contains("\u{1B}[33m") && basic.contains("\u{1B}[36m"))
    }

    @Test("bars: one row per category and series, value and error written after the bar, longest bar for the largest value")
    func bars() {
        let text = TerminalChart.bars(categories: ["a", "b"], series: [("PP", [1, 4]), ("EOD", [2, -1])], errors: [[0.5, 0.1], [0, 0]],
                                      title: "gaps", width: 50, colors: .none)
        let rows = text.split(separator: "\n").filter { $0.contains("│") }
        #expect(rows.count == 4, "\(text)")
        #expect(rows[0].hasSuffix(" 1 ± 0.5") && rows[1].hasSuffix(" 2") && rows[3].hasSuffix(" -1"), "\(text)")
        let widths = rows.map { $0.filter { "█▓".contains($0) }.count }
        #expect(widths[2] == widths.max()!, "\(widths)")
        #expect(text.contains("██ PP") && text.contains("▓▓ EOD"), "legend: \(text)")
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 50 })
    }

    @Test("nothing finite to draw gives no chart rather than an empty frame")
    func empty() {
        #expect(TerminalChart.line([Series(name: "", x: [0, 1], y: [.nan, .nan])], title: "x", width: 60, colors: .none).isEmpty)
        #expect(TerminalChart.bars(categories: [], series: [], title: "", width: 60, colors: .none).isEmpty)
    }
}

@Suite("Terminal charts from the plot builtins", .serialized)
struct TerminalChartBuiltinTests {
    @Test("a front end with a chart sink gets the chart after the PNG line; show=false and options(charts=false) turn it off")
    func sink() throws {
        let dir = try TemporaryDirectory().path
        let t = Transcript()
        var drawn: [String] = []
        t.session.chartSink = { drawn.append($0) }
        t.session.chartColors = 256
        let out = t.run("plot([1, 4, 2, 8], title=\"tiny\", to=\"\(dir)/a.png\")")
        #expect(out.status == .ok && out.output.hasPrefix("wrote \(dir)/a.png"), "\(out.output)")
        #expect(drawn.count == 1 && drawn[0].contains("tiny") && drawn[0].contains("┤"), "\(drawn)")
        #expect(!out.output.contains("┤"), "the text chart is not part of the cell's output")
        t.run("plot([1, 2], to=\"\(dir)/b.png\", show=false)")
        t.run("options(charts=false)\nbar({x: [\"a\", \"b\"], y: [1, 2]}, to=\"\(dir)/c.png\")")
        #expect(drawn.count == 1)
        t.run("options(charts=true)\nbar({x: [\"a\", \"b\"], y: [1, 2]}, to=\"\(dir)/d.png\")")
        #expect(drawn.count == 2 && drawn[1].contains("│"))
    }

    @Test("auto-named plots never replace an existing file")
    func autoNamesSkipTakenFiles() throws {
        let dir = try TemporaryDirectory().path
        // Two sessions writing into one folder, one after the other.
        let first = Transcript(), second = Transcript()
        first.session.workingDirectory = dir
        second.session.workingDirectory = dir
        #expect(first.run("plot([1, 2, 3])").output.contains("wrote \(dir)/plot-1.png"))
        #expect(second.run("plot([3, 2, 1])").output.contains("wrote \(dir)/plot-2.png"))
        #expect(first.run("plot([1, 1, 2])").output.contains("wrote \(dir)/plot-3.png"))
        let a = try Decoded(file: "\(dir)/plot-1.png"), b = try Decoded(file: "\(dir)/plot-2.png")
        #expect(a.width == 800 && b.width == 800)
    }
}

@Suite("Notebook exports that stay", .serialized)
struct ExportTests {
    @Test("Markdown exported into another folder links images that resolve from it, and replays under doctest")
    func markdownElsewhere() throws {
        let dir = try TemporaryDirectory().path
        let t = Transcript()
        t.session.workingDirectory = dir
        #expect(t.run("x = [1, 4, 2]\nplot(x)").status == .ok)
        #expect(t.run("plot(x, to=\"\(dir)/inside/named.png\")").status == .runtimeError, "a missing folder is an error")
        try FileManager.default.createDirectory(atPath: "\(dir)/sub", withIntermediateDirectories: true)
        #expect(t.run("plot(x, to=\"\(dir)/sub/mine.png\")\nprint(len(x))").status == .ok)
        let notebook = "\(dir)/sub/s.md"
        try NotebookExport.write(t.session.cells, to: notebook)
        let text = try String(contentsOfFile: notebook, encoding: .utf8)
        // The auto-named plot lies outside sub/: copied beside the notebook; the one inside is linked relatively.
        #expect(text.contains("](s_files/plot-1.png)") && text.contains("](mine.png)"), "\(text)")
        for link in ["s_files/plot-1.png", "mine.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/sub/\(link)"), "\(link) resolves")
        }
        // Varying text is written as doctest wildcards, so the export replays.
        #expect(text.contains("wrote ... (800×480, ... KB)"), "\(text)")
        let replay = try Doctest.run(markdown: text, file: notebook)
        #expect(replay.failures.isEmpty, "\(replay.failures)")
        #expect(replay.examples >= 3)
    }

    @Test(".ipynb cells carry unique ids, as nbformat 4.5 requires")
    func ipynbIDs() throws {
        let t = Transcript()
        t.run("1 + 1")
        t.run("print(2)")
        let json = try NotebookExport.ipynb(t.session.cells)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let cells = try #require(object["cells"] as? [[String: Any]])
        let ids = cells.compactMap { $0["id"] as? String }
        #expect(ids.count == 2 && Set(ids).count == 2 && ids.allSatisfy { !$0.isEmpty && $0.count <= 64 })
        #expect(object["nbformat_minor"] as? Int == 5)
    }
}
