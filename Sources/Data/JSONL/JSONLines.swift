import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// One field of a JSON Lines record. Arrays and objects are kept as their
/// JSON text (a conversational prompt is a list of messages: its text is
/// still a fine key to group rollouts by).
public enum JSONCell: Sendable, Equatable {
    case number(Double), text(String), bool(Bool), null
    case json(String)
    /// The record has no such key.
    case missing

    /// The value as text: strings as they are, numbers without a trailing ".0", JSON as written.
    public var text: String? {
        switch self {
        case .text(let s), .json(let s): return s
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
        case .bool(let b): return b ? "true" : "false"
        case .null, .missing: return nil
        }
    }

    /// The value as a number: numbers, booleans (1/0) and strings that parse as numbers ("12", as TRL logs steps).
    public var number: Double? {
        switch self {
        case .number(let v): return v
        case .bool(let b): return b ? 1 : 0
        case .text(let s): return Double(s.trimmingSpaces)
        default: return nil
        }
    }
}

/// The records of a JSON Lines file as named columns, with the line each
/// record is on (for errors that point at the file and line).
public struct RecordColumns: Sendable {
    public var file: String
    public var names: [String]
    public var columns: [[JSONCell]]
    public var lines: [Int]
    public var rowCount: Int { lines.count }

    public init(file: String, names: [String], columns: [[JSONCell]], lines: [Int]) {
        self.file = file; self.names = names; self.columns = columns; self.lines = lines
    }

    public func column(_ name: String) -> [JSONCell]? { names.firstIndex(of: name).map { columns[$0] } }
}

/// A fast JSON Lines reader: the file is mapped, split at a newline near its
/// middle and parsed on two threads; each line must hold one JSON object.
/// Values of the fields asked for are decoded, every other value is skipped
/// without building it (long completions cost a `memchr` per string). Errors
/// name the file, line and column.
public enum JSONLines {
    /// Longest line accepted (a guard against a file that is not JSON Lines at all).
    public static let maxLineBytes = 1 << 30
    /// Deepest nesting of arrays and objects accepted inside a value.
    public static let maxDepth = 512

    /// Reads `path`; `fields` limits the columns decoded (nil: every key seen).
    public static func read(path: String, fields: [String]? = nil) throws -> RecordColumns {
        let mapped = try MappedFile(path: path)
        return try withExtendedLifetime(mapped) {
            try read(bytes: UnsafeBufferPointer(start: mapped.pointer, count: mapped.count), file: path, fields: fields)
        }
    }

    public static func read(bytes: UnsafeBufferPointer<UInt8>, file: String, fields: [String]? = nil) throws -> RecordColumns {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let n = bytes.count
        guard let base = bytes.baseAddress, n > start else {
            throw DataError.malformed(file: file, line: 1, column: nil, reason: "the file is empty (expected one JSON object per line)")
        }
        // Two halves split after a newline, for files large enough to be worth a thread.
        var middle = n
        if n - start >= 1 << 20, let p = memchr(base + (start + n) / 2, 10, n - (start + n) / 2) {
            middle = UnsafePointer(p.assumingMemoryBound(to: UInt8.self)) - base + 1
        }
        if middle >= n {
            var part = Parser(base: base, file: file, fields: fields)
            try part.parse(from: start, to: n, firstLine: 1)
            return try part.finish()
        }
        var first = Parser(base: base, file: file, fields: fields), second = Parser(base: base, file: file, fields: fields)
        var firstError: Error?, secondError: Error?
        // The second half parses with line numbers relative to its start, shifted once the first half's lines are counted.
        runConcurrently({
            do { try first.parse(from: start, to: middle, firstLine: 1) } catch { firstError = error }
        }, {
            do { try second.parse(from: middle, to: n, firstLine: 1) } catch { secondError = error }
        })
        if let firstError { throw firstError }
        let offset = first.lineCount
        if let secondError {
            if case let DataError.malformed(f, line, column, reason) = secondError {
                throw DataError.malformed(file: f, line: line + offset, column: column, reason: reason)
            }
            throw secondError
        }
        var a = try first.finish(), b = try second.finish()
        b.lines = b.lines.map { $0 + offset }
        // Union of the two halves' columns, in order of first appearance.
        for (j, name) in b.names.enumerated() where !a.names.contains(name) {
            a.names.append(name)
            a.columns.append([JSONCell](repeating: .missing, count: a.rowCount))
            _ = j
        }
        for (c, name) in a.names.enumerated() {
            if let j = b.names.firstIndex(of: name) {
                a.columns[c] += b.columns[j]
            } else {
                a.columns[c] += [JSONCell](repeating: .missing, count: b.rowCount)
            }
        }
        a.lines += b.lines
        return a
    }

