/// The rows of a growing data set grouped by distinct vector, kept up to date
/// one row at a time, so that k-means of every row can be computed on the
/// distinct vectors weighted by their counts (`KMeans.fit(_: DistinctRows)`)
/// at a cost set by the number of distinct vectors, not of rows.
///
/// Rows with few distinct values (FairGRPO's reward vectors: at most 2^G for
/// binary rewards) repeat a lot. Besides each vector's count, the table keeps
/// what k-means needs to behave exactly as it does on the rows themselves:
/// which rows hold each vector (the empty-cluster recovery moves single rows)
/// and each vector's count before every `blockSize`-th row, so that a
/// k-means++ draw, which picks a *row* by a running sum in row order, can be
/// mapped onto the row it would have picked without walking every row.
public struct DistinctRows: Sendable {
    /// Numbers per row.
    public let dimension: Int
    /// The distinct vectors in order of first appearance, row-major (V × dimension),
    /// as k-means computes with them (Float).
    public private(set) var values: [Float] = []
    /// Rows holding each distinct vector.
    public private(set) var counts: [Int] = []
    /// The distinct vector of each row.
    public private(set) var vectorOfRow: [Int32] = []
    /// The rows holding each distinct vector, in order.
    private(set) var rowsOfVector: [[Int32]] = []
    /// `blockCounts[b][v]`: rows of vector v among the first (b + 1)·blockSize rows
    /// (vectors first seen later are left out, their count being 0).
    private(set) var blockCounts: [[Int32]] = []
    /// Vectors by the bit patterns of their numbers (so 0 and −0 differ, as a
    /// set of the rows' bit patterns counts them).
    private var index: [[UInt64]: Int32] = [:]

    static let blockSize = 512

    public init(dimension: Int) { self.dimension = dimension }

    /// The table of `rows` (all of one length).
    public init(_ rows: [[Double]]) throws {
        self.init(dimension: rows.first?.count ?? 0)
        for r in rows { try append(r) }
    }

    public var rowCount: Int { vectorOfRow.count }
    public var distinctCount: Int { counts.count }

    /// The distinct vector `v` as Doubles.
    public func vector(_ v: Int) -> [Double] { (0..<dimension).map { Double(values[v * dimension + $0]) } }

    /// Adds one row; returns its distinct vector.
    @discardableResult
    public mutating func append(_ row: [Double]) throws -> Int {
        guard row.count == dimension, dimension > 0 else {
            throw ClusterError("kmeans: a row of \(row.count) numbers among rows of \(dimension)")
        }
        guard row.allSatisfy({ $0.isFinite }) else { throw ClusterError("kmeans: the data contain NaN or infinite values") }
        let key = row.map(\.bitPattern)
        let v: Int
        if let known = index[key] {
            v = Int(known)
            counts[v] += 1
            rowsOfVector[v].append(Int32(rowCount))
        } else {
            v = counts.count
            index[key] = Int32(v)
            values += row.map(Float.init)
            counts.append(1)
            rowsOfVector.append([Int32(rowCount)])
        }
        vectorOfRow.append(Int32(v))
        if rowCount % Self.blockSize == 0 { blockCounts.append(counts.map { Int32($0) }) }
        return v
    }

    /// Each row's label, given a label per distinct vector.
    public func rowLabels(_ vectorLabels: [Int]) -> [Int] { vectorOfRow.map { vectorLabels[Int($0)] } }

    /// Rows per cluster, given a label per distinct vector.
    public func sizes(_ vectorLabels: [Int], k: Int) -> [Int] {
        var s = [Int](repeating: 0, count: k)
        for (v, l) in vectorLabels.enumerated() { s[l] += counts[v] }
        return s
    }

    /// The row k-means++ draws when every row of vector v has mass `mass[v]`:
    /// the first row whose running mass, summed in row order, exceeds `target`,
    /// or, when none does (rounding can leave the target at the total), the
    /// last row with mass. The running mass before each block of rows is a
    /// sum over the vectors (their masses times their counts so far), found by
    /// bisection; the rows of one block are then walked. With masses that sum
    /// without rounding (small multiples of a power of two, as squared
    /// distances between reward vectors are) this is exactly the row the walk
    /// over every row picks.
    func drawRow(_ target: Double, mass: UnsafePointer<Double>) -> Int {
        let block = Self.blockSize
        /// The running mass over the first (b + 1)·blockSize rows.
        func before(_ b: Int) -> Double {
            var s = 0.0
            let c = blockCounts[b]
            for v in c.indices { s += mass[v] * Double(c[v]) }
            return s
        }
        // The largest number of whole blocks whose mass does not exceed the target.
        var lo = 0, hi = blockCounts.count
        var start = 0.0
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            let m = before(mid - 1)
            if m > target { hi = mid - 1 } else { lo = mid; start = m }
        }
        var running = start
        for i in (lo * block)..<rowCount {
            running += mass[Int(vectorOfRow[i])]
            if running > target { return i }
        }
        // The last row with mass.
        var last = -1
        for v in counts.indices where mass[v] > 0 { last = max(last, Int(rowsOfVector[v].last!)) }
        return max(last, 0)
    }

    /// The `count` rows farthest from their centres, farthest first and the
    /// lower row first on ties, when the rows of vector v are `distance[v]`
    /// away (as the empty-cluster recovery takes them from all rows).
    func farthestRows(_ count: Int, distance: UnsafePointer<Float>) -> [Int] {
        let order = counts.indices.sorted { distance[$0] > distance[$1] || (distance[$0] == distance[$1] && $0 < $1) }
        var picked: [Int] = []
        var at = 0
        while picked.count < count && at < order.count {
            // One level of equal distances: its rows in row order.
            var end = at
            while end < order.count && distance[order[end]] == distance[order[at]] { end += 1 }
            let need = count - picked.count
            var rows: [Int] = []
            for v in order[at..<end] { rows += rowsOfVector[v].prefix(need).map(Int.init) }
            picked += rows.sorted().prefix(need)
            at = end
        }
        return picked
    }
}
