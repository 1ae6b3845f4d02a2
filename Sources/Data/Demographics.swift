/// Training groups from recorded demographics, as the FairGRPO authors'
/// data loader forms them: the intersection of sex and a 25-year age bin
/// (`M,A3`); age only gives `A3`, sex only `M`; no demographics at all is
/// `UNK`; an age that is there but cannot be read keeps the sex (`M,UNK`),
/// which is then an ordinary group, not a missing one.
///
/// Sex short names come from `Attribute` (the same spellings `load_csv`
/// accepts) and age bins from `CSVLoader.ageBin` (≤25, 26-50, 51-75, >75),
/// so a group is spelled the same whichever way the data came in.
public enum Demographics {
    public static let unknown = "UNK"

    /// The group of a demo string such as `"sex: Male, age: 68"` (parts split on
    /// commas, keys `sex` or `gender` and `age`, case-insensitive; `father:` and
    /// `mother:` parts are ignored, as the authors' evaluation does).
    public static func groupKey(demo: String, ageBins: [Double] = [25, 50, 75]) -> String {
        let (sex, age) = parse(demo: demo, ageBins: ageBins)
        return join([sex, age])
    }

    /// The sex ("M", "F" or the word as written) and age bin ("A1"…"A4", or `UNK`
    /// when an age is given but is not a number) of a demo string; nil: not recorded.
    public static func parse(demo: String, ageBins: [Double] = [25, 50, 75]) -> (sex: String?, age: String?) {
        var sex: String?
        var age: String?
        for rawPart in demo.split(separator: ",") {
            let part = String(rawPart).trimmingCharacters(in: " \t")
            let lower = part.lowercased()
            if lower.hasPrefix("father") || lower.hasPrefix("mother") { continue }
            if let value = valueAfter("age:", in: part, lower: lower) {
                age = ageBinName(text: value, bins: ageBins)
            } else if let value = valueAfter("gender:", in: part, lower: lower) ?? valueAfter("sex:", in: part, lower: lower) {
                let word = String(value.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                if !word.isEmpty { sex = sexName(word) }
            }
        }
        return (sex, age)
    }

    /// The group of separately recorded attributes (nil or empty: not recorded).
    /// Numbers in an attribute named like age are binned; a missing value among
    /// recorded ones is `UNK` in its place; nothing recorded is `UNK`.
    public static func groupKey(attributes: [(name: String, value: String?)], ageBins: [Double] = [25, 50, 75]) -> String {
        var parts: [String?] = []
        var any = false
        for (name, value) in attributes {
            let v = value?.trimmingCharacters(in: " \t") ?? ""
            if v.isEmpty || v.lowercased() == "nan" || v.lowercased() == "none" || v.lowercased() == "unknown" {
                parts.append(unknown)
                continue
            }
            any = true
            let lower = name.lowercased()
            if lower == "age" || lower.hasSuffix("_age") || lower.hasPrefix("age_") {
                parts.append(ageBinName(text: v, bins: ageBins))
            } else if lower == "sex" || lower == "gender" {
                parts.append(sexName(v))
            } else {
                parts.append(v)
            }
        }
        return any ? join(parts) : unknown
    }

    /// "A1"…"A4" for a number, `UNK` for text that is not one.
    static func ageBinName(text: String, bins: [Double]) -> String {
        let digits = String(text.trimmingCharacters(in: " \t").prefix { $0.isNumber || $0 == "." })
        guard let v = Double(digits), v.isFinite else { return unknown }
        return "A\(CSVLoader.ageBin(v, bins: bins) + 1)"
    }

    static func sexName(_ word: String) -> String { Attribute.defaultShortNames([word])[0] }

    static func valueAfter(_ key: String, in part: String, lower: String) -> String? {
        // The key starts the part ("image: …" is not an age).
        guard lower.hasPrefix(key) else { return nil }
        return String(part.dropFirst(key.count)).trimmingCharacters(in: " \t")
    }

    static func join(_ parts: [String?]) -> String {
        let present = parts.compactMap { $0 }
        if present.isEmpty || present.allSatisfy({ $0 == unknown }) { return unknown }
        return present.joined(separator: ",")
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
