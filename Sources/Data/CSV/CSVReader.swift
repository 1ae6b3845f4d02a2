import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// RFC 4180 tokenizer over bytes: quoted fields with doubled quotes, CRLF or
/// LF line ends, an optional UTF-8 byte-order mark, and a delimiter detected
/// from the header (comma, semicolon, tab or pipe). It never copies a field
/// it does not have to: callers get byte ranges and decode what they need.
public struct CSVReader: @unchecked Sendable {
    /// The file's bytes (mapped or copied), kept alive by `owner`.
    let bytes: UnsafeBufferPointer<UInt8>
    private let owner: AnyObject
    public let file: String
    public let delimiter: UInt8
    /// Byte offset where the header starts (after a BOM).
    let start: Int

    /// Owns a copy of in-memory bytes.
    private final class Copy {
        let pointer: UnsafeMutablePointer<UInt8>
        init(_ bytes: [UInt8]) {
            pointer = .allocate(capacity: max(bytes.count, 1))
            pointer.initialize(from: bytes, count: bytes.count)
        }
        deinit { pointer.deallocate() }
    }

    public init(bytes array: [UInt8], file: String, delimiter: UInt8? = nil) throws {
        let copy = Copy(array)
        try self.init(bytes: UnsafeBufferPointer(start: copy.pointer, count: array.count), owner: copy, file: file, delimiter: delimiter)
    }

    /// Reads a file through a read-only memory mapping (no copy of its bytes).
    public init(mapping path: String, delimiter: UInt8? = nil) throws {
        let mapped = try MappedFile(path: path)
        try self.init(bytes: UnsafeBufferPointer(start: mapped.pointer, count: mapped.count), owner: mapped, file: path, delimiter: delimiter)
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, owner: AnyObject, file: String, delimiter: UInt8?) throws {
        self.bytes = bytes
        self.owner = owner
        self.file = file
        start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard start < bytes.count, bytes[start...].contains(where: { $0 != 10 && $0 != 13 && $0 != 32 && $0 != 9 }) else {
            throw DataError.malformed(file: file, line: 1, column: nil, reason: "the file is empty (expected a header line)")
        }
        self.delimiter = delimiter ?? CSVReader.detectDelimiter(bytes, from: start)
    }

    public var count: Int { bytes.count }

    /// The 1-based column in characters (not bytes) of the byte at `offset`.
    public func characterColumn(at offset: Int) -> Int {
        var lineStart = min(offset, bytes.count)
        while lineStart > 0 && bytes[lineStart - 1] != 10 { lineStart -= 1 }
        var column = 1
        for i in lineStart..<min(offset, bytes.count) where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return column
    }

    /// The offset of the first line that is not blank (the header).
    public var headerOffset: Int {
        var i = start
        while i < bytes.count {
            var j = i
            while j < bytes.count && (bytes[j] == 32 || bytes[j] == 9 || bytes[j] == 13) { j += 1 }
            if j < bytes.count && bytes[j] == 10 { i = j + 1; continue }
            return i
        }
        return i
    }

    /// Whether any byte is a double quote (if none, any newline ends a record).
    public var containsQuotes: Bool {
        memchr(bytes.baseAddress! + start, 34, bytes.count - start) != nil
    }

    /// The offset just after the newline at or after `offset` (or the end).
    public func nextLineStart(after offset: Int) -> Int {
        guard offset < bytes.count else { return bytes.count }
        guard let p = memchr(bytes.baseAddress! + offset, 10, bytes.count - offset) else { return bytes.count }
        return UnsafePointer(p.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress! + 1
    }

    /// Number of newlines in [from, to).
    public func countLines(from: Int, to: Int) -> Int {
        var n = 0
        var i = from
        let base = bytes.baseAddress!
        while i < to, let p = memchr(base + i, 10, to - i) {
            n += 1
            i = UnsafePointer(p.assumingMemoryBound(to: UInt8.self)) - base + 1
        }
        return n
    }

    /// The candidate that appears most often (outside quotes) in the first line.
    static func detectDelimiter(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt8 {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0, 124: 0]  // , ; \t |
        var inQuotes = false
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if b == 34 { inQuotes.toggle() }
            else if !inQuotes {
                if b == 10 || b == 13 { break }
                if counts[b] != nil { counts[b]! += 1 }
            }
            i += 1
        }
        let best = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!
        return best.value > 0 ? best.key : 44
    }

