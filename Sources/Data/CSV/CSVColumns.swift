#if canImport(Glibc)
import Glibc
#endif

/// The numbers of every column over a run of consecutive records, stored
/// column-major in one malloc'd buffer per column (grown by doubling), with
/// what type inference needs: per column how many values were numbers,
/// missing or other text, and the first other text with its position.
///
/// Line numbers are not stored per row: in most files record `r` of a block
/// is on line `firstLine + r`, so only the places where that stops being true
/// (blank lines skipped, quoted fields spanning lines) are recorded.
final class NumberBlock: @unchecked Sendable {
    let columns: Int
    private(set) var rows = 0
    private(set) var capacity: Int
    /// `pointers[c]` is column c's buffer of `capacity` doubles, all in
    /// `storage`: one allocation, so a file with a million columns and a
    /// few rows costs a few doubles per column, not a malloc'd buffer each.
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    private var storage: UnsafeMutablePointer<Double>
    var numericCount: [Int], missingCount: [Int], otherCount: [Int]
    /// By column, for the columns that have one (most have none).
    var firstOther: [Int: (line: Int, column: Int, text: String)] = [:]
    /// Where row 0 starts; a block parsed from the middle of a file starts at
    /// a relative line and is moved once the lines before it are known.
    var firstLine: Int
    /// From row `row` on, a record's line is `firstLine + row + offset`.
    /// The line just after the block's last record (set by the fast path).
    var endLine = 0
    private(set) var jumps: [(row: Int, offset: Int)] = []
    private var lastOffset = 0

    init(columns: Int, capacity: Int, firstLine: Int) {
        self.columns = columns
        self.capacity = max(capacity, 1)
        self.firstLine = firstLine
        pointers = .allocate(capacity: max(columns, 1))
        storage = NumberBlock.allocate(columns: columns, capacity: self.capacity)
        for c in 0..<columns { pointers[c] = storage + c * self.capacity }
        numericCount = [Int](repeating: 0, count: columns)
        missingCount = numericCount
        otherCount = numericCount
    }

    deinit {
        free(storage)
        pointers.deallocate()
    }

    /// Doubles the capacity of every column (the pointers change).
    func grow() {
        let grown = NumberBlock.allocate(columns: columns, capacity: 2 * capacity)
        for c in 0..<columns {
            let column = grown + c * 2 * capacity
            column.update(from: pointers[c], count: capacity)
            pointers[c] = column
        }
        free(storage)
        storage = grown
        capacity *= 2
    }

    private static func allocate(columns: Int, capacity: Int) -> UnsafeMutablePointer<Double> {
        let (count, overflow) = max(columns, 1).multipliedReportingOverflow(by: capacity)
        guard !overflow, count <= Int.max / MemoryLayout<Double>.stride,
              let raw = malloc(count * MemoryLayout<Double>.stride) else {
            fatalError("NumberBlock: cannot allocate \(columns) columns of \(capacity) numbers")
        }
        let p = raw.assumingMemoryBound(to: Double.self)
        adviseHugePages(p, count)
        return p
    }


    /// Asks for transparent huge pages on a large column buffer: filling
    /// hundreds of megabytes otherwise costs one page fault per 4 KB.
    static func adviseHugePages(_ p: UnsafeMutablePointer<Double>, _ count: Int) {
        let bytes = count * MemoryLayout<Double>.stride
        guard bytes >= 4 << 20 else { return }
        let page = 4096
        let start = (Int(bitPattern: p) + page - 1) / page * page
        let end = (Int(bitPattern: p) + bytes) / page * page
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, 14) }  // MADV_HUGEPAGE
    }

    /// Notes that row `row` (about to be written) starts on `line`.
    @inline(__always)
    func noteLine(_ line: Int, row: Int) {
        let offset = line - firstLine - row
        if offset != lastOffset {
            jumps.append((row, offset))
            lastOffset = offset
        }
    }

    /// Sets the number of rows written through `pointers`.
    func setRows(_ n: Int) { rows = n }

    /// The line where row `r` starts.
    func line(ofRow r: Int) -> Int {
        // The last jump at or before r (jumps are in row order).
        var lo = 0, hi = jumps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if jumps[mid].row <= r { lo = mid + 1 } else { hi = mid }
        }
        return firstLine + r + (lo == 0 ? 0 : jumps[lo - 1].offset)
    }

    /// Moves a block parsed with relative line numbers by `lines`.
    func shiftLines(by lines: Int) {
        firstLine += lines
        for c in firstOther.keys { firstOther[c]!.line += lines }
    }

    /// Records a value that is not a number and not missing, remembering the first one.
    func noteOther(_ c: Int, line: Int, reader: CSVReader, field: CSVReader.Field) {
        otherCount[c] += 1
        if firstOther[c] == nil {
            firstOther[c] = (line, reader.characterColumn(at: field.start - (field.quoted ? 1 : 0)), reader.text(field))
        }
    }
}

