/// Advantage estimators of the GRPO family. Rewards come as `[prompt][rollout]`.
public enum Advantage {
    public static let epsilon = 1e-6

    /// Mean and sample (n − 1) standard deviation; one value: mean 0, std 1
    /// (the FairGRPO reference's convention for a single rollout).
    public static func meanStd(_ r: [Double]) -> (Double, Double) {
        guard r.count > 1 else { return (0, 1) }
        let m = r.reduce(0, +) / Double(r.count)
        let v = r.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(r.count - 1)
        return (m, v.squareRoot())
    }

    /// `meanStd` of the rows laid end to end, without building that array
    /// (the same sums in the same order, so the same result).
    public static func meanStd(concatenating rows: [[Double]]) -> (Double, Double) {
        var n = 0, total = 0.0
        for r in rows { n += r.count; for v in r { total += v } }
        guard n > 1 else { return (0, 1) }
        let m = total / Double(n)
        var squares = 0.0
        for r in rows { for v in r { squares += (v - m) * (v - m) } }
        return (m, (squares / Double(n - 1)).squareRoot())
    }

    public enum RewardScaling: String, CaseIterable, Sendable { case group, batch, none }

    /// GRPO: s = (r − mean_q) / (std_q + ε) per prompt q (`group`); with
    /// `batch` the std is over the whole batch; with `none` no division (TRL's
    /// `scale_rewards`). A prompt whose rewards are all equal gets 0.
    public static func grpo(_ rewards: [[Double]], scaling: RewardScaling = .group) -> [[Double]] {
        let batchStd = scaling == .batch ? meanStd(concatenating: rewards).1 : 0
        return rewards.map { r in
            // A prompt whose rewards agree gets zeros without computing its (zero) spread.
            if r.count > 1 && r.allSatisfy({ $0 == r[0] }) { return [Double](repeating: 0, count: r.count) }
            let (m, s) = meanStd(r)
            let scale: Double
            switch scaling {
            case .group: scale = s + epsilon
            case .batch: scale = batchStd + epsilon
            case .none: return r.map { $0 - m }
            }
            return r.map { ($0 - m) / scale }
        }
    }

    /// RLOO: r_i minus the mean of the other rollouts of the same prompt.
    /// With one rollout there is no baseline and the advantage is r.
    public static func rloo(_ rewards: [[Double]]) -> [[Double]] {
        rewards.map { r in
            guard r.count > 1 else { return r }
            let total = r.reduce(0, +)
            return r.map { $0 - (total - $0) / Double(r.count - 1) }
        }
    }

    /// REINFORCE++: rewards normalised over the whole batch, (r − mean_B) / (std_B + ε).
    public static func reinforcePlusPlus(_ rewards: [[Double]]) -> [[Double]] {
        let (m, s) = meanStd(concatenating: rewards)
        return rewards.map { $0.map { ($0 - m) / (s + epsilon) } }
    }
}