    /// A field: its bytes and whether it was quoted (and so may hold "" escapes).
    public struct Field {
        public var start: Int, end: Int
        public var quoted: Bool
        public var column: Int  // 1-based character column where the field starts
    }

    /// Calls `row(lineNumber, fields)` for each record, the header first.
    /// Stops with an error at an unterminated quote or stray quote.
    public func forEachRecord(_ row: (Int, [Field]) throws -> Void) throws {
        try forEachRecord(from: start, to: bytes.count, firstLine: 1, row)
    }

    /// Where records begin: after a BOM.
    public var firstRecordOffset: Int { start }

    /// The same over the records starting in [from, to), which must begin at
    /// a record boundary; `firstLine` is the line number at `from`.
    /// Returns the offset where the next record starts.
    @discardableResult
    public func forEachRecord(from: Int, to end: Int, firstLine: Int, _ row: (Int, [Field]) throws -> Void) throws -> Int {
        var fields: [Field] = []
        fields.reserveCapacity(64)
        var i = from
        var line = firstLine
        let n = bytes.count
        let end = min(end, n)
        let d = delimiter
        do {
            let p = bytes.baseAddress!
            while i < end {
                let recordLine = line
                var lineStart = i
                fields.removeAll(keepingCapacity: true)
                // Skip completely empty lines.
                if p[i] == 10 { i += 1; line += 1; continue }
                if p[i] == 13 && i + 1 < n && p[i + 1] == 10 { i += 2; line += 1; continue }
                while true {
                    let column = i - lineStart + 1
                    if i < n && p[i] == 34 {
                        // Quoted field: runs to the closing quote; "" is an escaped quote.
                        let quoteLine = line, quoteColumn = column
                        i += 1
                        let fieldStart = i
                        while true {
                            guard i < n else {
                                _ = quoteColumn
                                throw DataError.malformed(file: file, line: quoteLine, column: characterColumn(at: fieldStart - 1),
                                                          reason: "unterminated quoted field (no closing \")")
                            }
                            if p[i] == 34 {
                                if i + 1 < n && p[i + 1] == 34 { i += 2; continue }
                                break
                            }
                            if p[i] == 10 { line += 1; lineStart = i + 1 }
                            i += 1
                        }
                        fields.append(Field(start: fieldStart, end: i, quoted: true, column: column))
                        i += 1  // closing quote
                        if i < n && p[i] != d && p[i] != 10 && p[i] != 13 {
                            throw DataError.malformed(file: file, line: line, column: characterColumn(at: i),
                                                      reason: "unexpected character after a closing quote (expected a delimiter or the end of the line)")
                        }
                    } else {
                        let fieldStart = i
                        while i < n && p[i] != d && p[i] != 10 && p[i] != 13 {
                            if p[i] == 34 {
                                throw DataError.malformed(file: file, line: line, column: characterColumn(at: i),
                                                          reason: "stray quote inside an unquoted field (quote the whole field and double the quote)")
                            }
                            i += 1
                        }
                        fields.append(Field(start: fieldStart, end: i, quoted: false, column: column))
                    }
                    if i < n && p[i] == d { i += 1; continue }
                    break
                }
                if i < n && p[i] == 13 { i += 1 }
                if i < n && p[i] == 10 { i += 1 }
                line += 1
                try row(recordLine, fields)
            }
        }
        return i
    }

