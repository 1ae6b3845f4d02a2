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
        let bytes = try FileIO.read(path)
        return try load(bytes: bytes, file: path, roles: roles, name: name ?? baseName(path))
    }

    static func baseName(_ path: String) -> String {
        var s = Substring(path)
        if let slash = s.lastIndex(of: "/") { s = s[s.index(after: slash)...] }
        if let dot = s.lastIndex(of: ".") { s = s[..<dot] }
        return String(s)
    }

    /// Per-column parse state.
    private struct Column {
        var name: String
        var numbers: [Double] = []
        var texts: [String]?
        var numericCount = 0, missingCount = 0, otherCount = 0
        var firstOther: (line: Int, column: Int, text: String)?
    }

    public static func load(bytes: [UInt8], file: String, roles: CSVRoles, name: String) throws -> Dataset {
        let reader = try CSVReader(bytes: bytes, file: file, delimiter: roles.delimiter)
        var header: [String] = []
        var columns: [Column] = []
        var textColumns = Set<Int>()
        var lines: [Int] = []
        try reader.forEachRecord { line, fields in
            if header.isEmpty {
                header = fields.map { reader.text($0) }
                try validateHeader(header, file: file, roles: roles)
                let roleNames = Set([roles.label] + roles.attributes + [roles.domain, roles.id, roles.groupID].compactMap { $0 })
                columns = header.map { Column(name: $0, texts: roleNames.contains($0) ? [] : nil) }
                textColumns = Set(header.indices.filter { roleNames.contains(header[$0]) })
                return
            }
            guard fields.count == header.count else {
                throw DataError.malformed(file: file, line: line, column: nil,
                                          reason: "this row has \(fields.count) fields but the header has \(header.count)")
            }
            lines.append(line)
            for (c, f) in fields.enumerated() {
                if textColumns.contains(c) { columns[c].texts!.append(reader.isMissing(f) ? "" : reader.text(f)) }
                if let v = reader.number(f) {
                    columns[c].numbers.append(v)
                    columns[c].numericCount += 1
                } else {
                    columns[c].numbers.append(.nan)
                    if reader.isMissing(f) {
                        columns[c].missingCount += 1
                    } else {
                        columns[c].otherCount += 1
                        if columns[c].firstOther == nil { columns[c].firstOther = (line, f.column, reader.text(f)) }
                    }
                }
            }
        }
        guard !lines.isEmpty else {
            throw DataError.malformed(file: file, line: 2, column: nil, reason: "the file has a header but no rows")
        }

        // Categorical feature columns need their texts: read them in a second pass.
        let featureColumns = try selectFeatures(header, roles: roles, file: file)
        var categorical = Set<Int>()
        for c in featureColumns {
            let col = columns[c]
            guard col.otherCount > 0 else { continue }
            let parsed = col.numericCount, total = col.numericCount + col.otherCount
            if Double(parsed) >= 0.95 * Double(total), let bad = col.firstOther {
                throw DataError.malformed(file: file, line: bad.line, column: bad.column,
                    reason: "column '\(col.name)' holds numbers but this value is '\(bad.text.prefix(40))' (expected a number or a missing value: empty, NA, NaN)")
            }
            categorical.insert(c)
        }
        if !categorical.isEmpty {
            for c in categorical { columns[c].texts = [] }
            var first = true
            try reader.forEachRecord { _, fields in
                if first { first = false; return }
                for c in categorical { columns[c].texts!.append(reader.isMissing(fields[c]) ? "" : reader.text(fields[c])) }
            }
        }

        // Labels: rows without one are dropped.
        let labelIndex = header.firstIndex(of: roles.label)!
        let labelTexts = columns[labelIndex].texts!
        let keep = labelTexts.indices.filter { !labelTexts[$0].isEmpty }
        var notes: [String] = []
        if keep.count < labelTexts.count {
            notes.append("\(labelTexts.count - keep.count) rows without a label were dropped")
        }
        guard !keep.isEmpty else { throw DataError.invalidArgument("\(file): no row has a label in column '\(roles.label)'") }
        let (classNames, labels) = encodeLevels(keep.map { labelTexts[$0] }, numericOrder: columns[labelIndex].otherCount == 0)

        // Features: numeric columns as they are, categorical ones one-hot.
        var names: [String] = [], numericMask: [Bool] = [], blocks: [[Float]] = []
        for c in featureColumns {
            if categorical.contains(c) {
                let texts = keep.map { columns[c].texts![$0] }
                let levels = Array(Set(texts.filter { !$0.isEmpty })).sorted()
                for level in levels {
                    names.append("\(header[c])=\(level)")
                    numericMask.append(false)
                    blocks.append(texts.map { $0 == level ? 1 : 0 })
                }
                notes.append("'\(header[c])' one-hot encoded into \(levels.count) columns")
            } else {
                names.append(header[c])
                numericMask.append(true)
                blocks.append(keep.map { Float(columns[c].numbers[$0]) })
            }
        }
        let n = keep.count, d = names.count
        var flat = [Float](repeating: 0, count: n * d)
        for (j, block) in blocks.enumerated() { for i in 0..<n { flat[i * d + j] = block[i] } }
        let raw = try Tensor(shape: [n, d], scalars: flat)

        // Attributes: numeric ones (age) binned.
        var attributes: [Attribute] = []
        for a in roles.attributes {
            let c = header.firstIndex(of: a)!
            let texts = keep.map { columns[c].texts![$0] }
            if columns[c].otherCount == 0 && columns[c].numericCount > 0 {
                attributes.append(binned(name: a, values: keep.map { columns[c].numbers[$0] }, bins: roles.ageBins))
            } else {
                let (levels, codes) = encodeLevels(texts, numericOrder: false)
                attributes.append(Attribute(name: a, levels: levels, codes: codes))
            }
        }

        var domainNames = [name], domains = [Int](repeating: 0, count: n)
        if let dcol = roles.domain {
            let c = header.firstIndex(of: dcol)!
            let texts = keep.map { columns[c].texts![$0].isEmpty ? "unknown" : columns[c].texts![$0] }
            (domainNames, domains) = encodeLevels(texts, numericOrder: false)
        }
        let ids: [String] = roles.id.map { col in
            let c = header.firstIndex(of: col)!
            return keep.map { columns[c].texts![$0] }
        } ?? keep.map { String(lines[$0] - 1) }
        let groupIDs: [String]? = roles.groupID.map { col in
            let c = header.firstIndex(of: col)!
            return keep.map { columns[c].texts![$0] }
        }
        var dataset = Dataset(name: name, rawFeatures: raw, featureNames: names, numeric: numericMask, labels: labels,
                              classNames: classNames, attributes: attributes, domains: domains, domainNames: domainNames,
                              ids: ids, groupIDs: groupIDs)
        dataset.notes = notes
        return dataset
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
