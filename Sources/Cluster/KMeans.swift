import Tensors

/// k-means clustering, named after scikit-learn's `KMeans`: greedy
/// k-means++ initialisation, `nInit` restarts keeping the lowest inertia,
/// Lloyd iterations until the labels stop changing or the centres move less
/// than `tol` (relative to the data's mean per-feature variance, as
/// scikit-learn does) or `maxIter`, optional sample weights, and empty
/// clusters re-seeded as scikit-learn does: with the points farthest from
/// their centres, each taken out of the cluster it was in. Distances are
/// computed directly as Σ(x − c)², eight centres at a time in SIMD lanes
/// (no ‖x‖² − 2x·c + ‖c‖² cancellation: for k ≤ 8, d ≤ 32, the sizes
/// FairGRPO clusters, a BLAS product is no faster and its float32 errors move
/// inertia and near-tied labels). From k ≥ 64 with d ≥ 32, where the product
/// wins (1.1× at k = 64, 1.9× at k = 256; docs/clustering.md), the nearest
/// centre is found through BLAS
/// as scikit-learn does — argmin of ‖c‖² − 2x·c from one sgemm per block of
/// rows — and the distance to it is then computed directly, so inertia keeps
/// full float32 accuracy. Large inputs are split
/// in two halves run on two threads (always the same halves, combined in the
/// same order, so the same seed gives the same result on any machine).
public struct KMeans: Sendable {
    public var k: Int
    public var nInit = 4
    public var maxIter = 100
    public var tol = 1e-4
    public var seed: UInt64 = 0
    /// Starting centres (`k` rows of `d` numbers) in place of k-means++, like
    /// scikit-learn's `init=` array; one run is made whatever `nInit` says.
    public var initialCentroids: [[Double]]?

    public init(k: Int, nInit: Int = 4, maxIter: Int = 100, tol: Double = 1e-4, seed: UInt64 = 0,
                initialCentroids: [[Double]]? = nil) {
        self.k = k; self.nInit = nInit; self.maxIter = maxIter; self.tol = tol; self.seed = seed
        self.initialCentroids = initialCentroids
    }

    public struct Result: Sendable {
        public var labels: [Int]
        /// One centre per cluster (k × d).
        public var centroids: [[Double]]
        /// Weighted sum of squared distances of points to their centre.
        public var inertia: Double
        public var iterations: Int
        public var sizes: [Int] {
            var s = [Int](repeating: 0, count: centroids.count)
            for l in labels { s[l] += 1 }
            return s
        }
    }

    /// Clusters rows of `points`.
    public func fit(_ points: [[Double]], weights: [Double]? = nil) throws -> Result {
        guard let d = points.first?.count else { throw ClusterError("kmeans: no points to cluster") }
        guard points.allSatisfy({ $0.count == d }) else { throw ClusterError("kmeans: points have different lengths") }
        return try fit(try Tensor(shape: [points.count, d], scalars: points.flatMap { $0.map(Float.init) }), weights: weights)
    }

    /// Clusters the rows of `x: [n, d]`. With k-means++ (no `initialCentroids`),
    /// `k` is capped at the number of distinct rows with a positive weight.
    public func fit(_ x: Tensor, weights: [Double]? = nil) throws -> Result {
        guard x.rank == 2, x.shape[0] > 0, x.shape[1] > 0 else {
            throw ClusterError("kmeans: expected a non-empty [n, d] matrix, got shape \(formatShape(x.shape))")
        }
        let n = x.shape[0], d = x.shape[1]
        guard k >= 1 else { throw ClusterError("kmeans: k must be at least 1, got \(k)") }
        guard nInit >= 1, maxIter >= 1, tol >= 0 else { throw ClusterError("kmeans: n_init and max_iter must be at least 1, tol non-negative") }
        let w = weights ?? [Double](repeating: 1, count: n)
        guard w.count == n, w.allSatisfy({ $0 >= 0 && $0.isFinite }), w.contains(where: { $0 > 0 }) else {
            throw ClusterError("kmeans: sample_weight must be \(n) non-negative numbers, not all zero")
        }
        let values = x.scalars
        guard values.allSatisfy({ $0.isFinite }) else { throw ClusterError("kmeans: the data contain NaN or infinite values") }
        return try fit(values, n: n, d: d, weights: w, rows: nil)
    }