    /// The keys of the first record of a file (for naming what is there when a field is not).
    public static func firstRecordKeys(path: String) -> [String] {
        guard let mapped = try? MappedFile(path: path), mapped.count > 0 else { return [] }
        return withExtendedLifetime(mapped) {
            let base = mapped.pointer
            var end = mapped.count
            if let q = memchr(base, 10, mapped.count) { end = UnsafePointer(q.assumingMemoryBound(to: UInt8.self)) - base }
            var parser = Parser(base: base, file: path, fields: nil)
            guard (try? parser.parse(from: 0, to: end, firstLine: 1)) != nil else { return [] }
            return parser.names
        }
    }

    /// A whole JSON document holding one object (such as an evaluation dump with
    /// parallel arrays): newlines outside strings are only white space in JSON,
    /// so it is read as one line; each array-valued field becomes the column of
    /// its elements, one row per element (fields of other kinds are dropped).
    public static func readDocument(path: String) throws -> RecordColumns {
        var bytes = try FileIO.read(path)
        for i in bytes.indices where bytes[i] == 10 || bytes[i] == 13 { bytes[i] = 32 }
        let object = try bytes.withUnsafeBufferPointer { try read(bytes: $0, file: path) }
        var names: [String] = [], columns: [[JSONCell]] = []
        for (c, name) in object.names.enumerated() {
            guard case .json(let text) = object.columns[c][0], text.hasPrefix("[") else { continue }
            names.append(name)
            columns.append(try elements(text, file: path))
        }
        let n = columns.map(\.count).max() ?? 0
        for (c, column) in columns.enumerated() where column.count != n {
            throw DataError.malformed(file: path, line: 1, column: nil, reason: "array \"\(names[c])\" has \(column.count) elements where others have \(n)")
        }
        // Rows are array positions; "line" numbers them from 1 so errors can say which element.
        return RecordColumns(file: path, names: names, columns: columns, lines: n > 0 ? Array(1...n) : [])
    }

    /// The elements of a JSON array's text.
    static func elements(_ text: String, file: String) throws -> [JSONCell] {
        var utf8 = Array(text.utf8)
        utf8.append(0)
        return try utf8.withUnsafeBufferPointer { buffer in
            let parser = Parser(base: buffer.baseAddress!, file: file, fields: nil)
            let end = buffer.count - 1
            var out: [JSONCell] = []
            var i = 1
            func skipSpace() { while i < end && (buffer[i] == 32 || buffer[i] == 9) { i += 1 } }
            skipSpace()
            if i < end && buffer[i] == 93 { return [] }
            while i < end {
                skipSpace()
                let (cell, next) = try parser.value(i, end)
                out.append(cell)
                i = next
                skipSpace()
                if i < end && buffer[i] == 44 { i += 1; continue }
                break
            }
            return out
        }
    }

    /// Parses the lines of one range.
    struct Parser {
        let p: UnsafePointer<UInt8>
        let file: String
        let wanted: [[UInt8]]?
        var names: [String] = []
        var keyBytes: [[UInt8]] = []
        var columns: [[JSONCell]] = []
        var lines: [Int] = []
        var lineCount = 0
        /// The column found at each key position of the previous line (keys usually repeat in order).
        var lastColumnAt: [Int] = []
        var line = 0, lineStart = 0

