import Tensors

/// A categorical attribute of each prompt (sex, age bin, race, …).
public struct Attribute: Sendable {
    public var name: String
    /// Level names, e.g. ["female", "male"] or ["≤25", "26-50", "51-75", ">75"].
    public var levels: [String]
    /// Short level names used in group keys, e.g. ["F", "M"] or ["A1", "A2", "A3", "A4"].
    public var shortNames: [String]
    /// Level index per row; -1 where the value is missing (or masked).
    public var codes: [Int]
    /// The values before `mask` hid some, for comparing discovered groups with the truth.
    public var trueCodes: [Int]?

    public init(name: String, levels: [String], shortNames: [String]? = nil, codes: [Int]) {
        self.name = name
        self.levels = levels
        self.shortNames = shortNames ?? Attribute.defaultShortNames(levels)
        self.codes = codes
    }

    /// "M"/"F" for the usual spellings of sex; otherwise the level names.
    static func defaultShortNames(_ levels: [String]) -> [String] {
        levels.map { level in
            switch level.lowercased() {
            case "male", "m", "man", "men": return "M"
            case "female", "f", "woman", "women": return "F"
            default: return level
            }
        }
    }

    /// The codes to compare with discovered groups: the truth when masked.
    public var groundTruth: [Int] { trueCodes ?? codes }
}

/// Standardisation of the numeric feature columns: (x − mean) / std, with
/// missing values replaced by the mean (so 0 after scaling). Infinite values
/// (an overflowing number in a file) count as missing, so one cannot turn a
/// whole column into NaN. Statistics come
/// from the rows it was fitted on; `split` fits on the training rows only.
public struct Scaler: Sendable {
    /// Which feature columns are numeric (one-hot columns are left alone).
    public var numeric: [Bool]
    public var means: [Double]
    public var stds: [Double]
    /// How many rows the statistics were fitted on.
    public var fittedRows: Int

    public init(numeric: [Bool], means: [Double], stds: [Double], fittedRows: Int) {
        self.numeric = numeric; self.means = means; self.stds = stds; self.fittedRows = fittedRows
    }

    public static func fit(_ raw: Tensor, numeric: [Bool], rows: [Int]? = nil) -> Scaler {
        let n = raw.shape[0], d = raw.shape[1]
        var sums = [Double](repeating: 0, count: d), counts = [Int](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        let rowCount = rows?.count ?? n
        let numericColumns = (0..<d).filter { numeric[$0] }
        // Two passes (mean, then squared deviations), each column summed over
        // rows in order. Columns are independent, so large tables split them
        // between two threads without changing a single addition.
        typealias Partial = (columns: [Int], sums: [Double], squares: [Double], counts: [Int])
        var partials: [Partial] = []
        raw.withUnsafeBufferPointer { x in
            let base = x.baseAddress!
            func accumulate(_ selected: [Int]) -> Partial {
                let k = selected.count
                var sum = [Double](repeating: 0, count: k), square = [Double](repeating: 0, count: k)
                var count = [Int](repeating: 0, count: k)
                guard k > 0 else { return (selected, sum, square, count) }
                func forEachRow(_ body: (UnsafePointer<Float>) -> Void) {
                    if let rows { for r in rows { body(base + r * d) } } else { for r in 0..<n { body(base + r * d) } }
                }
                selected.withUnsafeBufferPointer { cols in
                    sum.withUnsafeMutableBufferPointer { s in
                        count.withUnsafeMutableBufferPointer { cnt in
                            forEachRow { row in
                                for j in 0..<k {
                                    let v = Double(row[cols[j]])
                                    if v.isFinite { s[j] += v; cnt[j] += 1 }
                                }
                            }
                            for j in 0..<k { s[j] = cnt[j] > 0 ? s[j] / Double(cnt[j]) : 0 }
                        }
                        square.withUnsafeMutableBufferPointer { q in
                            forEachRow { row in
                                for j in 0..<k {
                                    let v = Double(row[cols[j]])
                                    if v.isFinite { q[j] += (v - s[j]) * (v - s[j]) }
                                }
                            }
                        }
                    }
                }
                return (selected, sum, square, count)
            }
            let half = numericColumns.count / 2
            if rowCount * numericColumns.count >= 1 << 20 && half > 0 {
                var first: Partial = ([], [], [], []), second: Partial = ([], [], [], [])
                let (a, b) = (Array(numericColumns[..<half]), Array(numericColumns[half...]))
                runConcurrently({ first = accumulate(a) }, { second = accumulate(b) })
                partials = [first, second]
            } else {
                partials = [accumulate(numericColumns)]
            }
        }
        for p in partials {
            for (j, c) in p.columns.enumerated() { sums[c] = p.sums[j]; squares[c] = p.squares[j]; counts[c] = p.counts[j] }
        }
        var stds = [Double](repeating: 1, count: d)
        for c in 0..<d where numeric[c] {
            let std = counts[c] > 1 ? (squares[c] / Double(counts[c])).squareRoot() : 0
            stds[c] = std > 1e-12 ? std : 1
        }
        return Scaler(numeric: numeric, means: numeric.indices.map { numeric[$0] ? sums[$0] : 0 }, stds: stds, fittedRows: rowCount)
    }

    /// Scaled features; missing numeric values become 0 (the mean), missing one-hot stays 0.
    public func apply(_ raw: Tensor) -> Tensor {
        let d = raw.shape[1]
        guard d > 0 else { return raw }
        let scale = stds.map { Float(1 / $0) }, shift = means.map(Float.init)
        // The raw features stay in the dataset (splits refit from them), so the
        // scaled copy is written straight from them: one pass over new memory,
        // split by rows over two threads for large tables.
        return raw.withUnsafeBufferPointer { source in
            Tensor.writingEveryElement(shape: raw.shape) { x in
                scale.withUnsafeBufferPointer { scale in
                shift.withUnsafeBufferPointer { shift in
                numeric.withUnsafeBufferPointer { numeric in
                    let base = x.baseAddress!, input = source.baseAddress!
                    func scaleRows(_ rows: Range<Int>) {
                        for r in rows {
                            let row = base + r * d, raw = input + r * d
                            for c in 0..<d {
                                let v = raw[c]
                                row[c] = !v.isFinite ? 0 : numeric[c] ? (v - shift[c]) * scale[c] : v
                            }
                        }
                    }
                    let n = x.count / d
                    if x.count >= 1 << 20 {
                        runConcurrently({ scaleRows(0..<n / 2) }, { scaleRows(n / 2..<n) })
                    } else {
                        scaleRows(0..<n)
                    }
                }
                }
                }
            }
        }
    }
}

/// Prompts for a diagnosis policy: features, a class label, demographic
/// attributes, the data source (domain), an id and optionally a patient id.
///
/// The training group of a prompt is the intersection of its attributes
/// within its domain, e.g. `M,A3`; attributes a domain never records are
/// left out of its groups; a prompt missing any recorded attribute is `UNK`.
public struct Dataset: Sendable {
    public var name: String
    /// Features before scaling: numeric columns raw (NaN where missing), categorical one-hot.
    public var rawFeatures: Tensor
    public var featureNames: [String]
    public var scaler: Scaler
    /// `[n, d]` features as the policy sees them (scaled).
    public var features: Tensor
    public var labels: [Int]
    public var classNames: [String]
    /// Most classes that training and class-by-class tables accept: they
    /// hold K×K numbers (rewards, confusion counts), so a label column with
    /// 100,000 distinct values (an id column by mistake) would need tens of
    /// gigabytes.
    public static let maximumClasses = 1000
    public var attributes: [Attribute]
    public var domains: [Int]
    public var domainNames: [String]
    public var ids: [String]
    /// Patient (or other grouping) id per row, for grouped splits.
    public var groupIDs: [String]?
    /// Remarks from loading (rows dropped, columns encoded), shown by `describe`.
    public var notes: [String] = []

