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
    /// Share of the batch's prompts that are live (rollouts disagree, so the
    /// group-relative advantage is non-zero); with G = 1 every prompt counts as live.
    public var liveShare: Double = .nan
    /// Share of the batch's gradient mass Σ|A| carried by the live prompts
    /// (1 for GRPO-like methods, where a dead prompt's advantage is exactly 0;
    /// 0 when the batch has no signal at all).
    public var liveGradientShare: Double = .nan
    /// Dynamic sampling: prompts sampled this step, live prompts kept in the
    /// batch, and prompts drawn but not trained on (drawn − batch). Without
    /// dynamic sampling: batch, live prompts, 0.
    public var drawn: Double = .nan, kept: Double = .nan, dropped: Double = .nan
    /// Share of all prompts drawn this step that were live (= liveShare without
    /// dynamic sampling, which raises liveShare by selection but not this).
    public var liveDrawnShare: Double = .nan

    public static let columns = ["step", "reward", "reward_std", "frac_reward_zero_std", "kl", "clip_ratio", "entropy", "grad_norm", "loss",
                                 "live", "live_grad", "drawn", "kept", "dropped", "live_drawn", "ms"]
    public var values: [Double] {
        [Double(step), reward, rewardStd, fracRewardZeroStd, kl, clipRatio, entropy, gradNorm, loss,
         liveShare, liveGradientShare, drawn, kept, dropped, liveDrawnShare, milliseconds]
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
    /// livePrompts / batchPrompts.
    public var liveShare: Double = .nan
    /// Share of the batch's Σ|A| carried by this group's live prompts.
    public var liveGradientShare: Double = .nan
    /// Consecutive steps (counting only steps in which the group was in the
    /// batch) up to this one without a live prompt.
    public var deadSteps: Int = 0

    public static let columns = ["step", "domain", "group", "n_batch", "N_d", "mu_d", "T_d", "N_g", "mu_g", "factor", "weight", "mean_abs_adv", "share", "live",
                                 "live_share", "live_grad_share", "dead_steps"]
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

extension StepLog {
    /// The columns logged before the live-prompt diagnostics existed: step … loss, ms.
    static let legacyColumnCount = 10
    var legacyValues: [Double] { [Double(step), reward, rewardStd, fracRewardZeroStd, kl, clipRatio, entropy, gradNorm, loss, milliseconds] }

    /// From `values`, or from the ten legacy columns, the new ones left NaN.
    init(values v: [Double]) {
        self.init(step: Int(v[0]), reward: v[1], rewardStd: v[2], fracRewardZeroStd: v[3], kl: v[4], clipRatio: v[5],
                  entropy: v[6], gradNorm: v[7], loss: v[8], milliseconds: v[v.count - 1])
        if v.count >= 16 { liveShare = v[9]; liveGradientShare = v[10]; drawn = v[11]; kept = v[12]; dropped = v[13]; liveDrawnShare = v[14] }
    }
}
