import Cluster
import Tensors
import Testing
import TestSupport

/// k-means of the distinct vectors of a table of rows, weighted by their
/// counts, against k-means of every row: the same draws, so the same labels
/// for every row, the same centres, and the inertia to rounding.
@Suite("Cluster: k-means of distinct rows")
struct DistinctRowsTests {
    /// `n` reward vectors of `g` numbers: each number is 1 with a probability
    /// that depends on one of `kinds` hidden kinds of prompt (so the vectors
    /// repeat and form clusters), then mapped through `value`.
    static func rewards(n: Int, g: Int, kinds: Int, seed: UInt64, value: (Int, inout SeededGenerator) -> Double = { b, _ in Double(b) }) -> [[Double]] {
        var rng = SeededGenerator(seed: seed)
        let p = (0..<kinds).map { 0.1 + 0.8 * Double($0) / Double(max(kinds - 1, 1)) }
        return (0..<n).map { _ in
            let kind = rng.nextIndex(below: kinds)
            return (0..<g).map { _ in value(rng.nextUnitDouble() < p[kind] ? 1 : 0, &rng) }
        }
    }

    /// The two fits of `rows` agree: every row's label, the centres, the
    /// iterations, and the inertia to a relative 1e-12.
    static func expectSame(_ rows: [[Double]], _ km: KMeans, _ note: String) throws {
        let table = try DistinctRows(rows)
        let all = try km.fit(rows)
        let distinct = try km.fit(table)
        let sameLabels = table.rowLabels(distinct.labels) == all.labels
        #expect(sameLabels, "\(note): labels")
        #expect(distinct.centroids == all.centroids, "\(note): centroids")
        #expect(distinct.iterations == all.iterations, "\(note): iterations")
        #expect(abs(distinct.inertia - all.inertia) <= 1e-12 * max(abs(all.inertia), 1), "\(note): inertia \(distinct.inertia) vs \(all.inertia)")
        #expect(table.sizes(distinct.labels, k: distinct.centroids.count) == all.sizes, "\(note): sizes")
    }

    @Test("the table counts each distinct vector and remembers each row's", arguments: [0, 1])
    func table(_ unused: Int) throws {
        let rows: [[Double]] = [[1, 0], [0, 0], [1, 0], [1, 0], [0, 1], [0, 0]]
        let t = try DistinctRows(rows)
        #expect(t.rowCount == 6)
        #expect(t.distinctCount == 3)
        #expect(t.counts == [3, 2, 1])
        #expect(t.vectorOfRow == [0, 1, 0, 0, 2, 1])
        #expect(t.vector(2) == [0, 1])
        #expect(t.rowLabels([7, 8, 9]) == [7, 8, 7, 7, 9, 8])
        var bad = t
        #expect(throws: ClusterError.self) { try bad.append([1]) }
        #expect(throws: ClusterError.self) { try bad.append([1, .nan]) }
    }

    @Test("binary rewards, G = 8: the same clustering for k = 1…4 and several seeds, short and long histories",
          arguments: [(200, 0 as UInt64), (1500, 1), (5000, 2)])
    func binary(n: Int, seed: UInt64) throws {
        let rows = Self.rewards(n: n, g: 8, kinds: 4, seed: seed)
        for k in 1...4 {
            for s: UInt64 in [0, 3, 11] {
                try Self.expectSame(rows, KMeans(k: k, nInit: 4, seed: s), "n \(n) k \(k) seed \(s)")
            }
        }
    }

    @Test("ties: a history of a few vectors repeated many times, one vector, and k above the distinct count")
    func ties() throws {
        let few: [[Double]] = (0..<1200).map { i in i % 7 == 0 ? [1, 1, 1, 1] : (i % 3 == 0 ? [0, 0, 0, 0] : [1, 0, 1, 0]) }
        for k in 1...4 { try Self.expectSame(few, KMeans(k: k, nInit: 4, seed: 5), "few k \(k)") }
        let one = [[Double]](repeating: [1, 0, 1], count: 700)
        for k in 1...3 { try Self.expectSame(one, KMeans(k: k, nInit: 2, seed: 1), "one k \(k)") }
        // Every distance ties in the first draws: two mirror-image vectors.
        let mirror: [[Double]] = (0..<999).map { i in i % 2 == 0 ? [1, 0] : [0, 1] }
        for k in 1...3 { try Self.expectSame(mirror, KMeans(k: k, nInit: 4, seed: 9), "mirror k \(k)") }
    }

    @Test("rewards in halves and quarters (partial credit) and negative ones")
    func grid() throws {
        let rows = Self.rewards(n: 2000, g: 6, kinds: 3, seed: 4) { b, rng in
            b == 1 ? [0.5, 0.75, 1][rng.nextIndex(below: 3)] : [-0.25, 0][rng.nextIndex(below: 2)]
        }
        for k in 1...3 { try Self.expectSame(rows, KMeans(k: k, nInit: 4, seed: 2), "grid k \(k)") }
    }

    @Test("an empty cluster is refilled with single rows, as from the rows themselves")
    func relocation() throws {
        // The third starting centre is far from everything: the recovery takes
        // the farthest row (the first of the tied farthest), one row of its vector.
        var rows: [[Double]] = []
        for i in 0..<600 { rows.append(i % 4 == 0 ? [4, 4] : (i % 4 == 1 ? [0, 0] : (i % 4 == 2 ? [0, 1] : [4, 5]))) }
        let km = KMeans(k: 3, initialCentroids: [[0, 0], [4, 4], [100, 100]])
        try Self.expectSame(rows, km, "relocation")
        // Two empty clusters at once.
        let km2 = KMeans(k: 4, initialCentroids: [[0, 0], [4, 4], [100, 100], [-100, 0]])
        try Self.expectSame(rows, km2, "two empty")
    }

    @Test("the reference elbow rule picks the same k and clusters", arguments: [0 as UInt64, 1, 2, 3])
    func elbow(seed: UInt64) throws {
        let rows = Self.rewards(n: 900 + 700 * Int(seed), g: 8, kinds: 2 + Int(seed), seed: 40 + seed)
        let table = try DistinctRows(rows)
        let all = try Elbow.clusterReference(rows, seed: seed)
        let distinct = try Elbow.clusterReference(table, seed: seed)
        #expect(distinct.centroids == all.centroids)
        let sameLabels = table.rowLabels(distinct.labels) == all.labels
        #expect(sameLabels)
        #expect(abs(distinct.inertia - all.inertia) <= 1e-12 * max(all.inertia, 1))
    }

    @Test("the table grows row by row to the table of all rows")
    func incremental() throws {
        let rows = Self.rewards(n: 1100, g: 8, kinds: 3, seed: 8)
        var grown = DistinctRows(dimension: 8)
        for (i, r) in rows.enumerated() {
            try grown.append(r)
            if i == 99 || i == 511 || i == 1099 {
                let prefix = Array(rows[...i])
                let whole = try DistinctRows(prefix)
                #expect(grown.counts == whole.counts && grown.vectorOfRow == whole.vectorOfRow)
                let km = KMeans(k: 3, seed: 6)
                let a = try km.fit(grown), b = try km.fit(prefix)
                let sameLabels = grown.rowLabels(a.labels) == b.labels
                #expect(sameLabels)
            }
        }
    }
}
