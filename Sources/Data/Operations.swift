import Render
import Tensors

extension Dataset {
    public enum Stratification: String, Sendable { case none, label, group }

    /// Splits into (train, test). `test` is a fraction in (0, 1). Stratified
    /// by label or by training group when asked (each stratum split in the
    /// same proportion). All rows of one patient (`group_id`) go to the same
    /// side whenever the dataset has patient ids (`groupedByID` nil, the
    /// default): rows of one patient on both sides would let a model be
    /// scored on a patient it was trained on. `groupedByID: false` splits rows
    /// regardless; `true` insists on ids. Features of both parts are rescaled
    /// with statistics of the training rows only.
    public func split(test fraction: Double, seed: UInt64, stratify: Stratification = .none, groupedByID: Bool? = nil) throws -> (Dataset, Dataset) {
        let groupedByID = groupedByID ?? (groupIDs != nil)
        guard fraction > 0, fraction < 1 else { throw DataError.invalidArgument("test must be a fraction between 0 and 1, got \(fraction)") }
        guard count >= 2 else { throw DataError.invalidArgument("needs at least 2 rows, the dataset has \(count)") }
        var rng = SeededGenerator(seed: seed)
        // Units are rows, or patients when grouping.
        var unitOf = Array(0..<count)
        var unitCount = count
        if groupedByID {
            guard let groupIDs else { throw DataError.invalidArgument("by=\"group_id\" needs a dataset loaded with group_id=") }
            var index: [String: Int] = [:]
            unitOf = groupIDs.map { id in
                if let i = index[id] { return i }
                index[id] = index.count
                return index.count - 1
            }
            unitCount = index.count
            guard unitCount >= 2 else { throw DataError.invalidArgument("all rows belong to one patient id") }
        }
        var stratumOfUnit = [Int](repeating: 0, count: unitCount)
        switch stratify {
        case .none: break
        case .label: for r in 0..<count { stratumOfUnit[unitOf[r]] = labels[r] }
        case .group:
            let cells = groupCells()
            var index: [GroupKey: Int] = [:]
            for r in 0..<count {
                let key = cells[r]
                if index[key] == nil { index[key] = index.count }
                stratumOfUnit[unitOf[r]] = index[key]!
            }
        }
        var strata: [Int: [Int]] = [:]
        for u in 0..<unitCount { strata[stratumOfUnit[u], default: []].append(u) }
        var testUnits = [Bool](repeating: false, count: unitCount)
        for key in strata.keys.sorted() {
            var units = strata[key]!
            let order = rng.permutation(units.count)
            units = order.map { units[$0] }
            let k = Int((Double(units.count) * fraction).rounded())
            for u in units.prefix(k) { testUnits[u] = true }
        }
        var trainRows = (0..<count).filter { !testUnits[unitOf[$0]] }
        var testRows = (0..<count).filter { testUnits[unitOf[$0]] }
        if trainRows.isEmpty || testRows.isEmpty {
            // Tiny strata can round to an empty side: move one unit over.
            let all = Array(0..<unitCount)
            let u = all[rng.nextIndex(below: unitCount)]
            testUnits[u].toggle()
            trainRows = (0..<count).filter { !testUnits[unitOf[$0]] }
            testRows = (0..<count).filter { testUnits[unitOf[$0]] }
        }
        var train = try subset(trainRows, name: name + "/train")
        var test = try subset(testRows, name: name + "/test")
        let scaler = Scaler.fit(train.rawFeatures, numeric: self.scaler.numeric)
        train.rescale(with: scaler)
        test.rescale(with: scaler)
        return (train, test)
    }

    /// Hides `attribute` for a random `fraction` of rows (they become UNK),
    /// keeping the true values for later comparison with discovered clusters.
    public func masked(attribute: String?, fraction: Double, seed: UInt64) throws -> Dataset {
        guard fraction >= 0, fraction <= 1 else { throw DataError.invalidArgument("fraction must be in [0, 1], got \(fraction)") }
        let targets: [Int]
        if let attribute {
            guard let a = attributes.firstIndex(where: { $0.name == attribute }) else {
                throw DataError.invalidArgument("no attribute '\(attribute)'; the attributes are \(attributes.map(\.name).joined(separator: ", "))")
            }
            targets = [a]
        } else {
            targets = Array(attributes.indices)
        }
        var rng = SeededGenerator(seed: seed)
        let order = rng.permutation(count)
        let hidden = order.prefix(Int((Double(count) * fraction).rounded()))
        var d = self
        for a in targets {
            if d.attributes[a].trueCodes == nil { d.attributes[a].trueCodes = d.attributes[a].codes }
            for r in hidden { d.attributes[a].codes[r] = -1 }
        }
        return d
    }

    /// Rows whose domain is `domain` and/or whose group key is `group`.
    public func filtered(domain: String?, group: String?) throws -> Dataset {
        var domainIndex: Int?
        if let domain {
            guard let i = domainNames.firstIndex(of: domain) else {
                throw DataError.invalidArgument("no domain '\(domain)'; the domains are \(domainNames.joined(separator: ", "))")
            }
            domainIndex = i
        }
        let keys = groupKeys()
        if let group, !keys.contains(group) {
            throw DataError.invalidArgument("no group '\(group)'; the groups are \(Set(keys).sorted().joined(separator: ", "))")
        }
        let rows = (0..<count).filter { r in
            (domainIndex == nil || domains[r] == domainIndex!) && (group == nil || keys[r] == group!)
        }
        return try subset(rows)
    }

    /// The dataset as CSV: id, domain, attributes, label, then raw features.
    /// An attribute or feature whose name repeats an earlier column or one of
    /// the fixed ones (a feature named like an attribute, e.g. age) gets a
    /// suffix .1, .2, … so the file loads back.
    public func csvText() -> String {
        var seen: Set<String> = groupIDs != nil ? ["id", "group_id", "domain", "label"] : ["id", "domain", "label"]
        func unique(_ name: String) -> String {
            var unique = name, k = 0
            while !seen.insert(unique).inserted { k += 1; unique = "\(name).\(k)" }
            return unique
        }
        let attributeColumns = attributes.map { unique($0.name) }
        var header = ["id", "domain"] + attributeColumns + ["label"] + featureNames.map(unique)
        if groupIDs != nil { header.insert("group_id", at: 1) }
        var rows: [[String]] = []
        let d = featureCount
        rawFeatures.withUnsafeBufferPointer { x in
            for r in 0..<count {
                var row = [ids[r]]
                if let g = groupIDs { row.append(g[r]) }
                row.append(domainNames[domains[r]])
                for a in attributes { row.append(a.codes[r] < 0 ? "" : a.levels[a.codes[r]]) }
                row.append(classNames[labels[r]])
                for c in 0..<d { let v = x[r * d + c]; row.append(v.isNaN ? "" : "\(v)") }
                rows.append(row)
            }
        }
        return TextTable(header: header, rows: rows, rightAligned: []).csv
    }

    public func saveCSV(to path: String) throws {
        try FileIO.writeAtomically(Array(csvText().utf8), to: path)
    }
}
