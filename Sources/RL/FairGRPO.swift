import Cluster
import Data
import Tensors

/// FairGRPO's hierarchical, adaptive importance weighting (Dai et al., 2025),
/// as the authors' training code computes it:
///
/// 1. s = GRPO advantage per rollout (sample std, ε = 1e-6);
/// 2. the batch is added to cumulative per-(domain, group) statistics first;
/// 3. T_d = max(√N_d · μ_d, ε), factor = T_d · √N_g · μ_g, s' = s / factor
///    (s kept where s' is NaN or infinite, e.g. μ_g = 0; no clamp);
/// 4. A = s' / (sample std of s' over the batch + ε), no mean subtraction.
///
/// Prompts without demographics (UNK) are clustered per domain on the whole
/// history of that domain's UNK reward vectors, k by the reference elbow
/// rule; the cluster's size and centroid mean stand in for N_g and μ_g.
/// `allUnknown` is FairGRPO_ND: every prompt clustered, μ_d the mean of the
/// centroid means weighted by 1/cluster size, μ_g floored at ε, factor
/// clamped to [ε, 1e6]. Options beyond the reference (off by default):
/// exponential decay of the statistics, a cap on weights, and how the UNK
/// prompts are clustered (`clustering`: features or embeddings instead of
/// reward vectors, k by silhouette, re-clustering every N batches).
public struct FairWeighting: Sendable {
    public enum Statistics: Sendable, Equatable { case cumulative, ema(decay: Double) }

    /// Running sums for one domain or one (domain, group).
    public struct Cell: Sendable, Equatable {
        public var prompts = 0.0, rewardSum = 0.0, rewardCount = 0.0
        public var mean: Double { rewardCount > 0 ? rewardSum / rewardCount : 0 }

        mutating func add(rewardSum total: Double, count: Double) {
            prompts += 1
            rewardSum += total
            rewardCount += count
        }
    }

    public var statistics: Statistics = .cumulative
    public var allUnknown = false
    /// Cap on a rollout's weight 1/factor, as a multiple of the batch's median weight (nil: no cap).
    public var weightClip: Double?
    public var seed: UInt64 = 0
    /// Step 1's scaling: the reference divides by each prompt's std ("group"); "batch" or
    /// "none" (TRL's scale_rewards) keep a per-prompt reward scale such as the balanced reward's.
    public var scaling: Advantage.RewardScaling = .group

    public private(set) var domains: [String: Cell] = [:]
    public private(set) var groups: [GroupKey: Cell] = [:]
    /// Reward vectors of every UNK prompt seen, per domain (the reference re-clusters them all each step).
    public private(set) var unknownHistory: [String: [[Double]]] = [:]
    /// The dataset row of each prompt of `unknownHistory` (−1 when not given).
    public private(set) var unknownRows: [String: [Int]] = [:]
    /// How UNK prompts are clustered (the reference's way by default).
    public var clustering = ClusteringOptions()
    /// The last clustering of each domain's UNK history.
    public private(set) var latent: [String: DomainClustering] = [:]
    /// Batches weighted so far (decides the re-clustering steps).
    public private(set) var batches = 0
    /// Whether the last batch re-clustered any domain.
    public private(set) var lastReclustered = false
    /// Wall time of the last batch's clustering (re-clustering or joining), in ms.
    public private(set) var clusteringMilliseconds = 0.0
    /// Each domain's UNK history grouped by distinct reward vector, updated as
    /// prompts arrive (derived from `unknownHistory`, so not part of `state`).
    var distinctHistory: [String: DistinctHistory] = [:]

    public init() {}

    /// One prompt of a batch.
    public struct Prompt: Sendable {
        public var domain: String
        /// nil when the prompt has no demographics (UNK).
        public var group: String?
        public var rewards: [Double]
        /// The dataset row, for clustering on features or embeddings and for scoring clusters against the truth.
        public var row: Int?
        public init(domain: String, group: String?, rewards: [Double], row: Int? = nil) {
            self.domain = domain; self.group = group; self.rewards = rewards; self.row = row
        }
    }

    /// Per-prompt terms of the weighting, for `weights(t)` and `trace(t)`.
    public struct Terms: Sendable {
        public var groupLabel: String
        public var nDomain: Double, muDomain: Double, tDomain: Double
        public var nGroup: Double, muGroup: Double
        public var factor: Double
        /// True when s' was not finite and s was kept.
        public var fellBack: Bool
    }