    /// k-means of every row of `rows`, computed on its distinct vectors
    /// weighted by their counts: the same objective (each distinct vector
    /// stands for its count of rows), and Lloyd's iterations, k-means++ draws
    /// and empty-cluster recovery made as on the rows themselves (a draw picks
    /// the row the walk over all rows would pick; a recovery moves single
    /// rows). When the sums involved are exact (reward vectors on a grid of a
    /// power of two, e.g. 0/1 rewards), every row gets the label the fit on
    /// all rows gives it, from the same draws; the inertia agrees to rounding
    /// (it is summed per vector rather than per row), as does the convergence
    /// tolerance (the rows' mean variance, also summed per vector). The result's
    /// `labels` are per distinct vector (`rows.rowLabels` gives the rows');
    /// `inertia` is over all rows. The cost depends on the distinct vectors, plus
    /// for each draw one block of rows and a bisection over the blocks.
    public func fit(_ rows: DistinctRows) throws -> Result {
        guard rows.rowCount > 0 else { throw ClusterError("kmeans: no points to cluster") }
        guard k >= 1 else { throw ClusterError("kmeans: k must be at least 1, got \(k)") }
        guard nInit >= 1, maxIter >= 1, tol >= 0 else { throw ClusterError("kmeans: n_init and max_iter must be at least 1, tol non-negative") }
        return try fit(rows.values, n: rows.distinctCount, d: rows.dimension, weights: rows.counts.map(Double.init), rows: rows)
    }

    /// The fit of `n × d` values (finite) with their weights; `rows` when they
    /// are the distinct vectors of a table of rows.
    private func fit(_ values: [Float], n: Int, d: Int, weights w: [Double], rows: DistinctRows?) throws -> Result {
        var given: [Float]?
        if let initial = initialCentroids {
            guard initial.count == k, initial.allSatisfy({ $0.count == d }) else {
                throw ClusterError("kmeans: initial centroids must be \(k) rows of \(d) numbers")
            }
            let points = rows?.rowCount ?? n
            guard k <= points else { throw ClusterError("kmeans: \(k) initial centroids for only \(points) points") }
            let flat = initial.flatMap { $0.map(Float.init) }
            guard flat.allSatisfy({ $0.isFinite }) else { throw ClusterError("kmeans: initial centroids contain NaN or infinite values") }
            given = flat
        }
        return values.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                let run = Lloyd(x: xb.baseAddress!, weights: wb.baseAddress!, n: n, d: d, rows: rows)
                let kk = given == nil ? min(k, run.distinctWeightedRows(atMost: k)) : k
                let tolerance = tol * run.meanVariance()
                var rng = SeededGenerator(seed: seed)
                var best: Result?
                for _ in 0..<(given == nil ? nInit : 1) {
                    let start = given ?? run.plusPlus(k: kk, rng: &rng)
                    let result = run.fit(centres: start, k: kk, maxIter: maxIter, tolerance: tolerance)
                    if best == nil || result.inertia < best!.inertia { best = result }
                }
                return best!
            }
        }
    }
}

/// One fit's data and scratch space: rows of `x` (row-major, `n × d`) and
/// their weights, borrowed for the duration of `KMeans.fit`.
struct Lloyd {
    let x: UnsafePointer<Float>
    let weights: UnsafePointer<Double>
    let n: Int, d: Int
    /// When the n points are the distinct vectors of these rows (weights: their
    /// counts): draws, recoveries and the variance are then those of the rows.
    var rows: DistinctRows? = nil

    /// Below this many multiply-adds per pass, one thread does everything.
    static let parallelWork = 1 << 20

