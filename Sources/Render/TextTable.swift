import Glibc

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

/// Quotes a field when it holds a comma, quote or line break, another
/// delimiter the reader could detect (; tab |), or spaces at either end
/// (which an unquoted field loses). Works on bytes: a quote or newline may
/// be part of a larger character (a quote followed by a combining mark, CRLF).
public func csvQuote(_ s: String) -> String {
    let u = s.utf8
    let special = u.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 || $0 == 59 || $0 == 9 || $0 == 124 }
    guard special || u.first == 32 || u.last == 32 else { return s }
    var out: [UInt8] = [34]
    out.reserveCapacity(u.count + 2)
    for b in u {
        out.append(b)
        if b == 34 { out.append(34) }
    }
    out.append(34)
    return String(decoding: out, as: UTF8.self)
}

extension String {
    public var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Fixed decimals, for tables.
public func formatFixed(_ v: Double, _ decimals: Int) -> String {
    if v.isNaN { return "-" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    guard abs(v) * scale < 9e15 else { return "\(v)" }  // beyond exact integers: no fixed digits to give
    let r = (abs(v) * scale).rounded()
    let whole = Int(r / scale)
    var frac = String(Int(r.truncatingRemainder(dividingBy: scale)))
    while frac.count < decimals { frac = "0" + frac }
    let sign = v < 0 && r != 0 ? "-" : ""
    return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(frac)"
}

/// A number to `digits` significant digits, as C's `%g` (and Python's
/// `format(v, ".6g")`): fixed notation for moderate exponents, scientific
/// otherwise, trailing zeros dropped.
public func formatSignificant(_ v: Double, digits: Int) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    var buffer = [CChar](repeating: 0, count: 64)
    let count = withVaList([Int32(max(1, min(17, digits))), v]) { args in
        buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 64, "%.*g", args) }
    }
    return String(decoding: buffer.prefix(Int(max(0, min(63, count)))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
