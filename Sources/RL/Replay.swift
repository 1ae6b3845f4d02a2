import Data
import Tensors

/// The advantage computation of a training run, replayed step by step over
/// rewards it recorded (a verl dump, TRL's completions), with no policy: what
/// FairGRPO's statistics, clusters, factors and weights would have been, and
/// where the learning signal was. Every number comes from the code a
/// `Trainer` runs (`AdvantageStep`), so on the same rewards the two agree.
///
/// Policy quantities (KL, clip ratio, entropy, gradient norm, loss) do not
/// exist here and are logged as NaN.
public final class Replay: @unchecked Sendable {
    public let rollouts: Rollouts
    public let config: TrainerConfig
    public internal(set) var fair = FairWeighting()
    public internal(set) var dro: GroupDRO?

    public private(set) var history: [StepLog] = []
    public private(set) var groupHistory: [[GroupLog]] = []
    public private(set) var clusterHistory: [ClusterLog] = []
    /// Warnings per replayed step (groups with no live prompt for `deadStepWarning` steps).
    public private(set) var warnings: [(step: Int, text: String)] = []
    /// Steps replayed so far (indices into `rollouts.steps`).
    public private(set) var replayed = 0
    /// Every replayed step's rollouts with their advantages, for `trace(r, step=)`.
    private var records: [Record] = []
    var deadStreaks: [GroupKey: Int] = [:]
    var warnedGroups: Set<GroupKey> = []
    /// The true group of each prompt replayed ("UNK" when unknown), indexed by the row number
    /// the replay gives every prompt of every step, for scoring clusters.
    public private(set) var truthKeys: [String] = []
    private var truthCodes: [Int] = []
    private var truthIndex: [GroupKey: Int] = [:]
    private let multiDomain: Bool

    struct Record {
        var step: Int
        var firstRow: Int
        var final: [[Double]], grpo: [[Double]], factors: [Double]?, labels: [String]
    }

    public init(rollouts: Rollouts, config: TrainerConfig) throws {
        guard !rollouts.steps.isEmpty else { throw RLError("there are no rollouts to replay") }
        guard config.clustering.space == .rewards else {
            throw RLError("recorded rollouts have no features or embeddings to cluster; use cluster_on=\"rewards\"")
        }
        try config.validate()
        self.rollouts = rollouts
        self.config = config
        fair.configure(config)
        if config.method.estimator.reweightsGroups {
            var keys = Set<GroupKey>()
            for s in rollouts.steps { for p in s.prompts { keys.insert(GroupKey(p.domain, p.group)) } }
            dro = GroupDRO(groups: Array(keys), eta: config.droEta)
        }
        multiDomain = rollouts.domainNames.count > 1
    }

    public var stepCount: Int { history.last?.step ?? 0 }
    public var isFinished: Bool { replayed == rollouts.steps.count }

    /// Replays the next `n` recorded steps (all that remain by default).
    public func run(_ n: Int? = nil) throws {
        let end = min(rollouts.steps.count, replayed + (n ?? rollouts.steps.count))
        while replayed < end { try replayStep() }
    }

