/// How a rollout is rewarded, as a table `reward[label][answer]` fixed when
/// the trainer is created (a function written in the language is the one
/// option that is not a table; the trainer calls it per rollout instead).
///
/// - `correct` (the paper's): r = 1 if answer = label else 0.
/// - `balanced`: r = w_label if answer = label else 0, with
///   w_c = 1 / (K' · π_c), π_c the share of class c among the training labels
///   and K' the number of classes that occur (w_c = 0 for a class that never
///   occurs). Then Σ_c π_c · w_c = 1: a policy that is always right earns a
///   mean reward of 1, as under `correct`, so learning rates and FairGRPO's
///   μ statistics keep their scale; but a correct answer on a rare class is
///   worth more than one on a common class (with a 6% positive class:
///   w_pos = 1/(2·0.06) ≈ 8.3, w_neg = 1/(2·0.94) ≈ 0.53).
/// - `cost(C)`: C[t][p] ≥ 0 is the cost of answering p when the truth is t;
///   r = 1 − C[t][p] / max(C). Maximising r is minimising the expected cost,
///   and r stays in [0, 1], higher is better, which FairGRPO's weights need
///   (its T_d = max(√N_d·μ_d, ε) assumes non-negative mean rewards; a raw
///   −C would make every μ negative and flip the weights). C = 1 − I gives
///   exactly `correct`.
///
/// Why: with a rare positive class the policy learns to always answer the
/// majority class, after which every prompt's rollouts agree and the group-
/// relative advantage is zero. The balanced and cost rewards make missing the
/// rare class expensive. Note: a per-prompt scale cancels in GRPO's
/// (r − mean)/std when scale_rewards = "group" (and in FairGRPO's own GRPO
/// step); there these rewards only change which prompts count as live (not
/// for `balanced`) and FairGRPO's μ statistics. With scale_rewards = "batch"
/// or "none" they change the size of each prompt's advantage too.
public enum RewardOption: Sendable, Equatable {
    case correct
    case balanced
    case cost([[Double]])

    public var name: String {
        switch self {
        case .correct: return "correct"
        case .balanced: return "balanced"
        case .cost: return "cost matrix"
        }
    }

    /// w_c = 1 / (K' · π_c) for the classes that occur, 0 for the others.
    public static func balancedWeights(labels: [Int], classes: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: classes)
        for l in labels where l >= 0 && l < classes { counts[l] += 1 }
        let n = Double(counts.reduce(0, +))
        let present = Double(counts.filter { $0 > 0 }.count)
        return counts.map { $0 > 0 ? 1 / (present * (Double($0) / n)) : 0 }
    }

    /// The table `reward[label][answer]` for a dataset's training labels.
    public func table(labels: [Int], classes k: Int) throws -> [[Double]] {
        switch self {
        case .correct:
            return (0..<k).map { t in (0..<k).map { $0 == t ? 1 : 0 } }
        case .balanced:
            let w = RewardOption.balancedWeights(labels: labels, classes: k)
            return (0..<k).map { t in (0..<k).map { $0 == t ? w[t] : 0 } }
        case .cost(let c):
            guard c.count == k, c.allSatisfy({ $0.count == k }) else {
                throw RLError("the cost matrix must be \(k)×\(k) (one row per true class, one column per answer), got \(c.count)×\(c.first?.count ?? 0)")
            }
            for (t, row) in c.enumerated() {
                for (p, v) in row.enumerated() where !(v >= 0 && v.isFinite) {
                    throw RLError("cost[\(t)][\(p)] = \(v); costs must be finite and non-negative")
                }
            }
            let top = c.flatMap { $0 }.max() ?? 0
            guard top > 0 else { throw RLError("the cost matrix is all zeros; every answer would earn the same reward") }
            return c.map { row in row.map { 1 - $0 / top } }
        }
    }
}

extension Trainer {
    /// Rewards `[prompt][rollout]` of the rollouts of `rows`: the trainer's
    /// reward function when it has one, else `rewardTable[label][answer]`.
    func rolloutRewards(rows: [Int], answers: [[Int]]) throws -> [[Double]] {
        var rewards: [[Double]] = []
        rewards.reserveCapacity(rows.count)
        let labels = data.labels
        if let reward {
            for (i, r) in rows.enumerated() {
                let label = labels[r]
                rewards.append(try answers[i].map { a in try reward(a, label, r) })
            }
            return rewards
        }
        // The table's rows looked up once per prompt, not per rollout.
        for (i, r) in rows.enumerated() {
            let row = rewardTable[labels[r]]
            rewards.append(answers[i].map { row[$0] })
        }
        return rewards
    }
}
