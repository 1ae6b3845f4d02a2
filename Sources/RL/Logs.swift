/// What one training step logs (TRL's names where shared).
public struct StepLog: Sendable {
    public var step: Int
    public var reward: Double
    /// Mean over prompts of the std of their rollouts' rewards.
    public var rewardStd: Double
    /// Fraction of prompts whose rollouts all got the same reward (no signal).
    public var fracRewardZeroStd: Double
    public var kl: Double
    public var clipRatio: Double
    public var entropy: Double
    public var gradNorm: Double
    public var loss: Double
    public var milliseconds: Double

    public static let columns = ["step", "reward", "reward_std", "frac_reward_zero_std", "kl", "clip_ratio", "entropy", "grad_norm", "loss", "ms"]
    public var values: [Double] {
        [Double(step), reward, rewardStd, fracRewardZeroStd, kl, clipRatio, entropy, gradNorm, loss, milliseconds]
    }
}

/// Per (domain, group) in one step: the terms of the FairGRPO weight and
/// where the gradient went.
public struct GroupLog: Sendable {
    public var step: Int
    public var domain: String, group: String
    /// Prompts of this group in the batch.
    public var batchPrompts: Int
    public var nDomain: Double, muDomain: Double, tDomain: Double
    public var nGroup: Double, muGroup: Double
    public var factor: Double
    /// Final advantage / GRPO advantage (1 / (factor · (σ + ε)) for FairGRPO).
    public var weight: Double
    public var meanAbsAdvantage: Double
    /// This group's share of Σ|A| over the batch.
    public var gradientShare: Double
    /// Prompts whose rollouts disagree (non-zero advantage).
    public var livePrompts: Int

    public static let columns = ["step", "domain", "group", "n_batch", "N_d", "mu_d", "T_d", "N_g", "mu_g", "factor", "weight", "mean_abs_adv", "share", "live"]
}

/// One rollout of a step.
public struct TraceRow: Sendable {
    public var step: Int
    public var promptID: String
    public var domain: String, group: String
    public var answer: String, label: String
    public var reward: Double
    public var grpoAdvantage: Double
    public var factor: Double
    public var advantage: Double

    public static let columns = ["step", "prompt", "domain", "group", "answer", "label", "reward", "grpo_adv", "factor", "advantage"]
}
