import Tensors

/// Which column plays which role when a CSV file becomes a `Dataset`.
public struct CSVRoles: Sendable {
    public var label: String
    public var attributes: [String] = []
    public var domain: String?
    public var id: String?
    public var groupID: String?
    /// Feature columns; nil means every column without another role and not dropped.
    public var features: [String]?
    public var drop: [String] = []
    /// Upper bounds of the age bins applied to numeric attribute columns:
    /// [25, 50, 75] gives ≤25, 26-50, 51-75, >75 (A1…A4), as the paper bins age.
    public var ageBins: [Double] = [25, 50, 75]
    public var delimiter: UInt8?

    public init(label: String) { self.label = label }
}

/// Loads a CSV file into a `Dataset` (see `CSVRoles`).
///
/// Column types are inferred: a column is numeric when every non-missing value
/// parses as a number, categorical when most do not; a column that is almost
/// all numbers with a few stray words is an error naming the first one, since
/// that is usually a typo. Categorical features are one-hot encoded; numeric
/// ones are standardised (statistics fitted on all rows here, refitted on the
/// training rows by `split`). Rows without a label are dropped, with a note.
public enum CSVLoader {
    public static func load(path: String, roles: CSVRoles, name: String? = nil) throws -> Dataset {
        let reader = try CSVReader(mapping: path, delimiter: roles.delimiter)
        return try load(reader: reader, roles: roles, name: name ?? baseName(path))
    }

    static func baseName(_ path: String) -> String {
        var s = Substring(path)
        if let slash = s.lastIndex(of: "/") { s = s[s.index(after: slash)...] }
        if let dot = s.lastIndex(of: ".") { s = s[..<dot] }
        return String(s)
    }

    /// The general first pass: numbers of every column over the records in
    /// [from, to), through the RFC 4180 tokenizer (quotes, fields across lines).
    private static func generalPass(_ reader: CSVReader, from: Int, to: Int, firstLine: Int, columns: Int) throws -> NumberBlock {
        let block = NumberBlock(columns: columns, capacity: (to - from) / max(8 * columns, 1) + 2, firstLine: firstLine)
        var row = 0
        try reader.forEachRecord(from: from, to: to, firstLine: firstLine) { line, fields in
            guard fields.count == columns else {
                throw DataError.malformed(file: reader.file, line: line, column: nil,
                                          reason: "this row has \(fields.count) fields but the header has \(columns)")
            }
            if row == block.capacity { block.grow() }
            block.noteLine(line, row: row)
            for c in 0..<columns {
                let f = fields[c]
                if let v = reader.number(f) {
                    block.pointers[c][row] = v
                    block.numericCount[c] += 1
                } else {
                    block.pointers[c][row] = .nan
                    if reader.isMissing(f) {
                        block.missingCount[c] += 1
                    } else {
                        block.noteOther(c, line: line, reader: reader, field: f)
                    }
                }
            }
            row += 1
            block.setRows(row)
        }
        return block
    }

    /// The first pass over the body: the fast path on two threads for files
    /// without quotes (then every newline ends a record), the general one otherwise.
    /// `forceGeneral` is for tests comparing the two.
    static func numberPass(_ reader: CSVReader, bodyStart: Int, bodyFirstLine: Int, columns: Int,
                           forceGeneral: Bool = false) throws -> NumberColumns {
        let end = reader.count
        if !forceGeneral && reader.fastPathDelimiter {
            if end - bodyStart > parallelThreshold {
                // The second half counts lines from 0 and is moved once the
                // first half knows where it ends (no pass to count them first).
                let middle = reader.nextLineStart(after: bodyStart + (end - bodyStart) / 2)
                var first: Result<NumberBlock?, Error> = .success(nil)
                var second: Result<NumberBlock?, Error> = .success(nil)
                runConcurrently({
                    first = Result { try reader.fastNumberPass(from: bodyStart, to: middle, firstLine: bodyFirstLine, columns: columns) }
                }, {
                    second = Result { try reader.fastNumberPass(from: middle, to: end, firstLine: 0, columns: columns) }
                })
                // The first half's error comes first, as it would reading in order;
                // a quote or lone CR in either half means the general path.
                if let a = try first.get() {
                    let middleLine = a.endLine
                    do {
                        if let b = try second.get() {
                            b.shiftLines(by: middleLine)
                            return NumberColumns(columns: columns, blocks: [a, b])
                        }
                    } catch DataError.malformed(let file, let line, let column, let reason) {
                        throw DataError.malformed(file: file, line: line + middleLine, column: column, reason: reason)
                    }
                }
            } else if let block = try reader.fastNumberPass(from: bodyStart, to: end, firstLine: bodyFirstLine, columns: columns) {
                return NumberColumns(columns: columns, blocks: [block])
            }
        }
        let block = try generalPass(reader, from: bodyStart, to: end, firstLine: bodyFirstLine, columns: columns)
        return NumberColumns(columns: columns, blocks: [block])
    }