    /// Steps 1–4 for one batch: updates the statistics and returns the final
    /// advantages (same shape as `rewards`), the GRPO advantages and each prompt's terms.
    /// `embed` maps dataset rows to the vectors clustered when `clustering.space`
    /// is not the reward vectors (the trainer passes features or embeddings).
    public mutating func advantages(_ batch: [Prompt], embed: (([Int]) throws -> [[Double]])? = nil) throws -> (final: [[Double]], grpo: [[Double]], terms: [Terms]) {
        let s = Advantage.grpo(batch.map(\.rewards), scaling: scaling)
        let cells = addStatistics(batch)
        try recluster(batch, cells: cells, embed: embed)
        var (scaled, terms) = factors(batch, grpo: s, cells: cells)
        clipWeights(grpo: s, scaled: &scaled, terms: &terms)
        return (normalise(scaled), s, terms)
    }

    /// Where the prompts of one batch sit in the statistics after step 2.
    struct BatchCells {
        /// The batch's domains and (domain, group) cells, updated.
        var domains: [Cell] = [], groups: [Cell] = []
        /// Each prompt's slot in `domains` and in `groups` (−1 when UNK).
        var promptDomain: [Int], promptGroup: [Int]
        /// Each UNK prompt's position in its domain's UNK history.
        var unknownIndex: [Int: Int] = [:]
    }

    /// Step 2: decays the statistics (EMA), then adds the batch to them
    /// before any factor is computed; UNK prompts join their domain's history.
    mutating func addStatistics(_ batch: [Prompt]) -> BatchCells {
        if case .ema(let decay) = statistics {
            for k in domains.keys { domains[k]!.prompts *= decay; domains[k]!.rewardSum *= decay; domains[k]!.rewardCount *= decay }
            for k in groups.keys { groups[k]!.prompts *= decay; groups[k]!.rewardSum *= decay; groups[k]!.rewardCount *= decay }
        }
        // The batch's domains and (domain, group) cells are updated in local slots, one
        // dictionary look-up per prompt and name rather than several hashed keys, then
        // written back; each cell still adds its prompts one by one in batch order.
        var cells = BatchCells(promptDomain: [Int](repeating: 0, count: batch.count), promptGroup: [Int](repeating: -1, count: batch.count))
        var domainSlot: [String: Int] = [:], domainOrder: [String] = []
        var groupSlot: [[String: Int]] = [], groupOrder: [GroupKey] = []
        batches += 1
        for (q, p) in batch.enumerated() {
            let total = p.rewards.reduce(0, +), count = Double(p.rewards.count)
            let d: Int
            if let i = domainSlot[p.domain] {
                d = i
            } else {
                d = cells.domains.count
                domainSlot[p.domain] = d
                cells.domains.append(domains[p.domain] ?? Cell())
                domainOrder.append(p.domain)
                groupSlot.append([:])
            }
            cells.domains[d].add(rewardSum: total, count: count)
            cells.promptDomain[q] = d
            if let g = p.group, !allUnknown {
                let c: Int
                if let i = groupSlot[d][g] {
                    c = i
                } else {
                    c = cells.groups.count
                    groupSlot[d][g] = c
                    let k = GroupKey(p.domain, g)
                    cells.groups.append(groups[k] ?? Cell())
                    groupOrder.append(k)
                }
                cells.groups[c].add(rewardSum: total, count: count)
                cells.promptGroup[q] = c
            } else {
                cells.unknownIndex[q] = unknownHistory[p.domain, default: []].count
                unknownHistory[p.domain, default: []].append(p.rewards)
                unknownRows[p.domain, default: []].append(p.row ?? -1)
            }
        }
        for (name, cell) in zip(domainOrder, cells.domains) { domains[name] = cell }
        for (key, cell) in zip(groupOrder, cells.groups) { groups[key] = cell }
        return cells
    }

