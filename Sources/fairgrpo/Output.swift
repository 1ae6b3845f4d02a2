#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Writing text to a stream whole: `fputs` stops at the first NUL byte, so
/// `print("a\0b")` or an error message quoting one would be cut short.
enum Output {
    static func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            _ = fwrite(base, 1, bytes.count, stream)
        }
    }
}
