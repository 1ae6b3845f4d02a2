import Glibc

/// The width text output is fitted to. One place decides it, so tables,
/// reports, help and terminal charts agree: the terminal's real width when
/// standard output is a terminal (asked each time, so a resize takes effect
/// on the next output), else `$COLUMNS`, else 100 columns.
public enum Terminal {
    /// A width set explicitly (a display setting); nil means "measure".
    nonisolated(unsafe) public static var widthOverride: Int?

    /// True when standard output is a terminal.
    public static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The width to fit output to, at least 20 columns.
    public static var width: Int {
        if let w = widthOverride { return max(20, w) }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(20, Int(size.ws_col))
        }
        if let text = getenv("COLUMNS"), let w = Int(String(cString: text)), w > 0 { return max(20, w) }
        return 100
    }
}

/// Items joined by `separator`, broken into lines no longer than `width`
/// (continuation lines indented by `indent`); an item longer than a line is shortened.
public func wrapItems(_ items: [String], prefix: String = "", separator: String = " · ", indent: String = "  ", width: Int) -> String {
    var lines: [String] = [], line = prefix
    var lineHasItem = false
    for item in items {
        let candidate = lineHasItem ? line + separator + item : line + item
        if candidate.count <= width {
            line = candidate
        } else if !lineHasItem || (indent + item).count > width {
            // Too long for any line: its words continue on the next lines.
            let words = item.split(separator: " ").map(String.init)
            for (k, word) in words.enumerated() {
                let joiner = k == 0 ? (lineHasItem ? separator : "") : " "
                if (line + joiner + word).count <= width || line.count <= indent.count {
                    line = shorten(line + joiner + word, width)
                } else {
                    lines.append(line)
                    line = shorten(indent + word, width)
                }
            }
        } else {
            lines.append(line)
            line = indent + item
        }
        lineHasItem = true
    }
    lines.append(line)
    return lines.joined(separator: "\n")
}

/// Text whose lines are each shortened to `width` characters.
public func fitLines(_ text: String, width: Int) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { shorten(String($0), width) }.joined(separator: "\n")
}

/// Prose broken at spaces into lines no longer than `width`.
public func wrapWords(_ text: String, indent: String = "", width: Int) -> String {
    wrapItems(text.split(separator: " ").map(String.init), separator: " ", indent: indent, width: width)
}