    /// Files without quotes above this size are parsed on two threads.
    static let parallelThreshold = 1 << 20

    public static func load(bytes: [UInt8], file: String, roles: CSVRoles, name: String) throws -> Dataset {
        try load(reader: try CSVReader(bytes: bytes, file: file, delimiter: roles.delimiter), roles: roles, name: name)
    }

    public static func load(reader: CSVReader, roles: CSVRoles, name: String) throws -> Dataset {
        try load(reader: reader, roles: roles, name: name, forceGeneral: false)
    }

    /// `forceGeneral` parses through the general tokenizer even when the fast
    /// path applies, so tests can check that both give the same dataset.
    static func load(reader: CSVReader, roles: CSVRoles, name: String, forceGeneral: Bool) throws -> Dataset {
        let file = reader.file
        var header: [String] = []
        let headerStart = reader.headerOffset
        guard headerStart < reader.count else {
            throw DataError.malformed(file: file, line: 1, column: nil, reason: "the file is empty (expected a header line)")
        }
        let headerLine = 1 + reader.countLines(from: reader.firstRecordOffset, to: headerStart)
        let bodyStart = try reader.forEachRecord(from: headerStart, to: headerStart + 1, firstLine: headerLine) { _, fields in
            header = fields.map { reader.text($0) }
        }
        guard !header.isEmpty else {
            throw DataError.malformed(file: file, line: 1, column: nil, reason: "the file is empty (expected a header line)")
        }
        try validateHeader(header, file: file, roles: roles)
        let columnCount = header.count
        let bodyFirstLine = 1 + reader.countLines(from: reader.firstRecordOffset, to: bodyStart)

        // First pass: numbers of every column (see `numberPass`).
        let numbers = try numberPass(reader, bodyStart: bodyStart, bodyFirstLine: bodyFirstLine, columns: columnCount,
                                     forceGeneral: forceGeneral)
        let rowCount = numbers.rowCount
        guard rowCount > 0 else {
            throw DataError.malformed(file: file, line: bodyFirstLine, column: nil, reason: "the file has a header but no rows")
        }

        // Which columns hold text: categorical features, and role columns that are not numbers.
        let featureColumns = try selectFeatures(header, roles: roles, file: file)
        var categorical = Set<Int>()
        for c in featureColumns where numbers.otherCount(c) > 0 {
            let parsed = numbers.numericCount(c), total = parsed + numbers.otherCount(c)
            if Double(parsed) >= 0.95 * Double(total), let bad = numbers.firstOther(c) {
                throw DataError.malformed(file: file, line: bad.line, column: bad.column,
                    reason: "column '\(header[c])' holds numbers but this value is '\(bad.text.prefix(40))' (expected a number or a missing value: empty, NA, NaN)")
            }
            categorical.insert(c)
        }
        let roleColumns = ([roles.label] + roles.attributes + [roles.domain, roles.id, roles.groupID].compactMap { $0 })
            .map { header.firstIndex(of: $0)! }
        // Domain, id and patient id keep their text exactly as written ("007" stays "007").
        let verbatim = [roles.domain, roles.id, roles.groupID].compactMap { $0 }.map { header.firstIndex(of: $0)! }
        let textColumns = categorical.union(roleColumns.filter { numbers.otherCount($0) > 0 }).union(verbatim)
        var texts: [Int: [String]] = [:]
        if !textColumns.isEmpty {
            for c in textColumns { texts[c] = [] ; texts[c]!.reserveCapacity(rowCount) }
            try reader.forEachRecord(from: bodyStart, to: reader.count, firstLine: bodyFirstLine) { _, fields in
                for c in textColumns { texts[c]!.append(reader.isMissing(fields[c]) ? "" : reader.text(fields[c])) }
            }
        }
        /// A role column's values as text (numbers formatted when the column is numeric).
        func textValues(_ c: Int, _ rows: [Int]) -> [String] {
            if let t = texts[c] { return rows.map { t[$0] } }
            let column = numbers.column(c)
            return rows.map { r in
                let v = column[r]
                return v.isNaN ? "" : (v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v))
            }
        }

