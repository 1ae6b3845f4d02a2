import Data
/// One advantage method: how it turns a batch's rewards into advantages, and
/// what else about it the trainer, the replay and the views need to know. Each
/// method of `TrainerConfig.Method` is one type below; `Method.estimator`
/// picks it, so nothing else switches on the method. Adding a method is a case
/// in `Method` and a type here.
protocol AdvantageEstimator: Sendable {
    /// Advantages of one batch. `fair` and `dro` are what methods carry from
    /// step to step (FairGRPO's statistics, Group DRO's weights).
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result
    /// Weights by per-(domain, group) statistics and clusters prompts without
    /// demographics (so it has clusters to show and groups to warn about).
    var clustersGroups: Bool { get }
    /// Treats every prompt as without demographics (groups only from clustering).
    var ignoresGroups: Bool { get }
    /// Samples prompts from a pool in which every group is as large as its domain's largest.
    var resamplesGroups: Bool { get }
    /// Keeps a weight per group, moved by the group's reward (Group DRO).
    var reweightsGroups: Bool { get }
}

extension AdvantageEstimator {
    var clustersGroups: Bool { false }
    var ignoresGroups: Bool { false }
    var resamplesGroups: Bool { false }
    var reweightsGroups: Bool { false }
}

/// One batch as the methods see it. `groups[q]` is "UNK" for a prompt without
/// demographics; `rows[q]` identifies it for clustering.
struct AdvantageBatch {
    var rewards: [[Double]]
    var domains: [String]
    var groups: [String]
    var rows: [Int]
    var scaling: Advantage.RewardScaling
    /// Clustering vectors of dataset rows, when clustering on features or embeddings.
    var embed: (([Int]) throws -> [[Double]])?
}

/// GRPO: (r − mean) / std per prompt (or as `scale_rewards` says).
struct GRPOEstimator: AdvantageEstimator {
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result {
        let grpo = Advantage.grpo(batch.rewards, scaling: batch.scaling)
        return AdvantageStep.Result(final: grpo, grpo: grpo)
    }
}

/// GRPO on a re-sampled pool: every group as large as its domain's largest.
struct GRPOResampledEstimator: AdvantageEstimator {
    var resamplesGroups: Bool { true }
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result {
        try GRPOEstimator().advantages(batch, fair: &fair, dro: &dro)
    }
}

/// RLOO: each rollout's reward minus the mean of the others'.
struct RLOOEstimator: AdvantageEstimator {
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result {
        AdvantageStep.Result(final: Advantage.rloo(batch.rewards), grpo: Advantage.grpo(batch.rewards, scaling: batch.scaling))
    }
}

/// REINFORCE++: rewards normalised over the whole batch.
struct ReinforcePlusPlusEstimator: AdvantageEstimator {
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result {
        AdvantageStep.Result(final: Advantage.reinforcePlusPlus(batch.rewards), grpo: Advantage.grpo(batch.rewards, scaling: batch.scaling))
    }
}

/// FairGRPO: GRPO advantages divided by each (domain, group)'s factor (FairGRPO.swift).
struct FairGRPOEstimator: AdvantageEstimator {
    var clustersGroups: Bool { true }
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result {
        // FairGRPO computes its own GRPO step (with scale_rewards; "group" in the reference).
        let prompts = batch.rewards.indices.map {
            FairWeighting.Prompt(domain: batch.domains[$0], group: batch.groups[$0] == "UNK" ? nil : batch.groups[$0],
                                 rewards: batch.rewards[$0], row: batch.rows[$0])
        }
        let result = try fair.advantages(prompts, embed: batch.embed)
        return AdvantageStep.Result(final: result.final, grpo: result.grpo, terms: result.terms)
    }
}

/// FairGRPO without demographics: every group discovered by clustering.
struct FairGRPONoDemographicsEstimator: AdvantageEstimator {
    var clustersGroups: Bool { true }
    var ignoresGroups: Bool { true }
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result {
        try FairGRPOEstimator().advantages(batch, fair: &fair, dro: &dro)
    }
}

/// Group DRO: GRPO advantages times each group's exponentiated-gradient weight.
struct GroupDROEstimator: AdvantageEstimator {
    var reweightsGroups: Bool { true }
    func advantages(_ batch: AdvantageBatch, fair: inout FairWeighting, dro: inout GroupDRO?) throws -> AdvantageStep.Result {
        let grpo = Advantage.grpo(batch.rewards, scaling: batch.scaling)
        let keys = batch.rewards.indices.map { GroupKey(batch.domains[$0], batch.groups[$0]) }
        let m = dro!.multipliers(groups: keys, rewards: batch.rewards)
        return AdvantageStep.Result(final: zip(grpo, m).map { row, w in row.map { $0 * w } }, grpo: grpo)
    }
}

extension TrainerConfig.Method {
    var estimator: any AdvantageEstimator {
        switch self {
        case .grpo: return GRPOEstimator()
        case .grpoRS: return GRPOResampledEstimator()
        case .rloo: return RLOOEstimator()
        case .reinforcePlusPlus: return ReinforcePlusPlusEstimator()
        case .fairgrpo: return FairGRPOEstimator()
        case .fairgrpoND: return FairGRPONoDemographicsEstimator()
        case .grpoDRO: return GroupDROEstimator()
        }
    }

    /// Whether the method clusters prompts (so clusters(t) and the ARI/NMI columns apply).
    public var clustersGroups: Bool { estimator.clustersGroups }
    /// Whether the method re-samples the data by group before sampling prompts (a recorded run cannot).
    public var resamplesGroups: Bool { estimator.resamplesGroups }
}

extension FairWeighting {
    /// FairGRPO's settings from a trainer configuration (the trainer's and the replay's).
    mutating func configure(_ config: TrainerConfig) {
        statistics = config.statistics
        allUnknown = config.method.estimator.ignoresGroups
        weightClip = config.weightClip
        seed = config.seed
        scaling = config.scaleRewards
        clustering = config.clustering
    }
}
