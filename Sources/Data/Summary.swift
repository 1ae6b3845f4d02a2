import Render
/// Text summaries: `describe(data)` and `head(data, n)`.
extension Dataset {
    /// One line: "heart: 303 prompts · 1 domain · 2 classes · attributes sex, age · 0% without demographics".
    public var headline: String {
        let attrs = attributes.isEmpty ? "no attributes" : "attributes " + attributes.map(\.name).joined(separator: ", ")
        let unk = Int((unknownFraction * 100).rounded())
        // Domains with rows: a filtered dataset keeps every domain's name (so
        // domain indices stay comparable) but only counts those it holds.
        let present = count == 0 ? domainNames.count : Set(domains).count
        return "\(name): \(count) prompts · \(present) domain\(present == 1 ? "" : "s") · \(classNames.count) classes · \(featureCount) features · \(attrs) · \(unk)% without demographics"
    }

    /// Sizes and label balance per domain, per training group and per attribute level.
    public func describe() -> String {
        var out = [headline, ""]
        // Up to six classes: the share of each. More: how many occur and the largest share.
        let perClass = classNames.count <= 6
        func balance(_ rows: [Int]) -> [String] {
            var counts = [Int](repeating: 0, count: classNames.count)
            for r in rows { counts[labels[r]] += 1 }
            if !perClass {
                guard let top = counts.indices.max(by: { counts[$0] < counts[$1] }), !rows.isEmpty else { return ["0", "-", "-"] }
                return [String(counts.filter { $0 > 0 }.count), classNames[top], formatFixed(Double(counts[top]) / Double(rows.count), 2)]
            }
            return counts.map { rows.isEmpty ? "-" : formatFixed(Double($0) / Double(rows.count), 2) }
        }
        let classHeader = perClass ? classNames.map { "p(\($0))" } : ["classes", "majority", "p(majority)"]
        var domainRows: [[String]] = []
        for (d, dn) in domainNames.enumerated() {
            let rows = (0..<count).filter { domains[$0] == d }
            if rows.isEmpty && count > 0 { continue }
            domainRows.append([dn, String(rows.count)] + balance(rows))
        }
        out.append(TextTable(header: ["domain", "n"] + classHeader, rows: domainRows).description)
        out.append("")
        let keys = groupKeys()
        var groupRows: [[String]] = []
        for (d, dn) in domainNames.enumerated() {
            var byGroup: [String: [Int]] = [:]
            for r in 0..<count where domains[r] == d { byGroup[keys[r], default: []].append(r) }
            let total = byGroup.values.reduce(0) { $0 + $1.count }
            for g in byGroup.keys.sorted() {
                let rows = byGroup[g]!
                groupRows.append([dn, g, String(rows.count), formatFixed(100 * Double(rows.count) / Double(max(total, 1)), 1) + "%"] + balance(rows))
            }
        }
        out.append(TextTable(header: ["domain", "group", "n", "share"] + classHeader, rows: groupRows).description)
        for a in attributes {
            out.append("")
            var rowsOut: [[String]] = []
            for (l, level) in a.levels.enumerated() {
                let rows = (0..<count).filter { a.codes[$0] == l }
                rowsOut.append([level + (a.shortNames[l] != level ? " (\(a.shortNames[l]))" : ""), String(rows.count)] + balance(rows))
            }
            let missing = (0..<count).filter { a.codes[$0] < 0 }
            if !missing.isEmpty { rowsOut.append(["missing", String(missing.count)] + balance(missing)) }
            out.append(TextTable(header: [a.name, "n"] + classHeader, rows: rowsOut).description)
        }
        out.append("")
        out.append("features: \(featureCount) (\(scaler.numeric.filter { $0 }.count) numeric, standardised with statistics of \(scaler.fittedRows) rows)")
        out += notes.map { "note: " + $0 }
        return out.joined(separator: "\n")
    }

    /// The first `n` rows: id, domain, group, attributes, label and the first few features.
    public func head(_ n: Int) -> String {
        let keys = groupKeys()
        let shownFeatures = min(featureCount, 4)
        let header = ["id", "domain", "group"] + attributes.map(\.name) + ["label"] + featureNames.prefix(shownFeatures)
            + (featureCount > shownFeatures ? ["…"] : [])
        var rows: [[String]] = []
        features.withUnsafeBufferPointer { x in
            for r in 0..<max(0, min(n, count)) {
                var row = [ids[r], domainNames[domains[r]], keys[r]]
                for a in attributes { row.append(a.codes[r] < 0 ? "?" : a.levels[a.codes[r]]) }
                row.append(classNames[labels[r]])
                for c in 0..<shownFeatures { row.append(formatFixed(Double(x[r * featureCount + c]), 3)) }
                if featureCount > shownFeatures { row.append("") }
                rows.append(row)
            }
        }
        return TextTable(header: header, rows: rows).description
    }
}