        init(base: UnsafePointer<UInt8>, file: String, fields: [String]?) {
            p = base
            self.file = file
            wanted = fields.map { $0.map { Array($0.utf8) } }
            if let fields {
                names = fields
                keyBytes = wanted!
                columns = fields.map { _ in [] }
            }
        }

        func fail(_ at: Int, _ reason: String) -> DataError {
            // Column in characters, not bytes.
            var column = 1
            var i = lineStart
            while i < at { if p[i] & 0xC0 != 0x80 { column += 1 }; i += 1 }
            return DataError.malformed(file: file, line: line, column: column, reason: reason)
        }

        /// Columns that some record of the range has (a field asked for but never present is left out).
        var seen: [Bool] = []

        func finish() throws -> RecordColumns {
            let kept = names.indices.filter { $0 < seen.count && seen[$0] }
            return RecordColumns(file: file, names: kept.map { names[$0] }, columns: kept.map { columns[$0] }, lines: lines)
        }

        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }

        mutating func parse(from: Int, to end: Int, firstLine: Int) throws {
            var i = from
            line = firstLine - 1
            var row = 0
            while i < end {
                line += 1
                lineStart = i
                let lineEnd: Int
                if let q = memchr(p + i, 10, end - i) {
                    lineEnd = UnsafePointer(q.assumingMemoryBound(to: UInt8.self)) - p
                } else {
                    lineEnd = end
                }
                guard lineEnd - i <= JSONLines.maxLineBytes else {
                    throw fail(i, "line of \(lineEnd - i) bytes, over the limit of \(JSONLines.maxLineBytes) (is this a JSON Lines file?)")
                }
                var j = i
                while j < lineEnd && isSpace(p[j]) { j += 1 }
                if j < lineEnd {
                    try parseObject(j, lineEnd, row: row)
                    lines.append(line)
                    row += 1
                }
                i = lineEnd + 1
            }
            lineCount = line - firstLine + 1
        }

        /// One line's object; every column gets one cell for the row.
        mutating func parseObject(_ start: Int, _ end: Int, row: Int) throws {
            var i = start
            guard p[i] == 123 else { throw fail(i, "expected a JSON object ({…}) on each line") }
            i += 1
            var position = 0
            var filled = [Bool](repeating: false, count: columns.count)
            func skipSpace() { while i < end && isSpace(p[i]) { i += 1 } }
            skipSpace()
            if i < end && p[i] == 125 {
                i += 1
            } else {
                while true {
                    skipSpace()
                    guard i < end, p[i] == 34 else { throw fail(i, "expected a key in double quotes") }
                    let keyStart = i + 1
                    let (keyEnd, escaped) = try stringEnd(keyStart, end)
                    i = keyEnd + 1
                    skipSpace()
                    guard i < end, p[i] == 58 else { throw fail(i, "expected ':' after the key") }
                    i += 1
                    skipSpace()
                    guard i < end else { throw fail(i, "expected a value after ':'") }
                    let column = columnIndex(keyStart, keyEnd, escaped: escaped, position: position)
                    position += 1
                    if let column {
                        let (cell, next) = try value(i, end)
                        if column >= filled.count { filled += [Bool](repeating: false, count: column - filled.count + 1) }
                        if filled[column] { throw fail(keyStart - 1, "key \"\(names[column])\" appears twice in this object") }
                        filled[column] = true
                        if column >= seen.count { seen += [Bool](repeating: false, count: column - seen.count + 1) }
                        seen[column] = true
                        // A key first seen on this row: earlier rows lack it.
                        if columns[column].count < row { columns[column] += [JSONCell](repeating: .missing, count: row - columns[column].count) }
                        columns[column].append(cell)
                        i = next
                    } else {
                        i = try skipValue(i, end)
                    }
                    skipSpace()
                    guard i < end else { throw fail(i, "unterminated object (expected ',' or '}')") }
                    if p[i] == 44 { i += 1; continue }
                    if p[i] == 125 { i += 1; break }
                    throw fail(i, "expected ',' or '}' after a value")
                }
            }
            skipSpace()
            if i < end { throw fail(i, "unexpected text after the object (one JSON object per line)") }
            for c in columns.indices where columns[c].count <= row {
                columns[c] += [JSONCell](repeating: .missing, count: row + 1 - columns[c].count)
            }
        }

