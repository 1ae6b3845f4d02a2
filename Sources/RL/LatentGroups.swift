import Cluster
import Tensors

/// How FairGRPO clusters the prompts that have no demographics. The defaults
/// are the reference's: reward vectors, k by the elbow rule (k ≤ 3,
/// tolerance 0.10), the whole history re-clustered at every step.
///
/// Beyond the reference:
/// - `space`: cluster the prompts' scaled `features`, or the policy's last
///   hidden-layer `embeddings` (recomputed with the current policy for the
///   whole history at each re-clustering), instead of their reward vectors.
///   A centroid then says nothing about rewards, so μ_g is the mean reward of
///   the cluster's members.
/// - `k`: `silhouette` picks the k in 2…kmax with the highest mean silhouette
///   (ties to the smaller k; 1 when all vectors are identical).
/// - `reclusterEvery = N`: re-cluster only at batches 1, N+1, 2N+1, … (and
///   whenever a domain has no clustering yet). In between, each new prompt
///   joins the nearest centroid of its domain's last clustering (squared
///   Euclidean distance, ties to the lower index); centroids stay put, N_g
///   counts the members including those that joined since, and μ_g becomes
///   the running mean reward of the members. This bounds the cost, which
///   otherwise grows with the length of training (docs/clustering.md).
/// - `distinct` (on by default, no change to the result): with the elbow rule
///   on reward vectors, cluster the history's distinct vectors weighted by
///   their counts, the same clustering as of every row (bit for bit, rewards
///   on a grid of 1/16 such as 0/1; others go the per-row way) at a cost set
///   by the distinct vectors, not the history's length. Off: every row.
/// - `quantize = q`: round each reward to a multiple of q before clustering
///   (continuous rewards then repeat too); μ_g is the members' mean reward.
public struct ClusteringOptions: Sendable, Equatable {
    public enum Space: String, CaseIterable, Sendable { case rewards, features, embeddings }
    public enum KRule: String, CaseIterable, Sendable { case elbow, silhouette }

    public var space: Space = .rewards
    public var k: KRule = .elbow
    /// Largest k the silhouette rule tries (the elbow rule keeps the reference's cap of 3).
    public var kmax = 3
    public var reclusterEvery = 1
    /// Round rewards to multiples of this step before clustering them (nil: as they are).
    public var quantize: Double?
    /// Cluster the distinct reward vectors weighted by their counts (false: every row).
    public var distinct = true

    public init(space: Space = .rewards, k: KRule = .elbow, kmax: Int = 3, reclusterEvery: Int = 1,
                quantize: Double? = nil, distinct: Bool = true) {
        self.space = space; self.k = k; self.kmax = kmax; self.reclusterEvery = reclusterEvery
        self.quantize = quantize; self.distinct = distinct
    }

    /// True for the reference's behaviour.
    public var isReference: Bool { self == ClusteringOptions() }

    /// One line for summaries, e.g. "rewards · elbow · every step".
    public var summary: String {
        let rule = k == .elbow ? "elbow" : "silhouette k ≤ \(kmax)"
        return "\(space.rawValue)" + (quantize.map { " rounded to \(formatStep($0))" } ?? "") + " · \(rule) · "
            + (reclusterEvery == 1 ? "every step" : "every \(reclusterEvery) steps") + (distinct ? "" : " · every row")
    }

    private func formatStep(_ q: Double) -> String {
        q == q.rounded() && abs(q) < 1e15 ? String(Int(q)) : String(q)
    }

}

/// The last clustering of one domain's UNK history and what has joined it since.
public struct DomainClustering: Sendable, Equatable {
    /// Centroids in the clustering space.
    public var centroids: [[Double]]
    /// The cluster of each prompt of the domain's UNK history, in history order.
    public var labels: [Int]
    /// Members per cluster.
    public var sizes: [Int]
    /// μ_g per cluster: the centroid's mean (reward space, as the reference) or
    /// the members' mean reward; updated as prompts join between re-clusterings.
    public var means: [Double]
    /// Rewards counted in `means` per cluster (for the running mean).
    public var rewardCounts: [Double]
    /// The batch (1-based count of weighting calls) at which it was fitted.
    public var fittedAt: Int

    public init(centroids: [[Double]], labels: [Int], sizes: [Int], means: [Double], rewardCounts: [Double], fittedAt: Int) {
        self.centroids = centroids; self.labels = labels; self.sizes = sizes
        self.means = means; self.rewardCounts = rewardCounts; self.fittedAt = fittedAt
    }