    public init(name: String, rawFeatures: Tensor, featureNames: [String], numeric: [Bool], labels: [Int],
                classNames: [String], attributes: [Attribute], domains: [Int], domainNames: [String],
                ids: [String], groupIDs: [String]?) {
        self.name = name
        self.rawFeatures = rawFeatures
        self.featureNames = featureNames
        self.scaler = Scaler.fit(rawFeatures, numeric: numeric)
        self.features = scaler.apply(rawFeatures)
        self.labels = labels
        self.classNames = classNames
        self.attributes = attributes
        self.domains = domains
        self.domainNames = domainNames
        self.ids = ids
        self.groupIDs = groupIDs
    }

    public var count: Int { labels.count }
    public var featureCount: Int { rawFeatures.shape[1] }

    /// Re-scales features with `scaler` (e.g. fitted on a training split).
    public mutating func rescale(with scaler: Scaler) {
        self.scaler = scaler
        features = scaler.apply(rawFeatures)
    }

    /// For each domain, which attributes it records at all.
    public var attributesPerDomain: [[Bool]] {
        var present = [[Bool]](repeating: [Bool](repeating: false, count: attributes.count), count: domainNames.count)
        for (a, attr) in attributes.enumerated() {
            for r in 0..<count where attr.groundTruth[r] >= 0 { present[domains[r]][a] = true }
        }
        return present
    }

    /// Group key of every row, e.g. "M,A3" or "UNK" (observed attributes).
    public func groupKeys(truth: Bool = false) -> [String] {
        let present = attributesPerDomain
        return (0..<count).map { r in
            var parts: [String] = []
            for (a, attr) in attributes.enumerated() where present[domains[r]][a] {
                let code = truth ? attr.groundTruth[r] : attr.codes[r]
                if code < 0 { return "UNK" }
                parts.append(attr.shortNames[code])
            }
            return parts.isEmpty ? "ALL" : parts.joined(separator: ",")
        }
    }

    /// Rows in the given order (repeats allowed).
    public func subset(_ rows: [Int], name: String? = nil) throws -> Dataset {
        var d = self
        d.name = name ?? self.name
        d.rawFeatures = try rawFeatures.take(rows, axis: 0)
        d.features = try features.take(rows, axis: 0)
        d.labels = rows.map { labels[$0] }
        d.attributes = attributes.map { a in
            var b = a
            b.codes = rows.map { a.codes[$0] }
            b.trueCodes = a.trueCodes.map { t in rows.map { t[$0] } }
            return b
        }
        d.domains = rows.map { domains[$0] }
        d.ids = rows.map { ids[$0] }
        d.groupIDs = groupIDs.map { g in rows.map { g[$0] } }
        return d
    }

    /// Fraction of rows whose group is UNK.
    public var unknownFraction: Double {
        guard count > 0 else { return 0 }
        return Double(groupKeys().filter { $0 == "UNK" }.count) / Double(count)
    }
}