        /// The column of a key, or nil when it is not wanted; new keys become columns when no list was given.
        mutating func columnIndex(_ a: Int, _ b: Int, escaped: Bool, position: Int) -> Int? {
            let length = b - a
            if !escaped {
                if position < lastColumnAt.count {
                    let c = lastColumnAt[position]
                    if c >= 0 && keyBytes[c].count == length && keyBytes[c].withUnsafeBufferPointer({ memcmp($0.baseAddress!, p + a, length) == 0 }) {
                        return c
                    }
                }
                for c in keyBytes.indices where keyBytes[c].count == length {
                    if keyBytes[c].withUnsafeBufferPointer({ length == 0 || memcmp($0.baseAddress!, p + a, length) == 0 }) {
                        remember(c, at: position)
                        return c
                    }
                }
            }
            let key = escaped ? decodeString(a, b) : String(decoding: UnsafeBufferPointer(start: p + a, count: length), as: UTF8.self)
            if let c = names.firstIndex(of: key) { remember(c, at: position); return c }
            guard wanted == nil else { remember(-1, at: position); return nil }
            names.append(key)
            keyBytes.append(Array(key.utf8))
            columns.append([])
            remember(names.count - 1, at: position)
            return names.count - 1
        }

        mutating func remember(_ c: Int, at position: Int) {
            if position < lastColumnAt.count { lastColumnAt[position] = c }
            else if position == lastColumnAt.count { lastColumnAt.append(c) }
        }

        /// The closing quote of a string starting at `a` (after its opening quote) and whether it has escapes.
        func stringEnd(_ a: Int, _ end: Int) throws -> (Int, Bool) {
            var i = a
            var escaped = false
            while i < end {
                guard let q = memchr(p + i, 34, end - i) else { break }
                let k = UnsafePointer(q.assumingMemoryBound(to: UInt8.self)) - p
                // Escaped when preceded by an odd run of backslashes.
                var backslashes = 0
                var b = k - 1
                while b >= a && p[b] == 92 { backslashes += 1; b -= 1 }
                if backslashes > 0 { escaped = true }
                if backslashes % 2 == 0 {
                    if !escaped, memchr(p + a, 92, k - a) != nil { escaped = true }
                    return (k, escaped)
                }
                i = k + 1
            }
            throw fail(a - 1, "unterminated string (no closing \")")
        }

        /// Decodes a value; returns it and the offset after it.
        func value(_ i: Int, _ end: Int) throws -> (JSONCell, Int) {
            switch p[i] {
            case 34:
                let (e, escaped) = try stringEnd(i + 1, end)
                let s = escaped ? decodeString(i + 1, e) : String(decoding: UnsafeBufferPointer(start: p + i + 1, count: e - i - 1), as: UTF8.self)
                return (.text(s), e + 1)
            case 123, 91:
                let e = try skipValue(i, end)
                return (.json(String(decoding: UnsafeBufferPointer(start: p + i, count: e - i), as: UTF8.self)), e)
            case 116:
                guard literal(i, end, "true") else { throw fail(i, "invalid value (expected true)") }
                return (.bool(true), i + 4)
            case 102:
                guard literal(i, end, "false") else { throw fail(i, "invalid value (expected false)") }
                return (.bool(false), i + 5)
            case 110:
                guard literal(i, end, "null") else { throw fail(i, "invalid value (expected null)") }
                return (.null, i + 4)
            case 78:
                // NaN, as Python's json.dumps writes it.
                guard literal(i, end, "NaN") else { throw fail(i, "invalid value") }
                return (.number(.nan), i + 3)
            default:
                var e = i
                while e < end, isNumberByte(p[e]) { e += 1 }
                guard e > i, let v = CSVReader.parseNumber(p, i, e) else { throw fail(i, "invalid value (expected a string, number, true, false, null, array or object)") }
                return (.number(v), e)
            }
        }

