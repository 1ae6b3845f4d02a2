import Data

/// One batch's advantages by the chosen method, and what a step logs of
/// them: the one place the trainer and `Replay` (recorded rewards, no
/// policy) both compute them, so their numbers agree.
enum AdvantageStep {
    struct Result {
        var final: [[Double]]
        /// The GRPO advantages (FairGRPO's own step 1).
        var grpo: [[Double]]
        var terms: [FairWeighting.Terms]?
    }

    /// `groups[q]` is "UNK" for a prompt without demographics; `rows[q]` identifies it for clustering.
    static func compute(method: TrainerConfig.Method, scaling: Advantage.RewardScaling, rewards: [[Double]],
                        domains: [String], groups: [String], rows: [Int], fair: inout FairWeighting, dro: inout GroupDRO?,
                        embed: (([Int]) throws -> [[Double]])? = nil) throws -> Result {
        let batch = AdvantageBatch(rewards: rewards, domains: domains, groups: groups, rows: rows, scaling: scaling, embed: embed)
        return try method.estimator.advantages(batch, fair: &fair, dro: &dro)
    }

    /// Per (domain, group) of one step: the weight terms and where the gradient went.
    /// `keys`/`members`: each group's name and its prompts (indices into the batch).
    static func groupLogs(step: Int, keys: [GroupKey], members: [[Int]], rewards: [[Double]],
                          grpo: [[Double]], final: [[Double]], terms: [FairWeighting.Terms]?) -> [GroupLog] {
        var totalAbs = 0.0
        for row in final { for v in row { totalAbs += abs(v) } }
        var logs: [GroupLog] = []
        logs.reserveCapacity(keys.count)
        let signal = LiveSignal.measure(rewards: rewards, advantages: final, members: members)
        for (key, qs) in zip(keys, members) {
            let absSum = qs.reduce(0.0) { $0 + final[$1].reduce(0) { $0 + abs($1) } }
            // Mean of final / GRPO advantage over the non-zero ones, summed in rollout order.
            var ratioSum = 0.0, ratioCount = 0
            if !grpo.isEmpty {
                for q in qs { for (s, a) in zip(grpo[q], final[q]) where s != 0 { ratioSum += a / s; ratioCount += 1 } }
            }
            let t = terms?[qs[0]]
            logs.append(GroupLog(
                step: step, domain: key.domain, group: key.group, batchPrompts: qs.count,
                nDomain: t?.nDomain ?? .nan, muDomain: t?.muDomain ?? .nan, tDomain: t?.tDomain ?? .nan,
                nGroup: t?.nGroup ?? .nan, muGroup: t?.muGroup ?? .nan, factor: t?.factor ?? .nan,
                weight: ratioCount == 0 ? .nan : ratioSum / Double(ratioCount),
                meanAbsAdvantage: absSum / Double(qs.reduce(0) { $0 + rewards[$1].count }),
                gradientShare: totalAbs > 0 ? absSum / totalAbs : 0,
                livePrompts: qs.filter { q in !rewards[q].allSatisfy { $0 == rewards[q][0] } || rewards[q].count == 1 }.count))
            logs[logs.count - 1].liveShare = signal[logs.count - 1].share
            logs[logs.count - 1].liveGradientShare = signal[logs.count - 1].gradientShare
        }
        return logs
    }

    /// Mean reward, mean over prompts of the rewards' std, and the share of prompts whose rewards all agree.
    static func rewardSummary(_ rewards: [[Double]]) -> (mean: Double, std: Double, zeroStd: Double) {
        var total = 0.0, count = 0, zeroStd = 0, stdSum = 0.0
        for r in rewards {
            for v in r { total += v }
            count += r.count
            if r.allSatisfy({ $0 == r[0] }) { zeroStd += 1 }
            stdSum += Advantage.meanStd(r).1
        }
        let b = Double(max(rewards.count, 1))
        return (total / Double(max(count, 1)), stdSum / b, Double(zeroStd) / b)
    }
}