    /// Runs `body(part, lo, hi)` on rows split in two fixed halves (concurrently)
    /// when a pass over the data costs `work` multiply-adds or more, else once on all rows.
    /// Returns the number of parts (1 or 2).
    @discardableResult
    func forParts(work: Int, _ body: @escaping (Int, Int, Int) -> Void) -> Int {
        guard work >= Self.parallelWork, n >= 2048 else {
            body(0, 0, n)
            return 1
        }
        let n = self.n, mid = n / 2
        runConcurrently({ body(0, 0, mid) }, { body(1, mid, n) })
        return 2
    }

    /// The number of distinct rows with a positive weight, counting no further than `limit + 1`.
    func distinctWeightedRows(atMost limit: Int) -> Int {
        var seen = Set<[Float]>()
        for i in 0..<n where weights[i] > 0 {
            seen.insert(Array(UnsafeBufferPointer(start: x + i * d, count: d)))
            if seen.count > limit { break }
        }
        return seen.count
    }

    /// The mean over features of each feature's (unweighted, population)
    /// variance; over the rows when the points are distinct vectors of rows
    /// (each counted as many times as it occurs).
    func meanVariance() -> Double {
        var mean = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        let times: (Int) -> Double = { i in rows.map { Double($0.counts[i]) } ?? 1 }
        let total = rows.map { Double($0.rowCount) } ?? Double(n)
        mean.withUnsafeMutableBufferPointer { m in
            for i in 0..<n {
                let row = x + i * d, c = times(i)
                for j in 0..<d { m[j] += c * Double(row[j]) }
            }
            for j in 0..<d { m[j] /= total }
            squares.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    let row = x + i * d, c = times(i)
                    for j in 0..<d { let t = Double(row[j]) - m[j]; s[j] += c * (t * t) }
                }
            }
        }
        return squares.reduce(0, +) / total / Double(d)
    }

    /// Greedy k-means++ (scikit-learn's scheme): the first centre is drawn with
    /// probability proportional to weight; each next one is the best, by
    /// weighted potential, of 2 + ⌊ln k⌋ candidates drawn with probability
    /// proportional to weight × squared distance to the closest centre so far.
    /// Returns `k × d` centres (rows of `x`).
    func plusPlus(k: Int, rng: inout SeededGenerator) -> [Float] {
        let trials = 2 + Int(log(Double(k)))
        let n = self.n, d = self.d, x = self.x, weights = self.weights
        let closest = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let candidateDistances = UnsafeMutablePointer<Float>.allocate(capacity: trials * n)
        let cumulative = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { closest.deallocate(); candidateDistances.deallocate(); cumulative.deallocate() }

        /// The first index whose cumulative mass exceeds `u` (u below the total).
        func draw(_ u: Double) -> Int {
            var lo = 0, hi = n - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
            }
            // Rounding can leave u at the total: take the last row with mass.
            while lo > 0 && cumulative[lo] <= u && cumulative[lo] == cumulative[lo - 1] { lo -= 1 }
            return lo
        }
        /// Distinct vectors of rows: a draw picks the row the walk over every row would pick.
        let rowMass = UnsafeMutablePointer<Double>.allocate(capacity: rows == nil ? 0 : n)
        defer { rowMass.deallocate() }
        func drawPoint(_ u: Double) -> Int {
            guard let rows else { return draw(u) }
            return Int(rows.vectorOfRow[rows.drawRow(u, mass: rowMass)])
        }
        var total = 0.0
        for i in 0..<n { total += weights[i]; cumulative[i] = total }
        if rows != nil { rowMass.update(repeating: 1, count: n) }
        let first = drawPoint(rng.nextUnitDouble() * total)
        var chosen = [first]
        let firstBlock = CentreBlocks(rows: [x + first * d], d: d)
        firstBlock.vectors.withUnsafeBufferPointer { vb in
            let block = vb.baseAddress!
            forParts(work: n * d) { _, lo, hi in
                for i in lo..<hi { closest[i] = blockDistances(x + i * d, block, d)[0] }
            }
        }
        while chosen.count < k {
            total = 0
            for i in 0..<n { total += weights[i] * Double(closest[i]); cumulative[i] = total }
            guard total > 0 else {
                // Every weighted row sits on a chosen centre in Float arithmetic: take
                // the next distinct weighted rows in order.
                chosen += remainingDistinctRows(besides: chosen, count: k - chosen.count)
                break
            }
            if rows != nil { for i in 0..<n { rowMass[i] = Double(closest[i]) } }
            let candidates = (0..<trials).map { _ in drawPoint(rng.nextUnitDouble() * total) }
            let blocks = CentreBlocks(rows: candidates.map { x + $0 * d }, d: d)
            var potentials = [Double](repeating: 0, count: 2 * trials)
            potentials.withUnsafeMutableBufferPointer { pb in
                let p = pb.baseAddress!
                blocks.vectors.withUnsafeBufferPointer { vb in
                    let vectors = vb.baseAddress!
                    forParts(work: n * d * trials) { part, lo, hi in
                        var sums = [Double](repeating: 0, count: trials)
                        for i in lo..<hi {
                            let row = x + i * d, weight = weights[i], current = closest[i]
                            for b in 0..<blocks.count {
                                let lanes = min(8, trials - 8 * b)
                                let distances = blockDistances(row, vectors + b * d, d)
                                for l in 0..<lanes {
                                    let t = 8 * b + l
                                    let dist = min(current, distances[l])
                                    candidateDistances[t * n + i] = dist
                                    sums[t] += weight * Double(dist)
                                }
                            }
                        }
                        for t in 0..<trials { p[part * trials + t] = sums[t] }
                    }
                }
            }
            var best = 0, bestPotential = Double.infinity
            for t in 0..<trials {
                let potential = potentials[t] + potentials[trials + t]
                if potential < bestPotential { bestPotential = potential; best = t }
            }
            chosen.append(candidates[best])
            closest.update(from: candidateDistances + best * n, count: n)
        }
        var centres = [Float](repeating: 0, count: chosen.count * d)
        for (c, i) in chosen.enumerated() { for j in 0..<d { centres[c * d + j] = x[i * d + j] } }
        return centres
    }

    /// Up to `count` weighted rows, in order, differing from every row in `chosen` and from each other.
    func remainingDistinctRows(besides chosen: [Int], count: Int) -> [Int] {
        var seen = Set(chosen.map { Array(UnsafeBufferPointer(start: x + $0 * d, count: d)) })
        var picked: [Int] = []
        for i in 0..<n where weights[i] > 0 && picked.count < count {
            if seen.insert(Array(UnsafeBufferPointer(start: x + i * d, count: d))).inserted { picked.append(i) }
        }
        return picked
    }

    /// Lloyd iterations from `centres` (`k × d`); the labels, centres and
    /// inertia after the last assignment.
    func fit(centres start: [Float], k: Int, maxIter: Int, tolerance: Double) -> KMeans.Result {
        let n = self.n, d = self.d, x = self.x, weights = self.weights
        var centres = start
        var labels = [Int32](repeating: -1, count: n)
        var distances = [Float](repeating: 0, count: n)
        var sums = [Double](repeating: 0, count: 2 * k * d)
        var mass = [Double](repeating: 0, count: 2 * k)
        var changes = [Int](repeating: 0, count: 2)
        var iterations = 0
        var consistent = false  // labels and distances are those of `centres`
        labels.withUnsafeMutableBufferPointer { lb in
        distances.withUnsafeMutableBufferPointer { db in
        sums.withUnsafeMutableBufferPointer { sb in
        mass.withUnsafeMutableBufferPointer { mb in
        changes.withUnsafeMutableBufferPointer { cb in
            let labels = lb.baseAddress!, distances = db.baseAddress!, sums = sb.baseAddress!
            let mass = mb.baseAddress!, changes = cb.baseAddress!
            for iteration in 1...maxIter {
                iterations = iteration
                // Assignment, with each part's weighted sums and mass.
                sums.update(repeating: 0, count: 2 * k * d)
                mass.update(repeating: 0, count: 2 * k)
                let parts: Int
                if Self.usesProducts(k: k, d: d) {
                    changes[0] = assignRowsThroughProducts(centres, k: k, labels: labels, distances: distances, sums: sums, mass: mass)
                    parts = 1
                } else {
                    let blocks = CentreBlocks(centres, count: k, d: d)
                    parts = blocks.vectors.withUnsafeBufferPointer { cp in
                        let c = cp.baseAddress!
                        return forParts(work: n * k * d) { part, lo, hi in
                            changes[part] = assignRows(lo, hi, centres: c, k: k, labels: labels, distances: distances,
                                                       sums: sums + part * k * d, mass: mass + part * k)
                        }
                    }
                }
                if parts == 2 {
                    for j in 0..<(k * d) { sums[j] += sums[k * d + j] }
                    for c in 0..<k { mass[c] += mass[k + c] }
                }
                let changed = changes[0] + (parts == 2 ? changes[1] : 0)
                if changed == 0 { consistent = true; break }  // strict convergence
                relocateEmptyClusters(k: k, labels: labels, distances: distances, sums: sums, mass: mass)
                // New centres.
                var shift = 0.0
                for c in 0..<k where mass[c] > 0 {
                    let s = sums + c * d
                    for j in 0..<d {
                        let v = Float(s[j] / mass[c])
                        let t = Double(v - centres[c * d + j])
                        shift += t * t
                        centres[c * d + j] = v
                    }
                }
                if shift <= tolerance { break }
            }
            if !consistent && Self.usesProducts(k: k, d: d) {
                _ = assignRowsThroughProducts(centres, k: k, labels: labels, distances: distances, sums: nil, mass: nil)
            } else if !consistent {
                CentreBlocks(centres, count: k, d: d).vectors.withUnsafeBufferPointer { cp in
                    let c = cp.baseAddress!
                    forParts(work: n * k * d) { _, lo, hi in
                        _ = assignRows(lo, hi, centres: c, k: k, labels: labels, distances: distances, sums: nil, mass: nil)
                    }
                }
            }
        }}}}}
        var inertia = 0.0
        for i in 0..<n { inertia += weights[i] * Double(distances[i]) }
        let centroidRows = (0..<k).map { c in (0..<d).map { Double(centres[c * d + $0]) } }
        return KMeans.Result(labels: labels.map(Int.init), centroids: centroidRows, inertia: inertia, iterations: iterations)
    }

    /// Nearest centre (the first on ties) of rows `lo..<hi` and the squared
    /// distance to it; adds each row's weighted values and weight to its
    /// cluster's `sums` and `mass` when given. Returns how many labels changed.
    func assignRows(_ lo: Int, _ hi: Int, centres blocks: UnsafePointer<SIMD8<Float>>, k: Int,
                    labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Float>,
                    sums: UnsafeMutablePointer<Double>?, mass: UnsafeMutablePointer<Double>?) -> Int {
        let d = self.d, blockCount = (k + 7) / 8
        var changed = 0
        for i in lo..<hi {
            let row = x + i * d
            var best = 0
            var bestDistance = Float.infinity
            for b in 0..<blockCount {
                let lanes = min(8, k - 8 * b)
                let block = blockDistances(row, blocks + b * d, d)
                for l in 0..<lanes where block[l] < bestDistance {
                    bestDistance = block[l]
                    best = 8 * b + l
                }
            }
            if record(i, best: best, distance: bestDistance, labels: labels, distances: distances, sums: sums, mass: mass) {
                changed += 1
            }
        }
        return changed
    }

    /// Stores row `i`'s nearest centre and squared distance, and adds its
    /// weighted values and weight to that cluster's `sums` and `mass` when
    /// given. Returns whether the label changed.
    @inline(__always)
    func record(_ i: Int, best: Int, distance: Float, labels: UnsafeMutablePointer<Int32>,
                distances: UnsafeMutablePointer<Float>,
                sums: UnsafeMutablePointer<Double>?, mass: UnsafeMutablePointer<Double>?) -> Bool {
        let changed = labels[i] != Int32(best)
        labels[i] = Int32(best)
        distances[i] = distance
        if let sums, let mass {
            let weight = weights[i], row = x + i * d
            mass[best] += weight
            let s = sums + best * d
            for j in 0..<d { s[j] += weight * Double(row[j]) }
        }
        return changed
    }

    /// Whether assignment goes through BLAS products (see the type's comment).
    static func usesProducts(k: Int, d: Int) -> Bool { k >= 64 && d >= 32 }

    /// `assignRows` for many centres in many dimensions: for each block of
    /// rows one sgemm gives x·c for every centre, the nearest centre (first
    /// on ties) minimises ‖c‖² − 2x·c, and the squared distance to it is then
    /// computed directly. Returns how many labels changed.
    func assignRowsThroughProducts(_ centres: [Float], k: Int, labels: UnsafeMutablePointer<Int32>,
                                   distances: UnsafeMutablePointer<Float>,
                                   sums: UnsafeMutablePointer<Double>?, mass: UnsafeMutablePointer<Double>?) -> Int {
        let d = self.d, rowsPerBlock = 1024
        var norms = [Float](repeating: 0, count: k)
        for c in 0..<k {
            var s: Float = 0
            for j in 0..<d { s += centres[c * d + j] * centres[c * d + j] }
            norms[c] = s
        }
        var products = [Float](repeating: 0, count: rowsPerBlock * k)
        var changed = 0
        centres.withUnsafeBufferPointer { cp in
        products.withUnsafeMutableBufferPointer { pp in
            let c = cp.baseAddress!, p = pp.baseAddress!
            var lo = 0
            while lo < n {
                let rows = min(rowsPerBlock, n - lo)
                BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: k, k: d,
                           alpha: 1, a: x + lo * d, b: c, beta: 0, c: p)
                for r in 0..<rows {
                    let i = lo + r, scores = p + r * k
                    var best = 0
                    var bestScore = Float.infinity
                    for j in 0..<k {
                        let score = norms[j] - 2 * scores[j]
                        if score < bestScore { bestScore = score; best = j }
                    }
                    let row = x + i * d, centre = c + best * d
                    var distance: Float = 0
                    for j in 0..<d { let t = row[j] - centre[j]; distance += t * t }
                    if record(i, best: best, distance: distance, labels: labels, distances: distances, sums: sums, mass: mass) {
                        changed += 1
                    }
                }
                lo += rows
            }
        }
        }
        return changed
    }

    /// scikit-learn's recovery for clusters left without weight: each takes
    /// one of the points farthest from their (previous) centre, farthest
    /// first, which is moved out of the cluster it was assigned to.
    func relocateEmptyClusters(k: Int, labels: UnsafePointer<Int32>, distances: UnsafePointer<Float>,
                               sums: UnsafeMutablePointer<Double>, mass: UnsafeMutablePointer<Double>) {
        let empty = (0..<k).filter { mass[$0] == 0 }
        guard !empty.isEmpty else { return }
        let d = self.d
        if let rows {
            // Single rows move, as from the rows themselves: each farthest row
            // takes one unit of its vector's weight to an empty cluster.
            for (cluster, row) in zip(empty, rows.farthestRows(empty.count, distance: distances)) {
                let v = Int(rows.vectorOfRow[row]), old = Int(labels[v]), point = x + v * d
                for j in 0..<d {
                    sums[old * d + j] -= Double(point[j])
                    sums[cluster * d + j] = Double(point[j])
                }
                mass[old] -= 1
                if mass[old] < 0 { mass[old] = 0 }
                mass[cluster] = 1
            }
            return
        }
        // The farthest points, farthest first (the lower index on ties).
        var far: [Int] = []
        for i in 0..<n {
            if far.count == empty.count {
                let last = far[far.count - 1]
                guard distances[i] > distances[last] else { continue }
                far.removeLast()
            }
            var at = far.count
            while at > 0 && distances[far[at - 1]] < distances[i] { at -= 1 }
            far.insert(i, at: at)
        }
        for (cluster, point) in zip(empty, far) {
            let old = Int(labels[point]), weight = weights[point], row = x + point * d
            for j in 0..<d {
                sums[old * d + j] -= weight * Double(row[j])
                sums[cluster * d + j] = weight > 0 ? weight * Double(row[j]) : Double(row[j])
            }
            mass[old] -= weight
            if mass[old] < 0 { mass[old] = 0 }
            mass[cluster] = weight > 0 ? weight : 1
        }
    }
}

