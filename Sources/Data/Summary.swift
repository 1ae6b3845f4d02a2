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

    /// The headline broken into lines that fit `width`.
    public func headline(width: Int) -> String {
        wrapItems(headline.split(separator: " · ").map(String.init), width: width)
    }

    /// Sizes and label balance per domain, per training group and per attribute level.
    public func describe() -> String {
        let width = Terminal.width
        /// A summary table of formatted text, elided to the width like every table.
        func fitted(_ header: [String], _ rows: [[String]]) -> String {
            let table = DataTable(header.indices.map { c in
                var column = Column(header[c], texts: rows.map { c < $0.count ? $0[c] : "" })
                column.alignRight = rows.allSatisfy { c >= $0.count || Double($0[c].filter { $0 != "%" }) != nil || $0[c] == "-" }
                return column
            })
            return table.render(width: width, maxRows: 0, digits: Display.tableDigits)
        }
        var out = [headline(width: width), ""]
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
        out.append(fitted(["domain", "n"] + classHeader, domainRows))
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
        out.append(fitted(["domain", "group", "n", "share"] + classHeader, groupRows))
        for a in attributes {
            out.append("")
            var rowsOut: [[String]] = []
            for (l, level) in a.levels.enumerated() {
                let rows = (0..<count).filter { a.codes[$0] == l }
                rowsOut.append([level + (a.shortNames[l] != level ? " (\(a.shortNames[l]))" : ""), String(rows.count)] + balance(rows))
            }
            let missing = (0..<count).filter { a.codes[$0] < 0 }
            if !missing.isEmpty { rowsOut.append(["missing", String(missing.count)] + balance(missing)) }
            out.append(fitted([a.name, "n"] + classHeader, rowsOut))
        }
        out.append("")
        out.append(wrapWords("features: \(featureCount) (\(scaler.numeric.filter { $0 }.count) numeric, standardised with statistics of \(scaler.fittedRows) rows)", indent: "  ", width: width))
        out += notes.map { wrapWords("note: " + $0, indent: "  ", width: width) }
        return out.joined(separator: "\n")
    }

    /// The first `n` rows: id, domain, group, attributes, label and the
    /// features (standardised, as the policy sees them).
    public func head(_ n: Int) -> DataTable {
        let keys = groupKeys()
        let rows = Array(0..<max(0, min(n, count)))
        var columns = [Column("id", texts: rows.map { ids[$0] }), Column("domain", texts: rows.map { domainNames[domains[$0]] }),
                       Column("group", texts: rows.map { keys[$0] })]
        for a in attributes {
            columns.append(Column(a.name, format: .text, cells: rows.map { a.codes[$0] < 0 ? .missing : .text(a.levels[a.codes[$0]]) }))
        }
        columns.append(Column("label", texts: rows.map { classNames[labels[$0]] }))
        features.withUnsafeBufferPointer { x in
            for c in 0..<featureCount {
                columns.append(Column(featureNames[c], numbers: rows.map { Double(x[$0 * featureCount + c]) }))
            }
        }
        return DataTable(columns, kind: "rows", keys: ["id"])
    }
}