    /// Clusters of each domain's UNK history: by default every step on the whole
    /// history (as the reference; its distinct vectors when that is the same
    /// clustering); with reclusterEvery = N, new prompts join the last
    /// clustering's nearest centroid in between.
    mutating func recluster(_ batch: [Prompt], cells: BatchCells, embed: (([Int]) throws -> [[Double]])?) throws {
        let unknownIndex = cells.unknownIndex
        lastReclustered = false
        let clusteringStart = monotonicSeconds()
        defer { clusteringMilliseconds = (monotonicSeconds() - clusteringStart) * 1000 }
        let every = max(clustering.reclusterEvery, 1)
        for domain in Set(unknownIndex.keys.map { batch[$0].domain }).sorted() {
            if let previous = latent[domain], (batches - 1) % every != 0 {
                var current = previous
                let fresh = (0..<batch.count).filter { unknownIndex[$0] != nil && batch[$0].domain == domain }
                    .sorted { unknownIndex[$0]! < unknownIndex[$1]! }
                let vectors = try clusteringVectors(fresh.map { unknownIndex[$0]! }, domain: domain, embed: embed)
                for (q, v) in zip(fresh, vectors) { try current.join(v, rewards: batch[q].rewards) }
                latent[domain] = current
            } else {
                latent[domain] = try refit(domain, embed: embed)
                lastReclustered = true
            }
        }
    }

    /// Step 3: each prompt's factor T_d · √N_g · μ_g (a cluster's size and
    /// mean for UNK prompts) and s' = s / factor, s kept where s' is not finite.
    func factors(_ batch: [Prompt], grpo s: [[Double]], cells: BatchCells) -> (scaled: [[Double]], terms: [Terms]) {
        let eps = Advantage.epsilon
        var terms: [Terms] = []
        var scaled: [[Double]] = []
        for (q, p) in batch.enumerated() {
            let dom = cells.domains[cells.promptDomain[q]]
            var nD = dom.prompts, muD = dom.mean
            var nG: Double, muG: Double, label: String
            if let position = cells.unknownIndex[q], let clustering = latent[p.domain] {
                let c = clustering.labels[position]
                nG = Double(clustering.sizes[c])
                muG = clustering.means[c]
                label = "UNK#\(c)"
                if allUnknown {
                    // μ_d: cluster means weighted by 1/cluster size.
                    var num = 0.0, den = 0.0
                    for (ci, mean) in clustering.means.enumerated() {
                        let size = Double(clustering.sizes[ci])
                        guard size > 0 else { continue }
                        num += mean / size
                        den += 1 / size
                    }
                    muD = den > 0 ? num / den : muD
                    muG = max(muG, eps)
                }
            } else {
                let cell = cells.groups[cells.promptGroup[q]]
                nG = cell.prompts
                muG = cell.mean
                label = p.group!
            }
            nD = max(nD, 0)
            let tD = max(nD.squareRoot() * muD, eps)
            var factor = tD * nG.squareRoot() * muG
            if allUnknown { factor = min(max(factor, eps), 1e6) }
            var fellBack = false
            let row = s[q].map { v -> Double in
                let w = v / factor
                if !w.isFinite { fellBack = true; return v }
                return w
            }
            terms.append(Terms(groupLabel: label, nDomain: nD, muDomain: muD, tDomain: tD, nGroup: nG, muGroup: muG, factor: factor, fellBack: fellBack))
            scaled.append(row)
        }
        return (scaled, terms)
    }

    /// Caps each prompt's weight 1/factor at `weightClip` × the
    /// batch's median weight (nothing when unset).
    func clipWeights(grpo s: [[Double]], scaled: inout [[Double]], terms: inout [Terms]) {
        guard let clip = weightClip, clip > 0 else { return }
        let weights = terms.map { $0.factor > 0 && $0.factor.isFinite ? 1 / $0.factor : 0 }.filter { $0 > 0 }.sorted()
        guard !weights.isEmpty else { return }
        let cap = clip * weights[weights.count / 2]
        for q in scaled.indices where terms[q].factor > 0 && 1 / terms[q].factor > cap {
            terms[q].factor = 1 / cap
            scaled[q] = s[q].map { $0 * cap }
        }
    }

    /// Step 4: A = s' / (sample std of s' over the batch + ε), no mean subtraction.
    func normalise(_ scaled: [[Double]]) -> [[Double]] {
        let (_, sigma) = Advantage.meanStd(concatenating: scaled)
        return scaled.map { $0.map { $0 / (sigma + Advantage.epsilon) } }
    }

