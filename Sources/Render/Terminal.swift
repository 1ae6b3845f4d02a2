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
