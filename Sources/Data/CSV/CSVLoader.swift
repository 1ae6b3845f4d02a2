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

    /// What the first pass learns about each column over a range of rows.
    private struct Pass {
        var numbers: [[Double]]
        var numericCount: [Int], missingCount: [Int], otherCount: [Int]
        var firstOther: [(line: Int, column: Int, text: String)?]
        var lines: [Int] = []

        init(columns: Int) {
            numbers = [[Double]](repeating: [], count: columns)
            numericCount = [Int](repeating: 0, count: columns)
            missingCount = numericCount
            otherCount = numericCount
            firstOther = [(line: Int, column: Int, text: String)?](repeating: nil, count: columns)
        }

        mutating func append(_ other: Pass) {
            for c in numbers.indices {
                numbers[c] += other.numbers[c]
                numericCount[c] += other.numericCount[c]
                missingCount[c] += other.missingCount[c]
                otherCount[c] += other.otherCount[c]
                if firstOther[c] == nil { firstOther[c] = other.firstOther[c] }
            }
            lines += other.lines
        }
    }

    /// Parses numbers of every column over the records in [from, to).
    private static func firstPass(_ reader: CSVReader, from: Int, to: Int, firstLine: Int, columns: Int) throws -> Pass {
        var pass = Pass(columns: columns)
        let estimate = (to - from) / max(8 * columns, 1)
        for c in 0..<columns { pass.numbers[c].reserveCapacity(estimate) }
        try reader.forEachRecord(from: from, to: to, firstLine: firstLine) { line, fields in
            guard fields.count == columns else {
                throw DataError.malformed(file: reader.file, line: line, column: nil,
                                          reason: "this row has \(fields.count) fields but the header has \(columns)")
            }
            pass.lines.append(line)
            for c in 0..<columns {
                let f = fields[c]
                if let v = reader.number(f) {
                    pass.numbers[c].append(v)
                    pass.numericCount[c] += 1
                } else {
                    pass.numbers[c].append(.nan)
                    if reader.isMissing(f) {
                        pass.missingCount[c] += 1
                    } else {
                        pass.otherCount[c] += 1
                        if pass.firstOther[c] == nil { pass.firstOther[c] = (line, reader.characterColumn(at: f.start - (f.quoted ? 1 : 0)), reader.text(f)) }
                    }
                }
            }
        }
        return pass
    }

    /// Files without quotes above this size are parsed on two threads.
    static let parallelThreshold = 1 << 20

    public static func load(bytes: [UInt8], file: String, roles: CSVRoles, name: String) throws -> Dataset {
        try load(reader: try CSVReader(bytes: bytes, file: file, delimiter: roles.delimiter), roles: roles, name: name)
    }

    public static func load(reader: CSVReader, roles: CSVRoles, name: String) throws -> Dataset {
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

        // First pass: numbers of every column, on two threads when the file is
        // large and has no quotes (then every newline ends a record).
        var pass: Pass
        if reader.count - bodyStart > parallelThreshold && !reader.containsQuotes {
            let middle = reader.nextLineStart(after: bodyStart + (reader.count - bodyStart) / 2)
            let middleLine = bodyFirstLine + reader.countLines(from: bodyStart, to: middle)
            var first: Result<Pass, Error> = .success(Pass(columns: 0))
            var second: Result<Pass, Error> = .success(Pass(columns: 0))
            runConcurrently({
                first = Result { try firstPass(reader, from: bodyStart, to: middle, firstLine: bodyFirstLine, columns: columnCount) }
            }, {
                second = Result { try firstPass(reader, from: middle, to: reader.count, firstLine: middleLine, columns: columnCount) }
            })
            pass = try first.get()
            pass.append(try second.get())
        } else {
            pass = try firstPass(reader, from: bodyStart, to: reader.count, firstLine: bodyFirstLine, columns: columnCount)
        }
        guard !pass.lines.isEmpty else {
            throw DataError.malformed(file: file, line: bodyFirstLine, column: nil, reason: "the file has a header but no rows")
        }

        // Which columns hold text: categorical features, and role columns that are not numbers.
        let featureColumns = try selectFeatures(header, roles: roles, file: file)
        var categorical = Set<Int>()
        for c in featureColumns where pass.otherCount[c] > 0 {
            let parsed = pass.numericCount[c], total = parsed + pass.otherCount[c]
            if Double(parsed) >= 0.95 * Double(total), let bad = pass.firstOther[c] {
                throw DataError.malformed(file: file, line: bad.line, column: bad.column,
                    reason: "column '\(header[c])' holds numbers but this value is '\(bad.text.prefix(40))' (expected a number or a missing value: empty, NA, NaN)")
            }
            categorical.insert(c)
        }
        let roleColumns = ([roles.label] + roles.attributes + [roles.domain, roles.id, roles.groupID].compactMap { $0 })
            .map { header.firstIndex(of: $0)! }
        // Domain, id and patient id keep their text exactly as written ("007" stays "007").
        let verbatim = [roles.domain, roles.id, roles.groupID].compactMap { $0 }.map { header.firstIndex(of: $0)! }
        let textColumns = categorical.union(roleColumns.filter { pass.otherCount[$0] > 0 }).union(verbatim)
        var texts: [Int: [String]] = [:]
        if !textColumns.isEmpty {
            for c in textColumns { texts[c] = [] ; texts[c]!.reserveCapacity(pass.lines.count) }
            try reader.forEachRecord(from: bodyStart, to: reader.count, firstLine: bodyFirstLine) { _, fields in
                for c in textColumns { texts[c]!.append(reader.isMissing(fields[c]) ? "" : reader.text(fields[c])) }
            }
        }
        /// A role column's values as text (numbers formatted when the column is numeric).
        func textValues(_ c: Int, _ rows: [Int]) -> [String] {
            if let t = texts[c] { return rows.map { t[$0] } }
            return rows.map { r in
                let v = pass.numbers[c][r]
                return v.isNaN ? "" : (v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v))
            }
        }

        // Labels: rows without one are dropped.
        let labelIndex = header.firstIndex(of: roles.label)!
        let allRows = Array(0..<pass.lines.count)
        var keep: [Int]
        var notes: [String] = []
        let classNames: [String], labels: [Int]
        if texts[labelIndex] == nil {
            let values = pass.numbers[labelIndex]
            keep = allRows.filter { !values[$0].isNaN }
            (classNames, labels) = encodeNumericLevels(keep.map { values[$0] })
        } else {
            let labelTexts = texts[labelIndex]!
            keep = allRows.filter { !labelTexts[$0].isEmpty }
            (classNames, labels) = encodeLevels(keep.map { labelTexts[$0] }, numericOrder: false)
        }
        if keep.count < allRows.count { notes.append("\(allRows.count - keep.count) rows without a label were dropped") }
        guard !keep.isEmpty else { throw DataError.invalidArgument("\(file): no row has a label in column '\(roles.label)'") }
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
                if let levels = oneHotLevels[c] {
                    var index: [String: Int] = [:]
                    for (k, l) in levels.enumerated() { index[l] = k }
                    let t = texts[c]!
                    for (i, r) in keep.enumerated() { if let k = index[t[r]] { x[i * d + j + k] = 1 } }
                    j += levels.count
                } else {
                    let values = pass.numbers[c]
                    for (i, r) in keep.enumerated() { x[i * d + j] = Float(values[r]) }
                    j += 1
                }
            }
        }

        // Attributes: numeric ones (age) binned.
        var attributes: [Attribute] = []
        for a in roles.attributes {
            let c = header.firstIndex(of: a)!
            if texts[c] == nil && pass.numericCount[c] > 0 {
                attributes.append(binned(name: a, values: keep.map { pass.numbers[c][$0] }, bins: roles.ageBins))
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
        let ids: [String] = roles.id.map { textValues(header.firstIndex(of: $0)!, keep) } ?? keep.map { String(pass.lines[$0] - 1) }
        let groupIDs: [String]? = roles.groupID.map { textValues(header.firstIndex(of: $0)!, keep) }
        var dataset = Dataset(name: name, rawFeatures: raw, featureNames: names, numeric: numericMask, labels: labels,
                              classNames: classNames, attributes: attributes, domains: domains, domainNames: domainNames,
                              ids: ids, groupIDs: groupIDs)
        dataset.notes = notes
        return dataset
    }

    /// Distinct numbers sorted, as level names (integral ones without decimals), and each value's index.
    static func encodeNumericLevels(_ values: [Double]) -> ([String], [Int]) {
        var distinct: [Double] = []
        var codes = [Int](repeating: 0, count: values.count)
        var lastValue = Double.nan, lastCode = -1
        for (i, v) in values.enumerated() {
            if v == lastValue { codes[i] = lastCode; continue }
            if let k = distinct.firstIndex(of: v) { codes[i] = k } else {
                distinct.append(v)
                codes[i] = distinct.count - 1
                if distinct.count > 1000 { return encodeLevels(values.map { String($0) }, numericOrder: true) }
            }
            lastValue = v; lastCode = codes[i]
        }
        let order = distinct.indices.sorted { distinct[$0] < distinct[$1] }
        var rank = [Int](repeating: 0, count: distinct.count)
        for (r, k) in order.enumerated() { rank[k] = r }
        let names = order.map { k -> String in
            let v = distinct[k]
            return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
        }
        return (names, codes.map { rank[$0] })
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
                throw DataError.invalidArgument("\(file): column '\(f)' cannot be both a feature and the label, an attribute, the domain, an id or dropped")
            }
            return chosen.map { header.firstIndex(of: $0)! }
        }
        let selected = header.indices.filter { !roleColumns.contains(header[$0]) }
        guard !selected.isEmpty else { throw DataError.invalidArgument("\(file): no feature columns left after the roles and drop=") }
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
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
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
        let codes = values.map { v -> Int in
            if v.isNaN { return -1 }
            return bins.firstIndex(where: { v <= $0 }) ?? bins.count
        }
        let short = (1...levels.count).map { "A\($0)" }
        return Attribute(name: name, levels: levels, shortNames: short, codes: codes)
    }

    static func formatBound(_ b: Double) -> String { b == b.rounded() ? String(Int(b)) : String(b) }
}
