#if canImport(Glibc)
import Glibc
#endif

/// Python's format-specification mini-language, for f-strings
/// (`f"{x:.3f}"`) and `format(x, spec)`:
///
///     [[fill]align][sign][z][#][0][width][grouping][.precision][type]
///
/// Every number is a float in this language, so a whole number below 2^53
/// formats as Python formats an `int` (`f"{n:,}"` → `1,234`, `{n:x}` works)
/// unless the spec gives a precision without a type, which only a float
/// accepts; any other number formats as a Python `float`. The results match
/// Python's `format()` (Tests/LangTests/Fixtures/format.tsv, written by
/// scripts/format_fixture.py).
public struct FormatSpec: Equatable, Sendable {
    public var fill: Character = " "
    public var align: Character?
    public var sign: Character = "-"
    public var coerceNegativeZero = false
    public var alternate = false
    public var width = 0
    public var grouping: Character?
    public var precision: Int?
    public var type: Character?
    /// Whether the fill was given (explicitly or by the `0` flag).
    var fillGiven = false
    var zeroFlag = false

    public init() {}

    /// Parses a spec; the error names what is wrong.
    public init(_ text: String) throws {
        let c = Array(text)
        var i = 0
        func isAlign(_ ch: Character) -> Bool { "<>=^".contains(ch) }
        if c.count >= 2, isAlign(c[1]) {
            fill = c[0]; align = c[1]; fillGiven = true; i = 2
        } else if let first = c.first, isAlign(first) {
            align = first; i = 1
        }
        if i < c.count, "+- ".contains(c[i]) { sign = c[i]; i += 1 }
        if i < c.count, c[i] == "z" { coerceNegativeZero = true; i += 1 }
        if i < c.count, c[i] == "#" { alternate = true; i += 1 }
        if i < c.count, c[i] == "0" {
            zeroFlag = true
            i += 1
        }
        var digits = ""
        while i < c.count, c[i].isASCII, c[i].isNumber { digits.append(c[i]); i += 1 }
        if !digits.isEmpty {
            guard let w = Int(digits), w <= 10_000 else { throw RuntimeError("format spec '\(text)': width \(digits) is too large") }
            width = w
        }
        if i < c.count, c[i] == "," || c[i] == "_" { grouping = c[i]; i += 1 }
        if i < c.count, c[i] == "." {
            i += 1
            var p = ""
            while i < c.count, c[i].isASCII, c[i].isNumber { p.append(c[i]); i += 1 }
            guard !p.isEmpty else { throw RuntimeError("format spec '\(text)': '.' must be followed by the precision (digits)") }
            guard let n = Int(p), n <= 1000 else { throw RuntimeError("format spec '\(text)': precision \(p) is too large") }
            precision = n
        }
        if i < c.count {
            guard "bcdeEfFgGnosxX%".contains(c[i]) else {
                throw RuntimeError("format spec '\(text)': unknown format code '\(c[i])'",
                                   notes: ["note: the codes are d (whole number), f (fixed), e (exponent), g (general), % (percent), s (text), x/o/b (hex/octal/binary)"])
            }
            type = c[i]; i += 1
        }
        guard i == c.count else {
            throw RuntimeError("format spec '\(text)' is not valid",
                               notes: ["note: the form is [[fill]align][sign][#][0][width][,][.precision][type], e.g. '>10.3f' or ',.2%'"])
        }
        // A leading 0 on the width pads numbers with zeros after the sign (as
        // align '=' does), unless a fill was given.
        if zeroFlag && !fillGiven { fill = "0"; fillGiven = true }
    }
}

extension Value {
    /// The value formatted by `spec`, as Python's `format(value, spec)`.
    /// An empty spec gives what `print` shows for anything but numbers,
    /// which get Python's `str` (every digit of a float).
    public func formatted(_ specText: String) throws -> String {
        let spec = try FormatSpec(specText)
        switch self {
        case .number(let v): return try NumberFormatter.format(v, spec, specText)
        case .bool(let b) where spec.type != nil && spec.type != "s":
            return try NumberFormatter.format(b ? 1 : 0, spec, specText)
        default:
            if let t = spec.type, t != "s" {
                throw RuntimeError("format code '\(t)' needs a number, got \(typeName)\(typeName == "none" ? " (a missing value)" : "")")
            }
            if spec.sign != "-" { throw RuntimeError("format spec '\(specText)': a sign is for numbers, not \(typeName)") }
            if spec.align == "=" { throw RuntimeError("format spec '\(specText)': '=' alignment is for numbers, not \(typeName)") }
            if spec.grouping != nil { throw RuntimeError("format spec '\(specText)': '\(spec.grouping!)' grouping is for numbers, not \(typeName)") }
            if spec.alternate { throw RuntimeError("format spec '\(specText)': '#' is for numbers, not \(typeName)") }
            var text = display
            if let p = spec.precision { text = String(text.prefix(p)) }
            return NumberFormatter.pad("", text, spec, defaultAlign: "<")
        }
    }
}