        // Labels: rows without one are dropped.
        let labelIndex = header.firstIndex(of: roles.label)!
        let allRows = Array(0..<rowCount)
        var keep: [Int]
        var notes: [String] = []
        let classNames: [String], labels: [Int]
        if texts[labelIndex] == nil {
            let values = numbers.column(labelIndex)
            if values.contains(where: { $0.isNaN }) {
                keep = allRows.filter { !values[$0].isNaN }
                (classNames, labels) = encodeNumericLevels(keep.map { values[$0] })
            } else {
                keep = allRows
                (classNames, labels) = encodeNumericLevels(values)
            }
        } else {
            let labelTexts = texts[labelIndex]!
            keep = allRows.filter { !labelTexts[$0].isEmpty }
            (classNames, labels) = encodeLevels(keep.map { labelTexts[$0] }, numericOrder: false)
        }
        if keep.count < allRows.count { notes.append("\(allRows.count - keep.count) rows without a label were dropped") }
        guard !keep.isEmpty else { throw DataError.badFile(file: file, reason: "no row has a label in column '\(roles.label)'") }
        let n = keep.count

        // Features: numeric columns as they are, categorical ones one-hot, written straight into the matrix.
        var names: [String] = [], numericMask: [Bool] = []
        var oneHotLevels: [Int: [String]] = [:]
        for c in featureColumns {
            if categorical.contains(c) {
                let levels = Array(Set(texts[c]!.filter { !$0.isEmpty })).sorted(by: naturalOrder)
                oneHotLevels[c] = levels
                for level in levels { names.append("\(header[c])=\(level)"); numericMask.append(false) }
                notes.append("'\(header[c])' one-hot encoded into \(levels.count) columns")
            } else {
                names.append(header[c])
                numericMask.append(true)
            }
        }
        let d = names.count
        var raw = Tensor.zeros([n, d])
        raw.withUnsafeMutableBufferPointer { x in
            var j = 0
            for c in featureColumns {
                guard let levels = oneHotLevels[c] else { j += 1; continue }
                var index: [String: Int] = [:]
                for (k, l) in levels.enumerated() { index[l] = k }
                let t = texts[c]!
                for (i, r) in keep.enumerated() { if let k = index[t[r]] { x[i * d + j + k] = 1 } }
                j += levels.count
            }
            // Numeric columns: each block (one per parsing thread) into its rows,
            // the two blocks on two threads.
            var numericTargets: [(column: Int, feature: Int)] = []
            j = 0
            for c in featureColumns {
                if let levels = oneHotLevels[c] { j += levels.count } else { numericTargets.append((c, j)); j += 1 }
            }
            // Where each file row goes in the matrix (-1 if dropped); nil when every row is kept.
            var destination: [Int]? = nil
            if n < rowCount {
                var dest = [Int](repeating: -1, count: rowCount)
                for (i, r) in keep.enumerated() { dest[r] = i }
                destination = dest
            }
            let out = x.baseAddress!
            func fill(_ firstRow: Int, _ rows: Int, _ columns: UnsafeMutablePointer<UnsafeMutablePointer<Double>>) {
                // Tiles of rows so the written part of the matrix stays in cache across columns.
                let tile = 256
                var t0 = 0
                while t0 < rows {
                    let t1 = min(rows, t0 + tile)
                    for (c, f) in numericTargets {
                        let src = columns[c]
                        if let destination {
                            for r in t0..<t1 { let i = destination[firstRow + r]; if i >= 0 { out[i * d + f] = Float(src[r]) } }
                        } else {
                            var o = out + (firstRow + t0) * d + f
                            for r in t0..<t1 { o.pointee = Float(src[r]); o += d }
                        }
                    }
                    t0 = t1
                }
            }
            var starts: [Int] = []
            numbers.forEachBlock { first, _, _ in starts.append(first) }
            let blocks = numbers.blocks
            if blocks.count == 2 && !numericTargets.isEmpty {
                runConcurrently({ fill(starts[0], blocks[0].rows, blocks[0].pointers) },
                                { fill(starts[1], blocks[1].rows, blocks[1].pointers) })
            } else {
                for (b, first) in zip(blocks, starts) { fill(first, b.rows, b.pointers) }
            }
        }

