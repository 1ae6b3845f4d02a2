import Cluster
import Data
import Tensors

/// The trainer's side of latent-group discovery: the vectors clustered when
/// the option asks for features or embeddings, and the per-step agreement of
/// the discovered clusters with the true groups (known when `mask` hid them,
/// or for `fairgrpo_nd`, which ignores the groups it has).
extension Trainer {
    /// Fails early for options the policy or method cannot serve.
    static func checkClustering(_ config: TrainerConfig, policy: Policy) throws {
        if config.clustering.space == .embeddings, policy.hidden.isEmpty {
            throw RLError("cluster_on=\"embeddings\" needs a policy with a hidden layer (this one is linear: policy(data, hidden=[64]))")
        }
        if config.clustering.quantize != nil, config.clustering.space != .rewards {
            throw RLError("cluster_quantize rounds reward vectors; it cannot be used with cluster_on=\"\(config.clustering.space.rawValue)\"")
        }
    }

    /// Clustering vectors of dataset rows: scaled features, or the policy's
    /// last hidden-layer activations as the policy is now.
    func clusteringVectors(_ rows: [Int]) throws -> [[Double]] {
        guard !rows.isEmpty else { return [] }
        let x = try data.features.take(rows, axis: 0)
        let v: Tensor
        switch config.clustering.space {
        case .rewards, .features: v = x
        case .embeddings: v = try Autodiff.withoutGradients { try policy.model.hidden(x) }
        }
        let d = v.shape[1]
        let s = v.scalars
        return (0..<rows.count).map { i in (0..<d).map { Double(s[i * d + $0]) } }
    }

    /// Every clustered prompt whose true group is known: its dataset row, its
    /// discovered cluster ("domain#c") and its true group ("domain/group").
    public func discoveredGroups() -> (rows: [Int], clusters: [String], truth: [String]) {
        var rows: [Int] = [], clusters: [String] = [], truth: [String] = []
        let keys = groupTruth.keys
        for domain in fair.latent.keys.sorted() {
            let labels = fair.latent[domain]!.labels
            for (position, row) in (fair.unknownRows[domain] ?? []).enumerated() where row >= 0 && position < labels.count && keys[row] != "UNK" {
                rows.append(row)
                clusters.append(domain + "#" + String(labels[position]))
                truth.append(GroupKey(domain, keys[row]).description)
            }
        }
        return (rows, clusters, truth)
    }

    /// Codes 0, 1, … in order of first appearance.
    static func codes(_ labels: [String]) -> [Int] {
        var index: [String: Int] = [:]
        return labels.map { l in
            if let i = index[l] { return i }
            index[l] = index.count
            return index.count - 1
        }
    }

    /// The agreement log of the step that just weighted its batch. The same
    /// labelings as `discoveredGroups()`, in the same order and coded by first
    /// appearance as `codes` does, but built from integers: this runs at every
    /// step over the whole history.
    func clusterLog(step: Int, milliseconds: Double) throws -> ClusterLog {
        try ClusterLog.measure(fair, truth: groupTruth.codes, step: step, milliseconds: milliseconds)
    }
}

extension ClusterLog {
    /// The agreement of `fair`'s last clusterings with the true groups: `truth[row]` is
    /// the code of a clustered prompt's row (−1 when unknown). Used by trainers and replays.
    /// This runs at every step over the whole history, so it counts the contingency
    /// table straight from integer arrays (a handful of clusters and groups), with
    /// both labelings coded by first appearance as `Trainer.codes` does: the same
    /// table, so the same numbers, as `Agreement` of the two coded labelings.
    static func measure(_ fair: FairWeighting, truth: [Int], step: Int, milliseconds: Double) throws -> ClusterLog {
        var clusterCode: [Int] = [], truthCode: [Int] = []  // −1: not seen yet
        var table: [[Int]] = [], width = 0, known = 0
        var offset = 0
        for domain in fair.latent.keys.sorted() {
            let latent = fair.latent[domain]!
            let labels = latent.labels, rows = fair.unknownRows[domain] ?? []
            clusterCode += [Int](repeating: -1, count: latent.centroids.count)
            for position in 0..<min(rows.count, labels.count) {
                let row = rows[position]
                guard row >= 0 else { continue }
                let g = truth[row]
                guard g >= 0 else { continue }
                let c = offset + labels[position]
                if clusterCode[c] < 0 {
                    clusterCode[c] = table.count
                    table.append([Int](repeating: 0, count: width))
                }
                if g >= truthCode.count { truthCode += [Int](repeating: -1, count: g + 1 - truthCode.count) }
                if truthCode[g] < 0 {
                    truthCode[g] = width
                    width += 1
                    for i in table.indices { table[i].append(0) }
                }
                table[clusterCode[c]][truthCode[g]] += 1
                known += 1
            }
            offset += latent.centroids.count
        }
        var ari = Double.nan, nmi = Double.nan
        if known > 0 {
            let a = try Agreement(table: table)
            ari = a.ari
            nmi = a.nmi
        }
        return ClusterLog(step: step, clusters: fair.latent.values.reduce(0) { $0 + $1.centroids.count }, known: known,
                          reclustered: fair.lastReclustered, ari: ari, nmi: nmi, milliseconds: milliseconds)
    }
}

/// Each row's true group key ("UNK" when unknown) and a code for its (domain, group), −1 when unknown.
struct GroupTruth {
    let keys: [String]
    let codes: [Int]

    init(_ data: Dataset) {
        let cells = data.groupCells(truth: true)
        keys = cells.map(\.group)
        var index: [GroupKey: Int] = [:]
        codes = cells.map { key in
            guard key.group != "UNK" else { return -1 }
            if let i = index[key] { return i }
            index[key] = index.count
            return index.count - 1
        }
    }
}