enum NumberFormatter {
    /// Pads `prefix + body` to the spec's width; align '=' puts the padding
    /// between the two (after the sign).
    static func pad(_ prefix: String, _ body: String, _ spec: FormatSpec, defaultAlign: Character) -> String {
        let length = prefix.count + body.count
        guard spec.width > length else { return prefix + body }
        let n = spec.width - length
        let fill = String(spec.fill)
        switch spec.align ?? (spec.zeroFlag && defaultAlign == ">" ? "=" : defaultAlign) {
        case "<": return prefix + body + String(repeating: fill, count: n)
        case "^": return String(repeating: fill, count: n / 2) + prefix + body + String(repeating: fill, count: n - n / 2)
        case "=": return prefix + String(repeating: fill, count: n) + body
        default: return String(repeating: fill, count: n) + prefix + body
        }
    }

    static func format(_ x: Double, _ spec: FormatSpec, _ text: String) throws -> String {
        let integral = x == x.rounded() && Swift.abs(x) < 9007199254740992
        // A whole number is an int (so no negative zero), unless a precision
        // without a type asks for a float.
        let v = integral && !(spec.type == nil && spec.precision != nil) ? x + 0 : x
        switch spec.type {
        case "s":
            throw RuntimeError("format code 's' is for text, got a number", notes: ["note: use a number code such as 'g' or 'f', or str(x)"])
        case "d", "b", "o", "x", "X", "c":
            guard integral else {
                throw RuntimeError("format code '\(spec.type!)' needs a whole number, got \(formatNumber(v))",
                                   notes: ["note: round it first, or use 'f' for decimals: '.0f'"])
            }
            return try formatInteger(Int64(v), spec, text)
        case "n" where integral, nil where integral && spec.precision == nil:
            return try formatInteger(Int64(v), spec, text)
        default:
            return try formatFloat(v, spec, text)
        }
    }

