#if canImport(Glibc)
import Glibc
#endif

/// How well two labelings of the same items agree (clusters against true groups).
public struct Agreement: Sendable {
    /// Contingency table: rows = levels of `a`, columns = levels of `b`.
    public var table: [[Int]]
    public var aLevels: [Int], bLevels: [Int]
    public var ari: Double
    public var nmi: Double

    /// Adjusted Rand index (Hubert & Arabie) and normalised mutual information
    /// with arithmetic normalisation, NMI = I(a; b) / ((H(a) + H(b)) / 2), both
    /// as scikit-learn computes them (NMI = 1 when both labelings are trivial).
    /// Items with a negative label in either labeling are left out.
    public init(_ a: [Int], _ b: [Int]) throws {
        guard a.count == b.count else { throw ClusterError("align: the labelings have \(a.count) and \(b.count) items") }
        let pairs = zip(a, b).filter { $0.0 >= 0 && $0.1 >= 0 }
        guard !pairs.isEmpty else { throw ClusterError("align: no item is labelled in both") }
        let aLevels = Array(Set(pairs.map(\.0))).sorted()
        let bLevels = Array(Set(pairs.map(\.1))).sorted()
        let ai = Dictionary(uniqueKeysWithValues: aLevels.enumerated().map { ($1, $0) })
        let bi = Dictionary(uniqueKeysWithValues: bLevels.enumerated().map { ($1, $0) })
        var t = [[Int]](repeating: [Int](repeating: 0, count: bLevels.count), count: aLevels.count)
        for (x, y) in pairs { t[ai[x]!][bi[y]!] += 1 }
        self.init(table: t, aLevels: aLevels, bLevels: bLevels)
    }

    /// The agreement whose contingency table is `table` (rows: the levels of
    /// one labeling, columns: the other's, each with at least one item): the
    /// same numbers as `init(a, b)` on labelings coded 0, 1, … with that table.
    public init(table: [[Int]]) throws {
        guard let width = table.first?.count, width > 0, table.allSatisfy({ $0.count == width }),
              table.allSatisfy({ $0.allSatisfy { $0 >= 0 } && $0.contains { $0 > 0 } }),
              (0..<width).allSatisfy({ j in table.contains { $0[j] > 0 } }) else {
            throw ClusterError("align: a contingency table needs rows of equal length, each row and column with an item")
        }
        self.init(table: table, aLevels: Array(table.indices), bLevels: Array(0..<width))
    }

    private init(table t: [[Int]], aLevels: [Int], bLevels: [Int]) {
        self.aLevels = aLevels
        self.bLevels = bLevels
        table = t
        let items = t.reduce(0) { $0 + $1.reduce(0, +) }
        let n = Double(items)
        let rows = t.map { Double($0.reduce(0, +)) }
        let cols = (0..<bLevels.count).map { j in Double(t.reduce(0) { $0 + $1[j] }) }
        // ARI.
        func comb2(_ x: Double) -> Double { x * (x - 1) / 2 }
        let sumCells = t.flatMap { $0 }.reduce(0.0) { $0 + comb2(Double($1)) }
        let sumRows = rows.reduce(0) { $0 + comb2($1) }, sumCols = cols.reduce(0) { $0 + comb2($1) }
        let expected = sumRows * sumCols / comb2(n)
        let maximum = (sumRows + sumCols) / 2
        if aLevels.count == bLevels.count && (aLevels.count == 1 || aLevels.count == items) {
            ari = 1  // both trivial in the same way, as scikit-learn special-cases
        } else if maximum == expected {
            ari = 0
        } else {
            ari = (sumCells - expected) / (maximum - expected)
        }
        // NMI (arithmetic).
        func entropy(_ counts: [Double]) -> Double { counts.reduce(0) { $0 - ($1 > 0 ? ($1 / n) * log($1 / n) : 0) } }
        let ha = entropy(rows), hb = entropy(cols)
        if aLevels.count == 1 && bLevels.count == 1 || (ha == 0 && hb == 0) {
            nmi = 1
        } else {
            var mi = 0.0
            for i in 0..<aLevels.count {
                for j in 0..<bLevels.count where t[i][j] > 0 {
                    let p = Double(t[i][j]) / n
                    mi += p * log(Double(t[i][j]) * n / (rows[i] * cols[j]))
                }
            }
            let denominator = (ha + hb) / 2
            nmi = denominator > 0 ? max(0, min(1, mi / denominator)) : 0
        }
    }
}