/// Up to eight points per block laid out for `blockDistances`: block `b` is
/// `d` vectors, the j-th holding coordinate j of points 8b…8b+7 (zero in
/// lanes past the last point).
struct CentreBlocks {
    var vectors: [SIMD8<Float>]
    let count: Int

    init(rows: [UnsafePointer<Float>], d: Int) {
        count = (rows.count + 7) / 8
        vectors = [SIMD8<Float>](repeating: SIMD8(), count: count * d)
        for (p, row) in rows.enumerated() {
            for j in 0..<d { vectors[(p / 8) * d + j][p % 8] = row[j] }
        }
    }

    init(_ flat: [Float], count k: Int, d: Int) {
        self = flat.withUnsafeBufferPointer { f in CentreBlocks(rows: (0..<k).map { f.baseAddress! + $0 * d }, d: d) }
    }
}

/// Squared Euclidean distances Σⱼ (row[j] − point[j])² from one row to the
/// eight points of a block, one per lane.
@inline(__always)
func blockDistances(_ row: UnsafePointer<Float>, _ block: UnsafePointer<SIMD8<Float>>, _ d: Int) -> SIMD8<Float> {
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
    var j = 0
    while j &+ 2 <= d {
        let u0 = SIMD8<Float>(repeating: row[j]) - block[j]
        let u1 = SIMD8<Float>(repeating: row[j &+ 1]) - block[j &+ 1]
        a0 += u0 * u0
        a1 += u1 * u1
        j &+= 2
    }
    if j < d {
        let u = SIMD8<Float>(repeating: row[j]) - block[j]
        a0 += u * u
    }
    return a0 + a1
}

