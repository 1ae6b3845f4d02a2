/// Training settings. Names follow TRL's `GRPOConfig` where the concept is
/// shared: `numGenerations` (spelled `G` in the language), `epsilon`,
/// `epsilonHigh`, `beta`, `numIterations`, `temperature`, `scaleRewards`,
/// `maxGradNorm`, `learningRate`; `batchSize` counts prompts per step.
/// The initial values are the defaults; the option table (TrainerOptions.swift)
/// says how each setting is named, checked, shown and stored.
public struct TrainerConfig: Sendable {
    public enum Method: String, CaseIterable, Sendable {
        case grpo, rloo
        case reinforcePlusPlus = "reinforce++"
        case fairgrpo
        case fairgrpoND = "fairgrpo_nd"
        case grpoRS = "grpo_rs"
        case grpoDRO = "grpo_dro"
    }

    public var method: Method = .fairgrpo
    public var numGenerations = 8
    public var batchSize = 64
    public var learningRate = 1e-3
    /// PPO clip range: ratios are clipped to [1 − epsilon, 1 + epsilonHigh].
    public var epsilon = 0.2
    public var epsilonHigh: Double?
    /// Weight of the k3 KL estimate to the reference policy (0: off, as the authors ran).
    public var beta = 0.0
    /// PPO passes over each batch against the policy that sampled it.
    public var numIterations = 1
    public var temperature = 1.0
    public var scaleRewards: Advantage.RewardScaling = .group
    public var maxGradNorm = 1.0
    /// "adam" or "adamw".
    public var optimizer = "adam"
    public var weightDecay = 0.0
    public var seed: UInt64 = 0
    /// Evaluate on `evalData` every this many steps (0: never).
    public var evalEvery = 0
    /// FairGRPO options beyond the reference.
    public var weightClip: Double?
    /// FairGRPO's statistics: cumulative, or an exponential moving average with `emaDecay` (see `statistics`).
    public var statisticsKind: StatisticsKind = .cumulative
    public var emaDecay = 0.99
    /// Group DRO step size η.
    public var droEta = 0.01
    /// Options for rare labels (all off by default; see Rewards.swift and DynamicSampling.swift).
    /// The reward table (ignored when the trainer has a reward function).
    public var reward: RewardOption = .correct
    /// DAPO's dynamic sampling: train only on prompts whose rollouts disagree,
    /// drawing up to `maxResample` more batches of prompts to fill the batch.
    public var dynamicSampling = false
    public var maxResample = 3
    /// Coefficient of the mean policy entropy added to the objective (the loss gets −coef·H̄).
    public var entropyCoef = 0.0
    /// Warn when a (domain, group) has had no live prompt in this many consecutive
    /// steps in which it was in the batch (0: never warn).
    public var deadStepWarning = 20
    /// How FairGRPO clusters prompts without demographics (the reference's way by default).
    public var clustering = ClusteringOptions()

    public init() {}

    public var clipHigh: Double { epsilonHigh ?? epsilon }
}
