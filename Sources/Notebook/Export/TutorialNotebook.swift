/// A tutorial's Markdown as a Jupyter notebook for the fairgrpo kernel, and
/// the check that a run of that notebook printed what the Markdown says.
///
/// Prose becomes Markdown cells; each ```` ```fg ```` block that runs becomes a
/// code cell whose outputs are the expected ```` ```output ```` block, so the
/// notebook reads like the tutorial before it is run. Blocks that do not run
/// in a session (```` fg skip ````, ```` fg file= ````, console commands) stay
/// in the prose. The tutorials' paths are relative to the repository root,
/// and Jupyter starts a kernel in the notebook's folder, so the first code
/// cell moves there (`:cd ..`).
public enum TutorialNotebook {
    /// The notebook for `markdown` (the text of `file`, a path relative to the
    /// repository root); `root` is the path from the notebook's folder to the root.
    public static func notebook(markdown: String, file: String, root: String = "..") throws -> String {
        let lines = Doctest.lines(of: markdown)
        let blocks = try Doctest.blocks(lines, file: file)
        var cells: [String] = []
        var prose: [String] = []
        func flushProse() {
            while prose.first?.trimmingSpaces.isEmpty == true { prose.removeFirst() }
            while prose.last?.trimmingSpaces.isEmpty == true { prose.removeLast() }
            if !prose.isEmpty {
                cells.append(cell(type: "markdown", id: "md-\(cells.count + 1)", metadata: "{}",
                                  source: prose.joined(separator: "\n"), extra: ""))
            }
            prose = []
        }
        var line = 0
        var b = 0
        var addedSetup = false
        while b < blocks.count {
            let block = blocks[b]
            let runs = block.info.first == "fg" && block.info.count == 1
            guard runs else {
                b += 1
                continue  // stays in the prose, copied with the lines around it
            }
            prose += lines[line ..< block.open]
            flushProse()
            if !addedSetup {
                cells.append(cell(type: "code", id: "setup", metadata: "{\"fairgrpo\": {\"setup\": true}}",
                                  source: ":cd \(root)", extra: ", \"execution_count\": null, \"outputs\": []"))
                addedSetup = true
            }
            let code = lines[block.content].joined(separator: "\n")
            var outputs = ""
            line = block.next
            if let o = Doctest.outputBlock(after: b, in: blocks, lines: lines) {
                let expected = lines[blocks[o].content].joined(separator: "\n") + "\n"
                outputs = "{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": \(NotebookExport.jsonLines(expected))}"
                line = blocks[o].next
                b = o
            }
            // The example's line in the Markdown ties the cell to its expected output.
            cells.append(cell(type: "code", id: "fg-\(block.open + 2)", metadata: "{\"fairgrpo\": {\"line\": \(block.open + 2)}}",
                              source: code, extra: ", \"execution_count\": null, \"outputs\": [\(outputs)]"))
            b += 1
        }
        prose += lines[min(line, lines.count)...]
        flushProse()
        return """
            {
             "nbformat": 4,
             "nbformat_minor": 5,
             "metadata": {\(NotebookExport.kernelMetadata), "fairgrpo": {"generated_from": \(NotebookExport.json(file))}},
             "cells": [
              \(cells.joined(separator: ",\n  "))
             ]
            }

            """
    }

    private static func cell(type: String, id: String, metadata: String, source: String, extra: String) -> String {
        "{\"cell_type\": \"\(type)\", \"id\": \(NotebookExport.json(id)), \"metadata\": \(metadata), \"source\": \(NotebookExport.jsonLines(source))\(extra)}"
    }

    /// What a code cell of an executed notebook printed, as `fairgrpo doctest`
    /// sees a block's output: streams and results as text, errors as the
    /// terminal shows them, with their place mapped back from the cell
    /// (`<12>:1:5`) to the Markdown (`file:40:5`). Pictures are not text.
    public static func printed(_ outputs: [JSON], file: String, firstLine: Int) -> String {
        var text = ""
        for output in outputs {
            switch output["output_type"]?.string {
            case "stream": text += output["text"]?.lines ?? ""
            case "execute_result": text += (output["data"]?["text/plain"]?.lines ?? "") + "\n"
            case "error":
                var traceback = (output["traceback"]?.items ?? []).compactMap(\.string)
                if let first = traceback.first { traceback[0] = relocated(first, file: file, firstLine: firstLine) }
                text += traceback.joined(separator: "\n") + "\n"
            default: break
            }
        }
        return text
    }

    /// `<N>:L:C: rest` as `file:(L + firstLine - 1):C: rest`.
    static func relocated(_ headline: String, file: String, firstLine: Int) -> String {
        guard headline.hasPrefix("<"), let close = headline.firstIndex(of: ">") else { return headline }
        let rest = headline[headline.index(after: close)...]
        let parts = rest.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, let l = Int(parts[1]), Int(parts[2]) != nil else { return headline }
        return "\(file):\(l + firstLine - 1):\(parts[2]):\(parts[3])"
    }

    /// The examples of an executed notebook whose output does not match the
    /// Markdown's, as doctest failures.
    public static func compare(executed: JSON, markdown: String, file: String) throws -> (checked: Int, failures: [Doctest.Failure]) {
        let all = try Doctest.examples(in: markdown, file: file)
        let examples = Dictionary(all.map { ($0.line, $0) }, uniquingKeysWith: { a, _ in a })
        var checked = 0
        var failures: [Doctest.Failure] = []
        for cell in executed["cells"]?.items ?? [] {
            guard cell["cell_type"]?.string == "code", let line = cell["metadata"]?["fairgrpo"]?["line"]?.int,
                  let example = examples[line] else { continue }
            checked += 1
            let outputs = cell["outputs"]?.items ?? []
            let actual = printed(outputs, file: file, firstLine: example.line)
            if let expected = example.expected {
                if !Doctest.matches(expected: expected, actual: actual, approx: example.approx) {
                    failures.append(Doctest.Failure(file: file, example: example, actual: actual, reason: "notebook output differs"))
                }
            } else if outputs.contains(where: { $0["output_type"]?.string == "error" }) {
                failures.append(Doctest.Failure(file: file, example: example, actual: actual, reason: "error in a block with no expected output"))
            }
        }
        let runnable = all.filter { $0.kind == .code && !$0.skip }
        if checked < runnable.count {
            failures.append(Doctest.Failure(file: file, example: runnable[checked], actual: "",
                                            reason: "the notebook has \(checked) of the \(runnable.count) code cells of its Markdown: regenerate it"))
        }
        return (checked, failures)
    }
}