public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

#if canImport(Glibc)
import Glibc
#endif

/// Choosing k.
public enum Elbow {
    /// The FairGRPO reference's rule: k_cap = number of inertias (min(3, distinct
    /// vectors)); with drops D1 = I1 − I2 and D2 = I2 − I3, return 2 if
    /// D2 < tolerance · D1, else k_cap (1 when only one distinct vector).
    public static func referenceK(inertias: [Double], tolerance: Double = 0.10) -> Int {
        let cap = inertias.count
        if cap <= 1 { return 1 }
        if cap == 2 { return 2 }
        let d1 = inertias[0] - inertias[1], d2 = inertias[1] - inertias[2]
        return d2 < tolerance * d1 ? 2 : cap
    }

    /// Clusters reward vectors with k chosen by the reference elbow rule.
    public static func clusterReference(_ points: [[Double]], seed: UInt64) throws -> KMeans.Result {
        let distinct = Set(points.map { $0.map(\.bitPattern) }).count
        let cap = min(3, distinct)
        var fits: [KMeans.Result] = []
        for k in 1...max(cap, 1) { fits.append(try KMeans(k: k, nInit: 4, seed: seed).fit(points)) }
        return fits[referenceK(inertias: fits.map(\.inertia)) - 1]
    }

    /// `clusterReference` of every row of `rows`, computed on its distinct
    /// vectors weighted by their counts (`KMeans.fit(_: DistinctRows)`): the
    /// result's labels are per distinct vector.
    public static func clusterReference(_ rows: DistinctRows, seed: UInt64) throws -> KMeans.Result {
        let cap = min(3, rows.distinctCount)
        var fits: [KMeans.Result] = []
        for k in 1...max(cap, 1) { fits.append(try KMeans(k: k, nInit: 4, seed: seed).fit(rows)) }
        return fits[referenceK(inertias: fits.map(\.inertia)) - 1]
    }

    /// Inertia for k = 1…kmax, for an elbow plot.
    public static func table(_ x: Tensor, kmax: Int, seed: UInt64, nInit: Int = 4) throws -> [(k: Int, inertia: Double)] {
        guard kmax >= 1 else { throw ClusterError("elbow: kmax must be at least 1") }
        return try (1...kmax).map { k in (k, try KMeans(k: k, nInit: nInit, seed: seed).fit(x).inertia) }
    }
}
