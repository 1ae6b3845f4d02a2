/// Aligned plain-text tables, the way summaries print in the REPL.
public struct TextTable: CustomStringConvertible {
    public var header: [String]
    public var rows: [[String]]
    /// Columns aligned right (numbers); others left.
    public var rightAligned: Set<Int>

    public init(header: [String], rows: [[String]], rightAligned: Set<Int>? = nil) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned ?? Set(header.indices.filter { c in
            rows.allSatisfy { c >= $0.count || Double($0[c].filter { $0 != "%" && $0 != "," }) != nil || $0[c] == "-" }
        })
    }

    public var description: String {
        let columns = header.count
        var widths = header.map(\.count)
        for row in rows { for (c, cell) in row.enumerated() where c < columns { widths[c] = max(widths[c], cell.count) } }
        func line(_ cells: [String]) -> String {
            (0..<columns).map { c in
                let cell = c < cells.count ? cells[c] : ""
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// As CSV (RFC 4180 quoting).
    public var csv: String {
        ([header] + rows).map { $0.map(csvQuote).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}

func csvQuote(_ s: String) -> String {
    if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
        return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }
    return s
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

/// Fixed decimals, for tables.
public func formatFixed(_ v: Double, _ decimals: Int) -> String {
    if v.isNaN { return "-" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let r = (abs(v) * scale).rounded()
    let whole = Int(r / scale)
    var frac = String(Int(r.truncatingRemainder(dividingBy: scale)))
    while frac.count < decimals { frac = "0" + frac }
    let sign = v < 0 && r != 0 ? "-" : ""
    return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(frac)"
}
