import Render
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Writes a session's cells as a Markdown report or a Jupyter notebook.
///
/// Markdown: each cell's input in a fenced `fg` block, its text output in a
/// plain fenced block, its plots as images linked by path relative to the
/// Markdown file (images outside the Markdown file's folder are copied into
/// `NAME_files/` beside it, so every link resolves wherever the folder goes),
/// and the error it stopped with (if any) in a last block.
/// Jupyter: nbformat 4.5 with code cells (each with its `id`) whose outputs are
/// `stream` text and `display_data` PNG images (base64), and an error as
/// `stderr` stream text, which Jupyter opens as it is.
public enum NotebookExport {
    public enum Format { case markdown, ipynb }

    public static func format(for path: String) -> Format? {
        if path.hasSuffix(".md") { return .markdown }
        if path.hasSuffix(".ipynb") { return .ipynb }
        return nil
    }

    /// Writes `cells` to `path` atomically; the format follows the extension.
    /// `preamble` is code that ran before the cells without being one (a script's
    /// `--set` variables), written as a first cell so the notebook replays.
    public static func write(_ cells: [Session.Cell], to path: String, title: String = "fairgrpo session", preamble: String? = nil) throws {
        guard let format = format(for: path) else {
            throw FileError(path: path, reason: "unknown notebook format: use a .md or .ipynb file name")
        }
        var cells = cells
        if let preamble { cells.insert(Session.Cell(number: 0, input: preamble), at: 0) }
        let text: String
        switch format {
        case .markdown: text = markdown(cells, title: title, links: try imageLinks(cells, notebook: path))
        case .ipynb: text = try ipynb(cells)
        }
        try FileIO.writeAtomically(Array(text.utf8), to: path)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` made absolute (against the current directory) with `.`, `..` and repeated slashes resolved.
    static func absolute(_ path: String) -> String {
        var parts: [Substring] = []
        let full = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        for part in full.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The link each image gets from the notebook at `notebook`: its path relative to
    /// the notebook's folder when it lies inside it; otherwise a copy in `NAME_files/`
    /// beside the notebook (a name taken by another image gets a number).
    static func imageLinks(_ cells: [Session.Cell], notebook: String) throws -> [String: String] {
        let folder = absolute(directory(of: notebook))
        let base = notebook.split(separator: "/").last.map(String.init) ?? notebook
        let stem = base.hasSuffix(".md") ? String(base.dropLast(3)) : base
        var links: [String: String] = [:], taken: [String: String] = [:]
        for cell in cells {
            for case let .image(path, _, _) in cell.outputs where links[path] == nil {
                let image = absolute(path)
                let prefix = folder == "/" ? "/" : folder + "/"
                if image.hasPrefix(prefix) {
                    links[path] = String(image.dropFirst(prefix.count))
                    continue
                }
                let name = image.split(separator: "/").last.map(String.init) ?? "plot.png"
                var candidate = name, n = 1
                while let other = taken[candidate], other != image {
                    n += 1
                    candidate = name.hasSuffix(".png") ? String(name.dropLast(4)) + "-\(n).png" : name + "-\(n)"
                }
                taken[candidate] = image
                let copyFolder = directory(of: notebook) + "/" + stem + "_files"
                if mkdir(copyFolder, 0o755) != 0 && errno != EEXIST {
                    throw FileError(path: copyFolder, reason: String(cString: strerror(errno)))
                }
                try FileIO.writeAtomically(try FileIO.read(path), to: copyFolder + "/" + candidate)
                links[path] = stem + "_files/" + candidate
            }
        }
        return links
    }

    /// The session as Markdown: each cell's code in an `fg` block and what it
    /// printed (errors included) in the `output` block after it, then its
    /// plots as images. That is the layout `fairgrpo doctest` checks, so an
    /// exported run can be replayed and compared later.
    /// `links` maps an image's recorded path to the link written (the path itself when absent).
    public static func markdown(_ cells: [Session.Cell], title: String, links: [String: String] = [:]) -> String {
        var out = "# \(title)\n"
        for cell in cells {
            out += "\n```fg\n\(cell.input)\n```\n"
            var text = ""
            var images: [String] = []
            for (i, output) in cell.outputs.enumerated() {
                switch output {
                case .text(let t): text += cell.patterns[i] ?? t
                case let .image(path, width, height):
                    images.append("![plot \(width)×\(height)](\(links[path] ?? path))")
                }
            }
            if let error = cell.error { text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + placeless(error) }
            if !text.isEmpty { out += fenced(text) }
            for image in images { out += "\n\(image)\n" }
        }
        return out
    }

    /// An error with the place it names (a REPL cell "<3>:1:5", a script's line) as doctest's
    /// wildcard: a replay reports the same error at the notebook's own line.
    static func placeless(_ error: String) -> String {
        var lines = error.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, line) in lines.enumerated() {
            guard let r = line.firstRange(of: ": error: "), line[..<r.lowerBound].contains(":") else { continue }
            lines[i] = "..." + line[r.lowerBound...]
        }
        return lines.joined(separator: "\n")
    }

    private static func fenced(_ text: String) -> String {
        var body = text
        if body.hasSuffix("\n") { body.removeLast() }
        let fence = body.contains("```") ? "~~~~" : "```"
        return "\n\(fence)output\n\(body)\n\(fence)\n"
    }

    public static func ipynb(_ cells: [Session.Cell]) throws -> String {
        var cellJSON: [String] = []
        for cell in cells {
            var outputs: [String] = []
            var text = ""
            func flushText() {
                if !text.isEmpty {
                    outputs.append("{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": \(jsonLines(text))}")
                    text = ""
                }
            }
            for output in cell.outputs {
                switch output {
                case .text(let t): text += t
                case let .image(path, width, height):
                    flushText()
                    let bytes = try FileIO.read(path)
                    outputs.append("""
                        {"output_type": "display_data", "data": {"image/png": \(json(base64(bytes))), "text/plain": \(json("<plot \(width)×\(height)>"))}, "metadata": {}}
                        """)
                }
            }
            flushText()
            // The error the cell stopped with, as the terminal showed it.
            if let error = cell.error {
                outputs.append("{\"output_type\": \"stream\", \"name\": \"stderr\", \"text\": \(jsonLines(error.hasSuffix("\n") ? error : error + "\n"))}")
            }
            cellJSON.append("""
                {"cell_type": "code", "id": "cell-\(cell.number)", "execution_count": \(cell.number > 0 ? String(cell.number) : "null"), "metadata": {}, "source": \(jsonLines(cell.input)), "outputs": [\(outputs.joined(separator: ", "))]}
                """)
        }
        return """
            {
             "nbformat": 4,
             "nbformat_minor": 5,
             "metadata": {\(kernelMetadata)},
             "cells": [
              \(cellJSON.joined(separator: ",\n  "))
             ]
            }

            """
    }

    /// The notebook metadata naming the fairgrpo Jupyter kernel (`fairgrpo kernel`, relayed by kernel/).
    static let kernelMetadata = """
        "kernelspec": {"name": "fairgrpo", "display_name": "fairgrpo", "language": "fairgrpo"}, \
        "language_info": {"name": "fairgrpo", "file_extension": ".fg", "mimetype": "text/x-fairgrpo", "codemirror_mode": "python", "pygments_lexer": "python"}
        """

    /// A JSON array of lines, each keeping its newline, as nbformat stores text.
    static func jsonLines(_ text: String) -> String {
        var lines: [String] = []
        var current = ""
        for c in text {
            current.append(c)
            if c == "\n" { lines.append(current); current = "" }
        }
        if !current.isEmpty { lines.append(current) }
        return "[" + lines.map(json).joined(separator: ", ") + "]"
    }

    /// A JSON string literal.
    public static func json(_ s: String) -> String { jsonString(s) }

    public static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var n = UInt32(bytes[i]) << 16
            if rest == 2 { n |= UInt32(bytes[i + 1]) << 8 }
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
            out += rest == 2 ? [alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