        // Attributes: numeric ones (age) binned.
        var attributes: [Attribute] = []
        for a in roles.attributes {
            let c = header.firstIndex(of: a)!
            if texts[c] == nil && numbers.numericCount(c) > 0 {
                let column = numbers.column(c)
                attributes.append(binned(name: a, values: keep.map { column[$0] }, bins: roles.ageBins))
            } else {
                let (levels, codes) = encodeLevels(textValues(c, keep), numericOrder: false)
                attributes.append(Attribute(name: a, levels: levels, codes: codes))
            }
        }
        var domainNames = [name], domains = [Int](repeating: 0, count: n)
        if let dcol = roles.domain {
            let values = textValues(header.firstIndex(of: dcol)!, keep).map { $0.isEmpty ? "unknown" : $0 }
            (domainNames, domains) = encodeLevels(values, numericOrder: false)
        }
        let ids: [String] = roles.id.map { textValues(header.firstIndex(of: $0)!, keep) } ?? lineIDs(numbers, keep)
        let groupIDs: [String]? = roles.groupID.map { textValues(header.firstIndex(of: $0)!, keep) }
        var dataset = Dataset(name: name, rawFeatures: raw, featureNames: names, numeric: numericMask, labels: labels,
                              classNames: classNames, attributes: attributes, domains: domains, domainNames: domainNames,
                              ids: ids, groupIDs: groupIDs)
        dataset.notes = notes
        return dataset
    }

    /// Default ids: the line each kept row starts on, minus one (the header's
    /// line is 0 when it is the first), as text. Written straight into the
    /// array (small strings need no allocation), on two threads for large files.
    static func lineIDs(_ numbers: NumberColumns, _ keep: [Int]) -> [String] {
        let n = keep.count
        return [String](unsafeUninitializedCapacity: n) { buffer, initialized in
            let out = buffer.baseAddress!
            let (starts, bases) = numbers.lineSegments()
            keep.withUnsafeBufferPointer { keep in
                func write(_ range: Range<Int>) {
                    guard !range.isEmpty else { return }
                    // Rows are kept in order, so the segment only moves forward.
                    var s = 0
                    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
                    withUnsafeMutableBytes(of: &digits) { scratch in
                        let b = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        for i in range {
                            let r = keep[i]
                            while s + 1 < starts.count && starts[s + 1] <= r { s += 1 }
                            var v = r + bases[s] - 1
                            var k = 24
                            repeat { k -= 1; b[k] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10 } while v > 0
                            (out + i).initialize(to: String(decoding: UnsafeBufferPointer(start: b + k, count: 24 - k), as: UTF8.self))
                        }
                    }
                }
                if n >= 1 << 16 {
                    runConcurrently({ write(0..<n / 2) }, { write(n / 2..<n) })
                } else {
                    write(0..<n)
                }
            }
            initialized = n
        }
    }

    /// Distinct numbers sorted, as level names (integral ones without decimals), and each value's index.
    static func encodeNumericLevels(_ values: [Double]) -> ([String], [Int]) {
        var distinct: [Double] = []
        var tooMany = false
        // Codes in order of first appearance; -0 and 0 are one level (compared with ==).
        var codes = [Int](unsafeUninitializedCapacity: values.count) { codes, initialized in
            values.withUnsafeBufferPointer { values in
                var lastValue = Double.nan, lastCode = -1
                for i in 0..<values.count {
                    let v = values[i]
                    if v == lastValue { codes[i] = lastCode; continue }
                    var k = 0
                    while k < distinct.count && distinct[k] != v { k += 1 }
                    if k == distinct.count {
                        distinct.append(v)
                        if distinct.count > 1000 { tooMany = true; break }
                    }
                    codes[i] = k
                    lastValue = v; lastCode = k
                }
            }
            initialized = tooMany ? 0 : values.count
        }
        if tooMany { return encodeLevels(values.map { String($0) }, numericOrder: true) }
        let order = distinct.indices.sorted { distinct[$0] < distinct[$1] }
        var rank = [Int](repeating: 0, count: distinct.count)
        for (r, k) in order.enumerated() { rank[k] = r }
        let names = order.map { k -> String in
            let v = distinct[k]
            return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
        }
        codes.withUnsafeMutableBufferPointer { codes in
            for i in 0..<codes.count { codes[i] = rank[codes[i]] }
        }
        return (names, codes)
    }

    private static func validateHeader(_ header: [String], file: String, roles: CSVRoles) throws {
        var seen = Set<String>()
        for h in header where !seen.insert(h).inserted {
            throw DataError.malformed(file: file, line: 1, column: nil, reason: "column name '\(h)' appears twice in the header")
        }
        func check(_ column: String?, _ role: String) throws {
            guard let column else { return }
            guard header.contains(column) else {
                throw DataError.unknownColumn(file: file, role: role, name: column, available: header)
            }
        }
        try check(roles.label, "label")
        for a in roles.attributes { try check(a, "attribute") }
        try check(roles.domain, "domain")
        try check(roles.id, "id")
        try check(roles.groupID, "group_id")
        for f in roles.features ?? [] { try check(f, "feature") }
        for f in roles.drop { try check(f, "drop") }
    }

    private static func selectFeatures(_ header: [String], roles: CSVRoles, file: String) throws -> [Int] {
        let roleColumns = Set([roles.label] + roles.attributes + [roles.domain, roles.id, roles.groupID].compactMap { $0} + roles.drop)
        if let chosen = roles.features {
            // An empty list means no features (image manifests supply their own).
            for f in chosen where roleColumns.contains(f) {
                throw DataError.badFile(file: file, reason: "column '\(f)' cannot be both a feature and the label, an attribute, the domain, an id or dropped")
            }
            return chosen.map { header.firstIndex(of: $0)! }
        }
        let selected = header.indices.filter { !roleColumns.contains(header[$0]) }
        guard !selected.isEmpty else { throw DataError.badFile(file: file, reason: "no feature columns left after the roles and drop=") }
        return selected
    }

    /// Distinct non-empty values, sorted (numerically when all are numbers), and each row's index (-1 if empty).
    static func encodeLevels(_ texts: [String], numericOrder: Bool) -> ([String], [Int]) {
        var levels = Array(Set(texts.filter { !$0.isEmpty }))
        if numericOrder, levels.allSatisfy({ Double($0) != nil }) {
            levels.sort { Double($0)! < Double($1)! }
            // "1.0" and "1" print alike: show integral labels without decimals.
            levels = levels.map { l in Double(l).map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : l } ?? l }
            var index: [Double: Int] = [:]
            for (i, l) in levels.enumerated() { index[Double(l)!] = i }
            return (levels, texts.map { $0.isEmpty ? -1 : index[Double($0)!]! })
        }
        levels.sort(by: naturalOrder)
        var index: [String: Int] = [:]
        for (i, l) in levels.enumerated() { index[l] = i }
        return (levels, texts.map { $0.isEmpty ? -1 : index[$0]! })
    }

    /// "2-11" before "12-17": compares leading numbers numerically, then the text.
    public static func naturalOrder(_ a: String, _ b: String) -> Bool {
        func lead(_ s: String) -> Double? { Double(String(s.prefix { $0.isNumber || $0 == "." })) }
        if let x = lead(a), let y = lead(b), x != y { return x < y }
        return a < b
    }

    /// Bins a numeric attribute: with bounds [25, 50, 75], ≤25 → A1, 26-50 → A2, 51-75 → A3, >75 → A4.
    public static func binned(name: String, values: [Double], bins: [Double]) -> Attribute {
        var levels: [String] = []
        for (i, b) in bins.enumerated() {
            let lower = i == 0 ? "" : (bins[i - 1] == bins[i - 1].rounded() ? String(Int(bins[i - 1]) + 1) : formatBound(bins[i - 1]))
            levels.append(i == 0 ? "≤\(formatBound(b))" : "\(lower)-\(formatBound(b))")
        }
        levels.append(">\(formatBound(bins.last ?? 0))")
        let codes = values.map { ageBin($0, bins: bins) }
        let short = (1...levels.count).map { "A\($0)" }
        return Attribute(name: name, levels: levels, shortNames: short, codes: codes)
    }

    /// The bin of one value: the first bound it does not exceed (A1 is ≤ bins[0]); −1 for NaN.
    public static func ageBin(_ v: Double, bins: [Double] = [25, 50, 75]) -> Int {
        if v.isNaN { return -1 }
        return bins.firstIndex(where: { v <= $0 }) ?? bins.count
    }

    static func formatBound(_ b: Double) -> String { b == b.rounded() ? String(Int(b)) : String(b) }
}