    private func replayStep() throws {
        let start = monotonicSeconds()
        let recorded = rollouts.steps[replayed]
        let prompts = recorded.prompts
        let rewards = prompts.map(\.rewards)
        let domains = prompts.map(\.domain), groups = prompts.map(\.group)
        let firstRow = truthKeys.count
        for p in prompts {
            truthKeys.append(p.group)
            // The truth behind a cluster: the group a prompt has (fairgrpo_nd ignores it), none for UNK.
            if p.group == Demographics.unknown || p.group.contains(Demographics.unknown) {
                truthCodes.append(-1)
            } else {
                let key = GroupKey(p.domain, p.group)
                if let i = truthIndex[key] { truthCodes.append(i) } else { truthIndex[key] = truthIndex.count; truthCodes.append(truthIndex.count - 1) }
            }
        }
        let rows = Array(firstRow..<(firstRow + prompts.count))
        let computed = try AdvantageStep.compute(method: config.method, scaling: config.scaleRewards, rewards: rewards, domains: domains,
                                                 groups: groups, rows: rows, fair: &fair, dro: &dro)
        if config.method.clustersGroups {
            clusterHistory.append(try ClusterLog.measure(fair, truth: truthCodes, step: recorded.step,
                                                         milliseconds: fair.clusteringMilliseconds))
        }
        let summary = AdvantageStep.rewardSummary(rewards)
        let multiple = rewards.contains { $0.count > 1 }
        var log = StepLog(step: recorded.step, reward: summary.mean, rewardStd: multiple ? summary.std : 0,
                          fracRewardZeroStd: multiple ? summary.zeroStd : 1, kl: .nan, clipRatio: .nan, entropy: .nan,
                          gradNorm: .nan, loss: .nan, milliseconds: 0)
        let live = LiveSignal.measure(rewards: rewards, advantages: computed.final, members: [Array(prompts.indices)])[0]
        log.liveShare = live.share
        log.liveGradientShare = live.gradientShare
        log.drawn = Double(prompts.count); log.kept = Double(live.live); log.dropped = 0
        log.liveDrawnShare = live.share
        // (domain, group) in order of first appearance; clusters relabel UNK prompts.
        let labels = computed.terms?.map(\.groupLabel) ?? groups
        var keys: [GroupKey] = [], members: [[Int]] = [], index: [GroupKey: Int] = [:]
        for q in prompts.indices {
            let key = GroupKey(domains[q], labels[q])
            if let i = index[key] { members[i].append(q) } else {
                index[key] = keys.count
                keys.append(key)
                members.append([q])
            }
        }
        var logs = AdvantageStep.groupLogs(step: recorded.step, keys: keys, members: members, rewards: rewards,
                                           grpo: computed.grpo, final: computed.final, terms: computed.terms)
        for group in Trainer.trackDeadGroups(&logs, streaks: &deadStreaks, warned: &warnedGroups, limit: config.deadStepWarning, multiDomain: multiDomain) {
            warnings.append((recorded.step, "group \(group) has had no live prompt for \(config.deadStepWarning) steps (all rollouts agree, no learning signal)"))
        }
        log.milliseconds = (monotonicSeconds() - start) * 1000
        history.append(log)
        groupHistory.append(logs)
        records.append(Record(step: recorded.step, firstRow: firstRow, final: computed.final, grpo: computed.grpo,
                              factors: computed.terms?.map(\.factor), labels: labels))
        replayed += 1
    }

    /// The final advantages of a replayed step, per prompt (in the step's prompt order).
    public func advantages(step: Int) -> [[Double]]? { records.first { $0.step == step }?.final }

    /// Every rollout of a replayed step (the last by default), as `trace(t)` lists a trainer's.
    public func trace(step: Int? = nil) throws -> [TraceRow] {
        guard let record = step.map({ s in records.first { $0.step == s } }) ?? records.last else {
            if records.isEmpty { throw RLError("trace(): nothing replayed yet") }
            throw RLError("trace(): step \(step!) was not replayed; steps run from \(records.first!.step) to \(records.last!.step)")
        }
        let s = rollouts.steps.first { $0.step == record.step }!
        var rows: [TraceRow] = []
        for (q, p) in s.prompts.enumerated() {
            for i in p.rewards.indices {
                rows.append(TraceRow(step: record.step, promptID: p.prompt, domain: p.domain, group: record.labels[q],
                                     answer: i < p.completions.count ? p.completions[i] : "", label: "", reward: p.rewards[i],
                                     grpoAdvantage: record.grpo.isEmpty ? .nan : record.grpo[q][i], factor: record.factors?[q] ?? .nan,
                                     advantage: record.final[q][i]))
            }
        }
        return rows
    }

    /// The group logs of one replayed step (the last by default).
    public func weights(step: Int? = nil) throws -> [GroupLog] {
        guard let logs = step.map({ s in groupHistory.first { $0.first?.step == s } }) ?? groupHistory.last else {
            if groupHistory.isEmpty { throw RLError("weights(): nothing replayed yet") }
            throw RLError("weights(): step \(step!) was not replayed; steps run from \(history.first!.step) to \(history.last!.step)")
        }
        return logs
    }

    /// Every clustered prompt whose group is known: its replay row, cluster ("domain#c") and group ("domain/group").
    public func discoveredGroups() -> (rows: [Int], clusters: [String], truth: [String]) {
        var rows: [Int] = [], clusters: [String] = [], truth: [String] = []
        for domain in fair.latent.keys.sorted() {
            let labels = fair.latent[domain]!.labels
            for (position, row) in (fair.unknownRows[domain] ?? []).enumerated() where row >= 0 && position < labels.count && truthCodes[row] >= 0 {
                rows.append(row)
                clusters.append(domain + "#" + String(labels[position]))
                truth.append(GroupKey(domain, truthKeys[row]).description)
            }
        }
        return (rows, clusters, truth)
    }
}