    private static func formatInteger(_ n: Int64, _ spec: FormatSpec, _ text: String) throws -> String {
        let type = spec.type ?? "d"
        if spec.precision != nil {
            throw RuntimeError("format spec '\(text)': a whole number takes no precision with '\(type)'")
        }
        if spec.coerceNegativeZero { throw RuntimeError("format spec '\(text)': 'z' is for decimals, not '\(type)'") }
        if type == "c" {
            guard spec.sign == "-", spec.grouping == nil, !spec.alternate else {
                throw RuntimeError("format spec '\(text)': 'c' takes no sign, '#' or grouping")
            }
            guard n >= 0, n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)) else {
                throw RuntimeError("format code 'c': \(n) is not a character code")
            }
            return pad("", String(Character(scalar)), spec, defaultAlign: ">")
        }
        if type == "n" && spec.grouping != nil { throw RuntimeError("format spec '\(text)': 'n' takes no '\(spec.grouping!)' grouping") }
        if spec.grouping == "," && "boxX".contains(type) {
            throw RuntimeError("format spec '\(text)': ',' grouping is for decimal numbers; use '_' with '\(type)'")
        }
        let radix: Int, prefix: String
        switch type {
        case "b": radix = 2; prefix = "0b"
        case "o": radix = 8; prefix = "0o"
        case "x": radix = 16; prefix = "0x"
        case "X": radix = 16; prefix = "0X"
        default: radix = 10; prefix = ""
        }
        var digits = String(n.magnitude, radix: radix)
        if type == "X" { digits = digits.uppercased() }
        let signText = n < 0 ? "-" : spec.sign == "-" ? "" : String(spec.sign)
        let lead = signText + (spec.alternate ? prefix : "")
        return finish(lead: lead, integer: digits, rest: "", spec, groupSize: radix == 10 ? 3 : 4)
    }

    /// Sign and prefix, the integer digits (grouped, and zero-padded when the
    /// fill is 0 with '=' as Python does), the rest (fraction, exponent, %).
    private static func finish(lead: String, integer: String, rest: String, _ spec: FormatSpec, groupSize: Int) -> String {
        let align = spec.align ?? (spec.zeroFlag ? "=" : ">")
        var digits = integer
        if let separator = spec.grouping {
            let minimum = spec.fill == "0" && align == "=" ? spec.width - lead.count - rest.count : 0
            digits = group(integer, separator: separator, size: groupSize, minimumWidth: minimum)
        }
        return pad(lead, digits + rest, spec, defaultAlign: ">")
    }

    /// CPython's _PyUnicode_InsertThousandsGrouping: groups of `size` from
    /// the right, padded with zeros (never a leading separator) up to
    /// `minimumWidth`.
    static func group(_ digits: String, separator: Character, size: Int, minimumWidth: Int) -> String {
        var remaining = Array(digits)
        var width = minimumWidth
        var groups: [String] = []
        while true {
            let l = min(size, max(remaining.count, width, 1))
            let chars = min(remaining.count, l)
            let zeros = max(0, l - remaining.count)
            groups.append(String(repeating: "0", count: zeros) + String(remaining.suffix(chars)))
            remaining.removeLast(chars)
            width -= l
            if remaining.isEmpty && width <= 0 { break }
            width -= 1
        }
        return groups.reversed().joined(separator: String(separator))
    }

    private static func formatFloat(_ v: Double, _ spec: FormatSpec, _ text: String) throws -> String {
        var type = spec.type
        if type == "n" {
            if spec.grouping != nil { throw RuntimeError("format spec '\(text)': 'n' takes no '\(spec.grouping!)' grouping") }
            type = "g"
        }
        let negative = v.sign == .minus && !v.isNaN
        var magnitude = Swift.abs(v)
        if type == "%" { magnitude *= 100 }
        var body: String
        var upper = false
        if !magnitude.isFinite {
            body = magnitude.isNaN ? "nan" : "inf"
            upper = type == "F" || type == "E" || type == "G"
            if upper { body = body.uppercased() }
            if type == "%" { body += "%" }
            let signText = negative ? "-" : spec.sign == "-" ? "" : String(spec.sign)
            return pad(signText, body, spec, defaultAlign: ">")
        }
        switch type {
        case "f", "F", "%":
            body = printf(spec.alternate ? "%#.*f" : "%.*f", spec.precision ?? 6, magnitude)
            if type == "%" { body += "%" }
        case "e", "E":
            body = printf(spec.alternate ? "%#.*e" : "%.*e", spec.precision ?? 6, magnitude)
            if type == "E" { body = body.uppercased() }
        case "g", "G":
            body = general(magnitude, precision: spec.precision ?? 6, alternate: spec.alternate, addDotZero: false)
            if type == "G" { body = body.uppercased() }
        default:  // no type: repr, or 'g' keeping a ".0" with a precision
            if let p = spec.precision {
                body = general(magnitude, precision: p, alternate: spec.alternate, addDotZero: true)
            } else {
                body = shortest(magnitude)
            }
        }
        var isNegative = negative
        if isNegative && spec.coerceNegativeZero && !body.contains(where: { ("1"..."9").contains($0) }) { isNegative = false }
        let signText = isNegative ? "-" : spec.sign == "-" ? "" : String(spec.sign)
        // The integer digits are everything before the first '.', 'e', 'E' or '%'.
        let cut = body.firstIndex(where: { $0 == "." || $0 == "e" || $0 == "E" || $0 == "%" }) ?? body.endIndex
        return finish(lead: signText, integer: String(body[..<cut]), rest: String(body[cut...]), spec, groupSize: 3)
    }

    /// C's (and Python's) %g: `precision` significant digits, exponent form
    /// when the exponent is below -4 or at least the precision (at least
    /// precision - 1 for Python's no-type form, which also keeps a ".0").
    static func general(_ x: Double, precision: Int, alternate: Bool, addDotZero: Bool) -> String {
        let p = max(precision, 1)
        let scientific = printf("%.*e", p - 1, x)
        let exponent = Int(scientific[scientific.index(after: scientific.firstIndex(of: "e")!)...])!
        let threshold = addDotZero ? p - 1 : p
        var out: String
        if exponent < -4 || exponent >= threshold {
            var mantissa = String(scientific[..<scientific.firstIndex(of: "e")!])
            if !alternate { mantissa = stripZeros(mantissa) } else if !mantissa.contains(".") { mantissa += "." }
            out = mantissa + exponentText(exponent)
        } else {
            out = printf("%.*f", p - 1 - exponent, x)
            if !alternate { out = stripZeros(out) } else if !out.contains(".") { out += "." }
            if addDotZero && !out.contains(".") { out += ".0" }
        }
        return out
    }

    /// Python's repr of a non-negative float: the shortest digits that read
    /// back as the same value, in exponent form below 1e-4 or from 1e16.
    static func shortest(_ x: Double) -> String {
        // Swift's description has the shortest digits; only the layout differs.
        let text = x.description
        var mantissa = text, exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exponent = Int(String(text[text.index(after: e)...]).replacingOccurrences("+", ""))!
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = whole + fraction
        var point = whole.count + exponent  // digits before the decimal point
        let leading = digits.prefix(while: { $0 == "0" }).count
        if leading == digits.count { return "0.0" }
        digits.removeFirst(leading)
        point -= leading
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        if point < -3 || point > 16 {
            var m = String(digits.first!)
            if digits.count > 1 { m += "." + digits.dropFirst() }
            return m + exponentText(point - 1)
        }
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return digits + String(repeating: "0", count: point - digits.count) + ".0" }
        let i = digits.index(digits.startIndex, offsetBy: point)
        return digits[..<i] + "." + digits[i...]
    }

    private static func exponentText(_ e: Int) -> String {
        let magnitude = String(Swift.abs(e))
        return "e" + (e < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" + magnitude : magnitude)
    }

    private static func stripZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// One double through C's printf (correctly rounded, as Python's own formatting).
    private static func printf(_ format: String, _ precision: Int, _ x: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        while true {
            let count = withVaList([Int32(precision), x]) { vsnprintf(&buffer, buffer.count, format, $0) }
            if Int(count) < buffer.count { break }
            buffer = [CChar](repeating: 0, count: Int(count) + 1)
        }
        return String(cString: buffer)
    }
}