    /// The text of a field (quotes removed, "" unescaped, surrounding spaces trimmed).
    public func text(_ f: Field) -> String {
        var a = f.start, b = f.end
        if !f.quoted {
            while a < b && bytes[a] == 32 { a += 1 }
            while b > a && bytes[b - 1] == 32 { b -= 1 }
        }
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self)
        return f.quoted ? s.replacingDoubledQuotes : s
    }

    /// Whether a field is a missing value: empty, NA, N/A, NaN, nan, null, NULL, ?.
    public func isMissing(_ f: Field) -> Bool {
        var a = f.start, b = f.end
        while a < b && bytes[a] == 32 { a += 1 }
        while b > a && bytes[b - 1] == 32 { b -= 1 }
        let len = b - a
        if len == 0 { return true }
        if len > 4 { return false }
        switch len {
        case 1: return bytes[a] == 63  // ?
        case 2: return bytes[a] == 78 && bytes[a + 1] == 65  // NA
        case 3:
            let s = (bytes[a] | 0x20, bytes[a + 1] | 0x20, bytes[a + 2] | 0x20)
            return s == (110, 97, 110) || (bytes[a] == 78 && bytes[a + 1] == 47 && bytes[a + 2] == 65)  // nan, N/A
        case 4:
            let s = (bytes[a] | 0x20, bytes[a + 1] | 0x20, bytes[a + 2] | 0x20, bytes[a + 3] | 0x20)
            return s == (110, 117, 108, 108)  // null
        default: return false
        }
    }

    /// Parses a field as a number, or nil. Fast path for plain decimals
    /// (exact: at most 15 significant digits and a power of ten up to 22,
    /// Clinger's condition); anything else goes to strtod.
    public func number(_ f: Field) -> Double? {
        var a = f.start, b = f.end
        while a < b && bytes[a] == 32 { a += 1 }
        while b > a && bytes[b - 1] == 32 { b -= 1 }
        guard a < b else { return nil }
        return CSVReader.parseNumber(bytes.baseAddress!, a, b)
    }

    static let powersOfTen: [Double] = (0...22).map { e in var v = 1.0; for _ in 0..<e { v *= 10 }; return v }

    @inline(__always)
    static func parseNumber(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        if p[i] == 45 { negative = true; i += 1 } else if p[i] == 43 { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var sawDigit = false
        while i < end, p[i] &- 48 < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); if mantissa != 0 { digits += 1 } }
            else { return slowNumber(p, start, end) }
            sawDigit = true; i += 1
        }
        if i < end && p[i] == 46 {
            i += 1
            while i < end, p[i] &- 48 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); if mantissa != 0 { digits += 1 }; fractionDigits += 1 }
                else { return slowNumber(p, start, end) }
                sawDigit = true; i += 1
            }
        }
        guard sawDigit else { return slowNumber(p, start, end) }
        if i < end {
            // Exponents, inf, hex, or junk: let strtod decide.
            return slowNumber(p, start, end)
        }
        guard digits <= 15, fractionDigits <= 22 else { return slowNumber(p, start, end) }
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    static func slowNumber(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let length = end - start
        guard length < 128 else { return nil }
        // Reject what strtod accepts but a CSV number should not be: hex, "infinity" words are fine.
        if length >= 2 && (p[start + 1] | 0x20 == 120 || (length >= 3 && p[start + 2] | 0x20 == 120)) { return nil }
        // strtod needs a terminated string: copy into a stack buffer, not an array per call.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { b -> Double? in
            for k in 0..<length { b[k] = CChar(bitPattern: p[start + k]) }
            b[length] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            let v = strtod(b.baseAddress!, &endPointer)
            guard let endPointer, endPointer - b.baseAddress! == length else { return nil }
            return v
        }
    }
}

extension String {
    /// `""` → `"` inside a quoted field. Works on scalars: a quote followed by
    /// a combining mark is one Character but still two scalars.
    var replacingDoubledQuotes: String {
        guard unicodeScalars.contains("\"") else { return self }
        var out = String.UnicodeScalarView()
        var previousQuote = false
        for u in unicodeScalars {
            if u == "\"" {
                if previousQuote { previousQuote = false; continue }
                previousQuote = true
            } else {
                previousQuote = false
            }
            out.append(u)
        }
        return String(out)
    }
}