/// The numbers of a whole file: one block per range parsed (one per thread).
struct NumberColumns {
    var blocks: [NumberBlock]
    let columns: Int

    init(columns: Int, blocks: [NumberBlock]) {
        self.columns = columns
        self.blocks = blocks
    }

    var rowCount: Int { blocks.reduce(0) { $0 + $1.rows } }

    func numericCount(_ c: Int) -> Int { blocks.reduce(0) { $0 + $1.numericCount[c] } }
    func otherCount(_ c: Int) -> Int { blocks.reduce(0) { $0 + $1.otherCount[c] } }
    func firstOther(_ c: Int) -> (line: Int, column: Int, text: String)? {
        for b in blocks { if let f = b.firstOther[c] { return f } }
        return nil
    }

    /// Column c as one array.
    func column(_ c: Int) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(rowCount)
        for b in blocks { out.append(contentsOf: UnsafeBufferPointer(start: b.pointers[c], count: b.rows)) }
        return out
    }

    /// The line where row r starts.
    func line(ofRow r: Int) -> Int {
        var r = r
        for b in blocks {
            if r < b.rows { return b.line(ofRow: r) }
            r -= b.rows
        }
        preconditionFailure("row out of range")
    }

    /// Lines of all rows as segments: for r in [starts[s], starts[s + 1]),
    /// row r starts on line r + bases[s]. Plain arrays, for tight loops.
    func lineSegments() -> (starts: [Int], bases: [Int]) {
        var starts: [Int] = [], bases: [Int] = []
        var first = 0
        for b in blocks {
            starts.append(first); bases.append(b.firstLine - first)
            for j in b.jumps { starts.append(first + j.row); bases.append(b.firstLine + j.offset - first) }
            first += b.rows
        }
        return (starts, bases)
    }

    /// Calls `body(firstRow, rowCount, columnPointers)` for each block in order.
    func forEachBlock(_ body: (Int, Int, UnsafeMutablePointer<UnsafeMutablePointer<Double>>) -> Void) {
        var first = 0
        for b in blocks {
            body(first, b.rows, b.pointers)
            first += b.rows
        }
    }
}

extension CSVReader {
    /// Whether the quote-free fast path may be used with this delimiter: the
    /// number scanner treats spaces, signs, digits, '.', 'e' and quotes as part
    /// of a field, so the delimiter must be none of them.
    var fastPathDelimiter: Bool {
        delimiter == 44 || delimiter == 59 || delimiter == 9 || delimiter == 124
    }