    /// Fits a clustering of `points` (the clustering vectors of the history)
    /// with `rewards` the members' reward vectors.
    static func fit(_ points: [[Double]], rewards: [[Double]], options: ClusteringOptions, seed: UInt64, batch: Int) throws -> DomainClustering {
        let result = try chooseK(points, options: options, seed: seed)
        let k = result.centroids.count
        // Sizes and centroid means with exactly the reference's arithmetic (a filter
        // count per cluster, Σ/count of the centroid), so the default path is bit-identical.
        let sizes = (0..<k).map { c in result.labels.filter { $0 == c }.count }
        var means: [Double], counts = [Double](repeating: 0, count: k)
        for (l, r) in zip(result.labels, rewards) { counts[l] += Double(r.count) }
        if options.space == .rewards && options.quantize == nil {
            means = result.centroids.map { $0.reduce(0, +) / Double($0.count) }
        } else {
            var sums = [Double](repeating: 0, count: k)
            for (l, r) in zip(result.labels, rewards) { sums[l] += r.reduce(0, +) }
            means = (0..<k).map { counts[$0] > 0 ? sums[$0] / counts[$0] : 0 }
        }
        return DomainClustering(centroids: result.centroids, labels: result.labels, sizes: sizes, means: means, rewardCounts: counts, fittedAt: batch)
    }

    /// The nearest centroid (squared Euclidean; ties to the lower index).
    func nearest(_ v: [Double]) -> Int {
        var best = 0, bestDistance = Double.infinity
        for (c, centre) in centroids.enumerated() {
            var d = 0.0
            for (a, b) in zip(v, centre) { d += (a - b) * (a - b) }
            if d < bestDistance { best = c; bestDistance = d }
        }
        return best
    }

    /// A prompt joins its nearest cluster between re-clusterings.
    mutating func join(_ v: [Double], rewards: [Double]) throws {
        guard let first = centroids.first, first.count == v.count else {
            throw RLError("clustering: a vector of length \(v.count) cannot join clusters of dimension \(centroids.first?.count ?? 0)")
        }
        let c = nearest(v)
        labels.append(c)
        sizes[c] += 1
        let n = Double(rewards.count)
        if n > 0 {
            means[c] = (means[c] * rewardCounts[c] + rewards.reduce(0, +)) / (rewardCounts[c] + n)
            rewardCounts[c] += n
        }
    }

    /// k-means with k by the options' rule.
    static func chooseK(_ points: [[Double]], options: ClusteringOptions, seed: UInt64) throws -> KMeans.Result {
        switch options.k {
        case .elbow:
            return try Elbow.clusterReference(points, seed: seed)
        case .silhouette:
            guard !points.isEmpty else { throw ClusterError("clustering: no points") }
            let distinct = Set(points.map { $0.map(\.bitPattern) }).count
            // The silhouette needs 2 ≤ k ≤ n − 1; two points in two clusters is the only fit left.
            let cap = min(options.kmax, distinct, max(points.count - 1, 2))
            if cap < 2 { return try KMeans(k: 1, nInit: 4, seed: seed).fit(points) }
            let d = points[0].count
            let x = try Tensor(shape: [points.count, d], scalars: points.flatMap { $0.map(Float.init) })
            var best: KMeans.Result?, bestScore = -Double.infinity
            for k in 2...cap {
                let fit = try KMeans(k: k, nInit: 4, seed: seed).fit(points)
                // A sample bounds the O(n²) cost on a long history (seeded, so deterministic).
                let score = (try? Silhouette.score(x, labels: fit.labels, sampleSize: 2000, seed: seed)) ?? -Double.infinity
                if best == nil || score > bestScore { best = fit; bestScore = score }
            }
            return best!
        }
    }
}

/// Agreement of the discovered clusters with the masked true groups at one step.
public struct ClusterLog: Sendable, Equatable {
    public var step: Int
    /// Clusters over all domains.
    public var clusters: Int
    /// Clustered prompts whose true group is known (those the scores are computed on).
    public var known: Int
    /// Whether any domain was re-clustered at this step (false: prompts joined the last clustering).
    public var reclustered: Bool
    /// Adjusted Rand index and normalised mutual information (NaN when no truth is known).
    public var ari: Double, nmi: Double
    /// Time spent clustering (re-clustering the history or joining new prompts to it).
    public var milliseconds: Double

    public init(step: Int, clusters: Int, known: Int, reclustered: Bool, ari: Double, nmi: Double, milliseconds: Double) {
        self.step = step; self.clusters = clusters; self.known = known; self.reclustered = reclustered
        self.ari = ari; self.nmi = nmi; self.milliseconds = milliseconds
    }

    public static let columns = ["clusters", "ari", "nmi", "reclustered", "cluster_ms"]
    public var values: [Double] { [Double(clusters), ari, nmi, reclustered ? 1 : 0, milliseconds] }
}
