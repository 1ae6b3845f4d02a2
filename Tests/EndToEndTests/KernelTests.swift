import Foundation
import Notebook
import Testing
import TestSupport

/// `fairgrpo kernel` spoken to directly, one JSON request per line (docs/kernel.md).
@Suite struct KernelProtocolTests {
    /// Runs the requests and returns every line the kernel answered, parsed.
    private func transcript(_ requests: [String]) throws -> [[String: Any]] {
        // A scratch folder as working directory: plots are written there.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairgrpo-kernel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try fairgrpo(["kernel"], in: dir, stdin: requests.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON object: \($0)")
        }
    }

    private func events(_ all: [[String: Any]], id: Int) -> [[String: Any]] { all.filter { ($0["id"] as? Int) == id } }

    @Test func executeStreamsResultsAndReplies() throws {
        let out = try transcript([
            #"{"id": 1, "type": "execute", "code": "print(\"hi\")\nx = 6 * 7\nx"}"#,
            #"{"id": 2, "type": "execute", "code": "x + 1"}"#,
        ])
        #expect(out.first?["type"] as? String == "ready")
        let first = events(out, id: 1)
        #expect(first.map { $0["type"] as? String } == ["stream", "result", "reply"])
        #expect(first[0]["text"] as? String == "hi\n")
        #expect((first[1]["data"] as? [String: Any])?["text/plain"] as? String == "42")
        #expect(first[2]["status"] as? String == "ok")
        #expect(first[2]["execution_count"] as? Int == 1)
        // Variables survive between cells.
        let second = events(out, id: 2)
        #expect((second[0]["data"] as? [String: Any])?["text/plain"] as? String == "43")
        #expect(second.last?["execution_count"] as? Int == 2)
    }

    @Test func tablesComeWithHTMLAndPlotsAsPNG() throws {
        let out = try transcript([
            #"{"id": 1, "type": "execute", "code": "d = demo()\nt = trainer(policy(d, seed=0), d, G=4, batch=32, seed=0)\nstep(t, 2)\nweights(t)"}"#,
            #"{"id": 2, "type": "execute", "code": "plot([1, 2, 4, 8], title=\"a < b\", width=320, height=200)"}"#,
        ])
        let result = try #require(events(out, id: 1).first { $0["type"] as? String == "result" })
        let data = try #require(result["data"] as? [String: String])
        let html = try #require(data["text/html"])
        #expect(html.contains("<table>") && html.contains("overflow: auto"))
        #expect(html.contains("<caption") && html.contains("step 2 · fairgrpo"))
        // μ_d is a number column: right-aligned, as in the terminal.
        #expect(html.contains(#"<th style="text-align: right; white-space: nowrap;">μ_d</th>"#))
        #expect(data["text/plain"]?.hasPrefix("step 2 · fairgrpo\n") == true)

        let display = try #require(events(out, id: 2).first { $0["type"] as? String == "display" })
        let encoded = try #require((display["data"] as? [String: Any])?["image/png"] as? String)
        let png = try #require(Data(base64Encoded: encoded))
        #expect(Array(png.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10])
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect((width, height) == (320, 200))
        #expect(((display["metadata"] as? [String: Any])?["image/png"] as? [String: Int])?["width"] == 320)
    }

    @Test func reportsShowThePapersTableWithTheirSummaryAround() throws {
        let out = try transcript([
            #"{"id": 1, "type": "execute", "code": "d = demo()\ntr, te = split(d, test=0.2, seed=1)\nevaluate(policy(tr, seed=0), te)"}"#,
        ])
        let result = try #require(events(out, id: 1).first { $0["type"] as? String == "result" })
        let html = try #require((result["data"] as? [String: String])?["text/html"])
        // The headline is the caption, the paper's columns the table, the rest text after it.
        #expect(html.contains(#"<caption style="text-align: left; font-weight: bold;">fairness report: "#))
        #expect(html.contains(">PP_pct</th>"))
        #expect(html.contains("<pre>overall: "))
        #expect(html.components(separatedBy: "<table>").count == 2)
    }

    @Test func errorsAreDataWithTheirPlaceAndCaret() throws {
        let out = try transcript([
            #"{"id": 1, "type": "execute", "code": "a = 1\nb = a + missing_name"}"#,
            #"{"id": 2, "type": "execute", "code": "c = (1,"}"#,
            #"{"id": 3, "type": "execute", "code": "a"}"#,
        ])
        let runtime = try #require(events(out, id: 1).last)
        #expect(runtime["status"] as? String == "error")
        #expect(runtime["ename"] as? String == "RuntimeError")
        #expect(runtime["evalue"] as? String == "name 'missing_name' is not defined")
        #expect(runtime["cell"] as? String == "<1>")
        #expect(runtime["line"] as? Int == 2 && runtime["column"] as? Int == 9)
        let traceback = try #require(runtime["traceback"] as? [String])
        #expect(traceback[0] == "<1>:2:9: error: name 'missing_name' is not defined")
        #expect(traceback[1] == "    b = a + missing_name")
        #expect(traceback[2] == "            ^")
        #expect(events(out, id: 2).last?["ename"] as? String == "SyntaxError")
        // The session survives both.
        #expect((events(out, id: 3).first?["data"] as? [String: Any])?["text/plain"] as? String == "1")
    }

    @Test func completeInspectAndIsComplete() throws {
        let out = try transcript([
            #"{"id": 1, "type": "execute", "code": "weight_decay_rate = 1"}"#,
            #"{"id": 2, "type": "complete", "code": "x = 1\ny = weig", "cursor_pos": 14}"#,
            #"{"id": 3, "type": "inspect", "code": "evaluate(p, test)", "cursor_pos": 3}"#,
            #"{"id": 4, "type": "inspect", "code": "nothing_here", "cursor_pos": 3}"#,
            #"{"id": 5, "type": "is_complete", "code": "f(1,"}"#,
            #"{"id": 6, "type": "is_complete", "code": "x = )"}"#,
            #"{"id": 7, "type": "is_complete", "code": "x = 1"}"#,
            #"{"id": 8, "type": "execute", "code": "evaluate?"}"#,
            #"{"id": 9, "type": "shutdown"}"#,
            #"{"id": 10, "type": "execute", "code": "1"}"#,
        ])
        let completion = try #require(events(out, id: 2).first)
        #expect(completion["matches"] as? [String] == ["weight_decay_rate", "weights("])
        #expect(completion["cursor_start"] as? Int == 10 && completion["cursor_end"] as? Int == 14)
        let inspect = try #require(events(out, id: 3).first)
        #expect(inspect["found"] as? Bool == true)
        #expect(((inspect["data"] as? [String: String])?["text/plain"])?.hasPrefix("evaluate(") == true)
        #expect(events(out, id: 4).first?["found"] as? Bool == false)
        #expect(events(out, id: 5).first?["status"] as? String == "incomplete")
        #expect(events(out, id: 6).first?["status"] as? String == "invalid")
        #expect(events(out, id: 7).first?["status"] as? String == "complete")
        // Help goes to the pager, not the output.
        let help = try #require(events(out, id: 8).last)
        #expect((help["page"] as? String)?.hasPrefix("evaluate(") == true)
        #expect(events(out, id: 8).count == 1)
        // Nothing is read after shutdown.
        #expect(events(out, id: 9).first?["status"] as? String == "ok")
        #expect(events(out, id: 10).isEmpty)
    }

    @Test func badRequestsAreAnsweredNotFatal() throws {
        let out = try transcript([#"{"id": 1, "type": "execute", "code": "#, "{\"id\": 2, \"type\": \"fly\"}", #"{"id": 3, "type": "execute", "code": "2"}"#])
        #expect(out[1]["ename"] as? String == "ProtocolError")
        #expect(events(out, id: 2).first?["evalue"] as? String == "unknown request type 'fly'")
        #expect(events(out, id: 3).last?["status"] as? String == "ok")
    }
}

/// The tutorials as notebooks: generation and the doctest-style comparison.
@Suite struct TutorialNotebookTests {
    let markdown = """
        # A lesson

        Some prose.

        ```fg
        x = 2
        x * 21
        ```
        ```output
        42
        ```

        ```fg skip
        step(t, 1000)
        ```

        ```fg
        y = x + nope
        ```
        ```output
        lesson.md:18:9: error: name 'nope' is not defined
        ...
        ```
        The end.
        """

    @Test func proseCellsCodeCellsAndExpectedOutputs() throws {
        let text = try TutorialNotebook.notebook(markdown: markdown, file: "lesson.md", root: "..")
        let nb = try JSON.parse(text)
        let cells = try #require(nb["cells"]?.items)
        #expect(cells.map { $0["cell_type"]?.string ?? "" } == ["markdown", "code", "code", "markdown", "code", "markdown"])
        #expect(cells[0]["source"]?.lines == "# A lesson\n\nSome prose.")
        #expect(cells[1]["source"]?.lines == ":cd ..")
        #expect(cells[2]["source"]?.lines == "x = 2\nx * 21")
        #expect(cells[2]["outputs"]?.items?.first?["text"]?.lines == "42\n")
        #expect(cells[2]["metadata"]?["fairgrpo"]?["line"]?.int == 6)
        // A block that does not run stays in the prose.
        #expect(cells[3]["source"]?.lines == "```fg skip\nstep(t, 1000)\n```")
        #expect(cells[5]["source"]?.lines == "The end.")
        #expect(nb["metadata"]?["kernelspec"]?["name"]?.string == "fairgrpo")
        #expect(Set(cells.compactMap { $0["id"]?.string }).count == cells.count)
    }

    /// An executed notebook as the kernel leaves it, with these outputs for the two code cells.
    private func executed(_ first: String, _ second: String) throws -> JSON {
        let text = try TutorialNotebook.notebook(markdown: markdown, file: "lesson.md")
        let replaced = text
            .replacingOccurrences(of: #""outputs": [{"output_type": "stream", "name": "stdout", "text": ["42\n"]}]"#, with: #""outputs": [\#(first)]"#)
            .replacingOccurrences(of: #""outputs": [{"output_type": "stream", "name": "stdout", "text": ["lesson.md:18:9: error: name 'nope' is not defined\n", "...\n"]}]"#, with: #""outputs": [\#(second)]"#)
        return try JSON.parse(replaced)
    }

    @Test func matchingOutputsPassAndErrorsMapBackToTheMarkdown() throws {
        let nb = try executed(
            #"{"output_type": "execute_result", "data": {"text/plain": "42"}, "execution_count": 1}"#,
            #"{"output_type": "error", "ename": "RuntimeError", "evalue": "x", "traceback": ["<2>:1:9: error: name 'nope' is not defined", "    y = x + nope", "            ^"]}"#)
        let (checked, failures) = try TutorialNotebook.compare(executed: nb, markdown: markdown, file: "lesson.md")
        #expect(checked == 2)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func differingOutputFails() throws {
        let nb = try executed(
            #"{"output_type": "stream", "name": "stdout", "text": "41\n"}"#,
            #"{"output_type": "error", "ename": "RuntimeError", "evalue": "x", "traceback": ["<2>:1:5: error: name 'nope' is not defined"]}"#)
        let (_, failures) = try TutorialNotebook.compare(executed: nb, markdown: markdown, file: "lesson.md")
        #expect(failures.map(\.example.line) == [6, 18])
        #expect(failures[0].actual == "41\n")
        #expect(failures[1].actual.hasPrefix("lesson.md:18:5: error:"))
    }

    @Test func theTutorialNotebooksAreInSync() throws {
        let tutorials = try FileManager.default.contentsOfDirectory(atPath: Paths.packageRoot.appendingPathComponent("tutorials").path)
            .filter { $0.hasSuffix(".md") && $0.first?.isNumber == true }.sorted().map { "tutorials/" + $0 }
        #expect(tutorials.count >= 9)
        let result = try fairgrpo(["notebook", "--check"] + tutorials, in: Paths.packageRoot)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
