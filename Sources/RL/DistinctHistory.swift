import Cluster

/// One domain's history of reward vectors grouped by distinct (or quantised)
/// vector, kept up to date as prompts arrive, so that re-clustering the whole
/// history costs what its distinct vectors cost, not its length.
///
/// Without quantisation it is used only when clustering the distinct vectors
/// weighted by their counts gives, bit for bit, the clustering of every row
/// (`KMeans.fit(_: DistinctRows)`): every reward a multiple of 1/16 of
/// magnitude at most 16 (0/1 rewards, halves, quarters…) and at most 64
/// rewards per prompt, so that the squared distances and the sums k-means
/// forms are exact in its arithmetic; any other reward switches the domain to
/// the per-row path. With `cluster_quantize = q` the vectors are rounded to
/// multiples of q first (continuous rewards), always clustered as distinct
/// vectors while they number at most `maxDistinct`.
struct DistinctHistory: Sendable {
    var table: DistinctRows
    /// The step the vectors were rounded to (nil: as they are).
    let quantize: Double?
    /// Per distinct vector: the sum of its rows' rewards (with quantisation, μ_g
    /// is the members' mean reward, not the rounded centroid's).
    var rewardSums: [Double] = []
    /// History rows taken in so far.
    var seen = 0
    /// False once a reward off the exact grid (without quantisation) or too many
    /// distinct vectors turned the domain to the per-row path.
    var usable = true

    /// Beyond this many distinct vectors, clustering every row is as cheap.
    static let maxDistinct = 4096

    init(dimension: Int, quantize: Double?) {
        table = DistinctRows(dimension: dimension)
        self.quantize = quantize
    }

    /// Whether k-means of the distinct vectors is bit for bit that of the rows.
    static func onExactGrid(_ v: [Double]) -> Bool {
        v.count <= 64 && v.allSatisfy { x in abs(x) <= 16 && (x * 16).rounded() == x * 16 }
    }

    /// Takes in the rows of `history` not yet seen.
    mutating func update(_ history: [[Double]]) throws {
        while usable && seen < history.count {
            let rewards = history[seen]
            let v: Int
            if let q = quantize {
                v = try table.append(ClusteringOptions.quantized(rewards, step: q))
            } else {
                guard Self.onExactGrid(rewards) else { usable = false; break }
                v = try table.append(rewards)
            }
            if v == rewardSums.count { rewardSums.append(0) }
            rewardSums[v] += rewards.reduce(0, +)
            seen += 1
            if table.distinctCount > Self.maxDistinct { usable = false }
        }
    }
}

extension ClusteringOptions {
    /// Rewards rounded to the nearest multiple of `step` (halves away from zero).
    static func quantized(_ rewards: [Double], step: Double) -> [Double] {
        rewards.map { ($0 / step).rounded() * step }
    }

    /// Whether the elbow rule on reward vectors may cluster distinct vectors.
    var clustersDistinctVectors: Bool { distinct && space == .rewards && k == .elbow }
}

extension FairWeighting {
    /// A new clustering of `domain`'s whole UNK history: of its distinct reward
    /// vectors weighted by their counts when the options allow it and the
    /// rewards are on the exact grid (or quantised), else of every row.
    mutating func refit(_ domain: String, embed: (([Int]) throws -> [[Double]])?) throws -> DomainClustering {
        let history = unknownHistory[domain]!
        if clustering.clustersDistinctVectors, let dimension = history.first?.count {
            var table = distinctHistory.removeValue(forKey: domain) ?? DistinctHistory(dimension: dimension, quantize: clustering.quantize)
            if table.quantize != clustering.quantize || table.seen > history.count {
                table = DistinctHistory(dimension: dimension, quantize: clustering.quantize)
            }
            try table.update(history)
            distinctHistory[domain] = table
            if table.usable {
                return try DomainClustering.fit(table, seed: seed, batch: batches)
            }
        }
        let points = try clusteringVectors(Array(history.indices), domain: domain, embed: embed)
        return try DomainClustering.fit(points, rewards: history, options: clustering, seed: seed, batch: batches)
    }
}

extension DomainClustering {
    /// The reference's clustering (elbow rule) of every row of a domain's
    /// history, computed on its distinct vectors: the same labels, sizes and
    /// centroid means as `fit` on the rows (members' mean rewards when quantised).
    static func fit(_ history: DistinctHistory, seed: UInt64, batch: Int) throws -> DomainClustering {
        let table = history.table
        let result = try Elbow.clusterReference(table, seed: seed)
        let k = result.centroids.count
        let sizes = table.sizes(result.labels, k: k)
        let counts = sizes.map { Double($0) * Double(table.dimension) }
        let means: [Double]
        if history.quantize == nil {
            means = result.centroids.map { $0.reduce(0, +) / Double($0.count) }
        } else {
            var sums = [Double](repeating: 0, count: k)
            for (v, l) in result.labels.enumerated() { sums[l] += history.rewardSums[v] }
            means = (0..<k).map { counts[$0] > 0 ? sums[$0] / counts[$0] : 0 }
        }
        return DomainClustering(centroids: result.centroids, labels: table.rowLabels(result.labels), sizes: sizes,
                                means: means, rewardCounts: counts, fittedAt: batch)
    }
}