    /// The vectors clustered for the given positions of a domain's UNK history.
    func clusteringVectors(_ positions: [Int], domain: String, embed: (([Int]) throws -> [[Double]])?) throws -> [[Double]] {
        if clustering.space == .rewards {
            guard let q = clustering.quantize else { return positions.map { unknownHistory[domain]![$0] } }
            return positions.map { ClusteringOptions.quantized(unknownHistory[domain]![$0], step: q) }
        }
        let rows = positions.map { unknownRows[domain]![$0] }
        guard let embed, rows.allSatisfy({ $0 >= 0 }) else {
            throw RLError("clustering on \(clustering.space.rawValue) needs each prompt's dataset row (a trainer provides them)")
        }
        return try embed(rows)
    }

    /// The complete state, for checkpoints.
    public struct State: Sendable, Equatable {
        public var domains: [String: Cell], groups: [GroupKey: Cell], unknownHistory: [String: [[Double]]]
        public var unknownRows: [String: [Int]] = [:]
        public var latent: [String: DomainClustering] = [:]
        public var batches = 0

        public init(domains: [String: Cell], groups: [GroupKey: Cell], unknownHistory: [String: [[Double]]],
                    unknownRows: [String: [Int]] = [:], latent: [String: DomainClustering] = [:], batches: Int = 0) {
            self.domains = domains; self.groups = groups; self.unknownHistory = unknownHistory
            self.unknownRows = unknownRows; self.latent = latent; self.batches = batches
        }
    }

    public var state: State {
        get { State(domains: domains, groups: groups, unknownHistory: unknownHistory, unknownRows: unknownRows, latent: latent, batches: batches) }
        set {
            domains = newValue.domains; groups = newValue.groups; unknownHistory = newValue.unknownHistory
            // A state without rows (an older checkpoint) gets −1 for each history entry, keeping them parallel.
            unknownRows = newValue.unknownHistory.mapValues { [Int](repeating: -1, count: $0.count) }
            for (k, rows) in newValue.unknownRows where rows.count == unknownHistory[k]?.count { unknownRows[k] = rows }
            latent = newValue.latent; batches = newValue.batches
            distinctHistory = [:]
        }
    }
}

/// Group DRO weights (Sagawa et al., 2020) applied to GRPO advantages. This
/// variant is fairgrpo's own (the paper does not document its DRO baseline):
/// q_g ← q_g · exp(η · ℓ_g), renormalised, with ℓ_g = 1 − mean reward of
/// group g in the batch; advantages of group g are multiplied by (number of groups) · q_g.
public struct GroupDRO: Sendable, Equatable {
    public var eta = 0.01
    public private(set) var weights: [GroupKey: Double]

    public init(groups: [GroupKey], eta: Double = 0.01) {
        self.eta = eta
        weights = Dictionary(uniqueKeysWithValues: groups.map { ($0, 1 / Double(max(groups.count, 1))) })
    }

    /// Updates q from the batch and returns each prompt's multiplier.
    public mutating func multipliers(groups: [GroupKey], rewards: [[Double]]) -> [Double] {
        var sums: [GroupKey: (Double, Double)] = [:]
        for (g, r) in zip(groups, rewards) {
            sums[g, default: (0, 0)].0 += r.reduce(0, +)
            sums[g, default: (0, 0)].1 += Double(r.count)
        }
        for g in GroupDRO.inOrder(sums.keys) {
            let (total, count) = sums[g]!
            if weights[g] == nil { weights[g] = 1 / Double(max(weights.count, 1)) }
            weights[g]! *= _exp(eta * (1 - total / count))
        }
        // Sum in a fixed order: a dictionary's own order depends on its history and the
        // process's hash seed, and a different order rounds differently.
        let z = GroupDRO.inOrder(weights.keys).reduce(0) { $0 + weights[$1]! }
        for k in weights.keys { weights[k]! /= z }
        let m = Double(weights.count)
        return groups.map { m * weights[$0]! }
    }

    /// The order groups are updated and summed in: by their shown name "domain/group",
    /// as since the first version, so weights (and checkpoints) stay bit for bit the same.
    static func inOrder(_ keys: some Collection<GroupKey>) -> [GroupKey] {
        keys.map { ($0.description, $0) }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.1)
    }

    public var state: [GroupKey: Double] {
        get { weights }
        set { weights = newValue }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#endif