    /// Parses the records starting in [from, to) of a file without double
    /// quotes into a `NumberBlock`, reading each field's number while finding
    /// its end: no field array, no closure per record. `to` must be a record
    /// boundary (just after a newline, or the end). Plain decimals (with an
    /// optional exponent) are converted exactly in place; anything else (NA,
    /// text, long mantissas, inf) goes through `number(_:)` and `isMissing(_:)`,
    /// so every value is the one the general path gives.
    ///
    /// Returns nil when the range holds a double quote (every byte of a field
    /// is seen either by the number scanner, which stops at a quote, or by the
    /// scan to the field's end, which checks for one) or a lone carriage
    /// return, which ends a record for the general path but not a line for
    /// `countLines`: the caller then parses the file the general way. So no
    /// separate pass looks for quotes first.
    /// Throws the general path's error for a row with the wrong number of fields.
    func fastNumberPass(from: Int, to: Int, firstLine: Int, columns: Int) throws -> NumberBlock? {
        let p = bytes.baseAddress!
        let n = bytes.count
        let end = min(to, n)
        let d = delimiter
        // Capacity from the average length of the first lines, with some slack.
        let sampleEnd = min(end, from + (1 << 16))
        let sampleLines = max(countLines(from: from, to: sampleEnd), 1)
        // A row holds at least one byte per column (its delimiters and
        // newline), which bounds the rows however wide the file is.
        let estimate = min(Int(Double(end - from) / Double(max(sampleEnd - from, 1)) * Double(sampleLines) * 1.05) + 64,
                           (end - from) / max(columns, 1) + 1)
        let block = NumberBlock(columns: columns, capacity: estimate, firstLine: firstLine)
        var capacity = block.capacity
        let cols = block.pointers
        let powers = CSVReader.exactPowersOfTen
        let numeric = UnsafeMutablePointer<Int>.allocate(capacity: max(columns, 1))
        numeric.initialize(repeating: 0, count: max(columns, 1))
        defer { numeric.deallocate() }
        var i = from, line = firstLine, row = 0
        var lineOffset = 0  // line − firstLine − row, noted in the block when it changes

        while i < end {
            let b0 = p[i]
            if b0 == 10 { i += 1; line += 1; continue }
            if b0 == 13 {
                if i + 1 < n && p[i + 1] == 10 { i += 2; line += 1; continue }
                return nil
            }
            if row == capacity { block.setRows(row); block.grow(); capacity = block.capacity }
            if line - firstLine - row != lineOffset {
                block.noteLine(line, row: row)
                lineOffset = line - firstLine - row
            }
            let recordStart = i
            var c = 0
            while true {
                var k: Int
                if c >= columns {
                    // An extra field: only its end matters (the row is an error).
                    k = i
                    while k < n && p[k] != d && p[k] != 10 && p[k] != 13 {
                        if p[k] == 34 { return nil }
                        k += 1
                    }
                } else {
                    var j = i
                    while j < n && p[j] == 32 { j += 1 }
                    var negative = false
                    if j < n {
                        if p[j] == 45 { negative = true; j += 1 } else if p[j] == 43 { j += 1 }
                    }
                    // Digits accumulate with wrapping arithmetic; more than 19 of them
                    // (counting leading zeros) might have wrapped, so those fields go
                    // the general way instead of checking on every digit.
                    var mantissa: UInt64 = 0
                    let integerStart = j
                    CSVReader.accumulateDigits(p, n, &j, &mantissa)
                    var digitCount = j - integerStart
                    var fractionDigits = 0
                    if j < n && p[j] == 46 {
                        j += 1
                        let fractionStart = j
                        CSVReader.accumulateDigits(p, n, &j, &mantissa)
                        fractionDigits = j - fractionStart
                        digitCount += fractionDigits
                    }
                    let sawDigit = digitCount > 0
                    var exact = digitCount <= 19
                    var exponent = 0
                    if sawDigit && j < n && p[j] | 0x20 == 101 {  // e or E
                        var e = j + 1
                        var negativeExponent = false
                        if e < n && (p[e] == 45 || p[e] == 43) { negativeExponent = p[e] == 45; e += 1 }
                        var sawExponentDigit = false
                        while e < n {
                            let v = p[e] &- 48
                            if v >= 10 { break }
                            if exponent < 100_000 { exponent = exponent * 10 + Int(v) }
                            sawExponentDigit = true; e += 1
                        }
                        if sawExponentDigit { j = e; if negativeExponent { exponent = -exponent } } else { exact = false }
                    }
                    k = j
                    while k < n && p[k] == 32 { k += 1 }
                    var value = Double.nan
                    var parsed = false
                    if exact && sawDigit && (k == n || p[k] == d || p[k] == 10 || p[k] == 13),
                       let v = CSVReader.exactValue(mantissa, exponent - fractionDigits, powers) {
                        value = negative ? -v : v
                        parsed = true
                    } else {
                        // Not a plain decimal: classify the whole field the general way.
                        while k < n && p[k] != d && p[k] != 10 && p[k] != 13 {
                            if p[k] == 34 { return nil }
                            k += 1
                        }
                        let field = Field(start: i, end: k, quoted: false, column: i - recordStart + 1)
                        if let v = number(field) {
                            value = v
                            parsed = true
                        } else if isMissing(field) {
                            block.missingCount[c] += 1
                        } else {
                            block.noteOther(c, line: line, reader: self, field: field)
                        }
                    }
                    if parsed { numeric[c] += 1 }
                    cols[c][row] = value
                }
                c += 1
                if k < n && p[k] == d { i = k + 1; continue }
                i = k
                break
            }
            if c != columns {
                throw DataError.malformed(file: file, line: line, column: nil,
                                          reason: "this row has \(c) fields but the header has \(columns)")
            }
            if i < n && p[i] == 13 {
                guard i + 1 < n && p[i + 1] == 10 else { return nil }
                i += 2
            } else if i < n && p[i] == 10 {
                i += 1
            }
            line += 1
            row += 1
        }
        block.setRows(row)
        block.endLine = line
        block.numericCount = Array(UnsafeBufferPointer(start: numeric, count: columns))
        return block
    }

    /// 10^0 … 10^22, all exactly representable as doubles.
    static let exactPowersOfTen: [Double] = (0...22).map { e in var v = 1.0; for _ in 0..<e { v *= 10 }; return v }

    /// Reads the decimal digits at p[j...] into `mantissa` (wrapping arithmetic),
    /// moving j past them: the integer part and the fraction part alike. The
    /// caller counts the digits from how far j moved.
    @inline(__always)
    static func accumulateDigits(_ p: UnsafePointer<UInt8>, _ n: Int, _ j: inout Int, _ mantissa: inout UInt64) {
        while j < n {
            let v = p[j] &- 48
            if v >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(v)
            j += 1
        }
    }

    /// mantissa × 10^exponent when one correctly rounded operation gives it
    /// exactly as strtod would (Clinger's fast path: the mantissa fits in 53
    /// bits and the power of ten is exact), else nil.
    @inline(__always)
    static func exactValue(_ mantissa: UInt64, _ exponent: Int, _ powers: [Double]) -> Double? {
        if mantissa == 0 { return 0 }
        guard mantissa <= 1 << 53 else { return nil }
        let m = Double(mantissa)
        if exponent == 0 { return m }
        if exponent < 0 {
            guard exponent >= -22 else { return nil }
            return m / powers[-exponent]
        }
        guard exponent <= 22 else { return nil }
        return m * powers[exponent]
    }
}