        @inline(__always) func isNumberByte(_ b: UInt8) -> Bool {
            (b >= 48 && b <= 57) || b == 45 || b == 43 || b == 46 || b == 101 || b == 69 || b == 73 || b == 110 || b == 102 || b == 105 || b == 116 || b == 121
        }

        func literal(_ i: Int, _ end: Int, _ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard end - i >= n else { return false }
            return memcmp(p + i, word.utf8Start, n) == 0
        }

        /// The offset after the value at `i`, without building it.
        func skipValue(_ start: Int, _ end: Int) throws -> Int {
            var i = start
            switch p[i] {
            case 34: return try stringEnd(i + 1, end).0 + 1
            case 123, 91:
                // The open brackets, to check each close matches (the structure is not otherwise validated).
                var open: [UInt8] = []
                while i < end {
                    let b = p[i]
                    if b == 34 { i = try stringEnd(i + 1, end).0 + 1; continue }
                    if b == 123 || b == 91 {
                        open.append(b)
                        guard open.count <= JSONLines.maxDepth else { throw fail(i, "arrays and objects nested deeper than \(JSONLines.maxDepth)") }
                    } else if b == 125 || b == 93 {
                        let expected: UInt8 = open.last == 123 ? 125 : 93
                        guard b == expected else { throw fail(i, "mismatched '\(Character(Unicode.Scalar(b)))' (expected '\(Character(Unicode.Scalar(expected)))')") }
                        open.removeLast()
                        if open.isEmpty { return i + 1 }
                    }
                    i += 1
                }
                throw fail(start, "unterminated \(p[start] == 123 ? "object" : "array")")
            default:
                return try value(i, end).1
            }
        }

        /// A string's text with its escapes resolved (\" \\ \/ \b \f \n \r \t \uXXXX, surrogate pairs).
        /// Written straight into the new string's storage: the text is never
        /// longer than its escaped form, except that a lone `\uXXXX` surrogate
        /// becomes the 3-byte replacement character (6 bytes in, 3 out).
        func decodeString(_ a: Int, _ b: Int) -> String {
            String(unsafeUninitializedCapacity: b - a) { out in
                var n = 0
                var i = a
                func hex(_ k: Int) -> UInt32? {
                    guard k + 4 <= b else { return nil }
                    var v: UInt32 = 0
                    for j in k..<(k + 4) {
                        let c = p[j]
                        let d: UInt32
                        switch c {
                        case 48...57: d = UInt32(c - 48)
                        case 97...102: d = UInt32(c - 87)
                        case 65...70: d = UInt32(c - 55)
                        default: return nil
                        }
                        v = v * 16 + d
                    }
                    return v
                }
                func put(_ byte: UInt8) { out[n] = byte; n += 1 }
                func append(_ scalar: UInt32) {
                    for byte in UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")! { put(byte) }
                }
                func copy(_ from: Int, _ count: Int) {
                    UnsafeMutableRawPointer(out.baseAddress! + n).copyMemory(from: p + from, byteCount: count)
                    n += count
                }
                while i < b {
                    // Copy the run up to the next backslash in one go.
                    guard let q = memchr(p + i, 92, b - i) else {
                        copy(i, b - i)
                        break
                    }
                    let k = UnsafePointer(q.assumingMemoryBound(to: UInt8.self)) - p
                    if k > i { copy(i, k - i) }
                    i = k
                    guard i + 1 < b else { break }
                    let e = p[i + 1]
                    i += 2
                    switch e {
                    case 110: put(10)
                    case 116: put(9)
                    case 114: put(13)
                    case 98: put(8)
                    case 102: put(12)
                    case 117:
                        guard var v = hex(i) else { put(92); put(117); continue }
                        i += 4
                        if v >= 0xD800 && v < 0xDC00, i + 1 < b, p[i] == 92, p[i + 1] == 117, let low = hex(i + 2), low >= 0xDC00 && low < 0xE000 {
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        append(v)
                    default: put(e)  // \" \\ \/
                    }
                }
                return n
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
