/// Splits a script into notebook cells: runs of lines separated by blank
/// lines, never cutting through an open block, bracket or string. Each cell
/// keeps its line numbers in the script.
public enum CellSplitter {
    public static func cells(of source: SourceFile) -> [SourceFile] {
        var cells: [SourceFile] = []
        var current: [Substring] = []
        var start = source.firstLine
        func flush() {
            while let last = current.last, last.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { current.removeLast() }
            if !current.isEmpty {
                cells.append(SourceFile(name: source.name, text: current.joined(separator: "\n"), firstLine: start))
            }
            current = []
        }
        for (offset, line) in source.lines.enumerated() {
            let number = source.firstLine + offset
            let blank = line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
            if current.isEmpty {
                if blank { continue }
                start = number
            }
            if blank, !Lexer(current.joined(separator: "\n")).endsIncomplete {
                flush()
                continue
            }
            current.append(line)
        }
        flush()
        return cells
    }
}
