import Data
import Fairness
import NN
import Tensors

#if canImport(Glibc)
import Glibc
#endif

/// Trains a policy with GRPO or one of its relatives, one step at a time.
///
/// A step: take the next `batchSize` prompts of the shuffled data order;
/// sample G answers per prompt; reward them (1 for the correct class unless a
/// reward function is given); compute advantages with the chosen method;
/// then `numIterations` passes of the PPO-clip loss
/// −mean(min(ρA, clip(ρ, 1−ε, 1+ε_high)A)) + β·KL_k3(π ‖ π_ref), mean over
/// rollouts, gradient clipping to `maxGradNorm`, Adam or AdamW. Every
/// number that went into the weights is logged (`history`, `groupHistory`,
/// `lastTrace`).
public final class Trainer: @unchecked Sendable {
    public let policy: Policy
    public let data: Dataset
    public let config: TrainerConfig
    public let optimizer: Adam
    /// Optional reward: (answer, label, row) → reward in [0, 1].
    public var reward: ((Int, Int, Int) throws -> Double)?
    public var evalData: Dataset?

    public internal(set) var rng: SeededGenerator
    public private(set) var order: [Int] = []
    public private(set) var cursor = 0
    public private(set) var epoch = 0
    public private(set) var stepCount = 0
    public internal(set) var fair = FairWeighting()
    public internal(set) var dro: GroupDRO?

    public private(set) var history: [StepLog] = []
    public private(set) var groupHistory: [[GroupLog]] = []
    /// FairGRPO's clusters against the true groups, one entry per step (fairgrpo, fairgrpo_nd).
    public internal(set) var clusterHistory: [ClusterLog] = []
    /// Each row's true group (the truth behind `mask`), for scoring the clusters.
    lazy var groupTruth: GroupTruth = GroupTruth(data)
    /// Every rollout of the last step (built when asked for, from `lastStep`).
    public var lastTrace: [TraceRow] { lastStep?.rows(data) ?? [] }
    /// What the last step's trace is built from.
    private var lastStep: StepRecord?
    public private(set) var evaluations: [(step: Int, report: FairnessReport)] = []
    /// Per (domain, group) key: consecutive steps in the batch without a live prompt.
    public internal(set) var deadStreaks: [GroupKey: Int] = [:]
    /// Groups reported dead and not yet recovered (reported once per dead spell).
    public internal(set) var warnedGroups: Set<GroupKey> = []
    /// The groups the last step found without a live prompt for `deadStepWarning`
    /// consecutive steps ("domain/group" when the data has several domains).
    public internal(set) var lastDeadGroups: [String] = []
    /// `config.reward` as a table reward[label][answer].
    public let rewardTable: [[Double]]

    private let groupKeys: [String]
    /// Each row's (domain, group) cell, numbered in order of first appearance in the data.
    private let cellOfRow: [Int]
    /// Whether the data has more than one domain (warnings then name the domain too).
    let multiDomain: Bool
    /// The cells, in order of first appearance.
    private let cells: [GroupKey]
    /// For re-sampling: every (domain, group) oversampled to its domain's largest group.
    private let pool: [Int]

    /// Most rollouts (G × batch) one step may hold.
    public static let maximumRolloutsPerStep = 1 << 22

    public init(policy: Policy, data: Dataset, config: TrainerConfig) throws {
        try config.validate()
        guard data.featureCount == policy.inputCount, data.classNames.count == policy.classCount else {
            throw RLError("the policy takes \(policy.inputCount) features and \(policy.classCount) classes but the data has \(data.featureCount) and \(data.classNames.count)")
        }
        guard data.count >= 1 else { throw RLError("the dataset is empty") }
        guard data.classNames.count <= Dataset.maximumClasses else {
            throw RLError("the label has \(data.classNames.count) classes; at most \(Dataset.maximumClasses) are supported (is the label column an id or a continuous value?)")
        }
        // Each step holds G × batch rollouts (answers, rewards, advantages):
        // checked here, before a step tries to allocate them.
        let (rollouts, overflow) = config.numGenerations.multipliedReportingOverflow(by: config.batchSize)
        guard !overflow, rollouts <= Trainer.maximumRolloutsPerStep else {
            throw RLError("trainer(): G × batch = \(config.numGenerations) × \(config.batchSize) rollouts per step; at most \(Trainer.maximumRolloutsPerStep) are supported")
        }
        self.policy = policy
        self.data = data
        self.config = config
        optimizer = Adam(policy.parameters, learningRate: Float(config.learningRate),
                         weightDecay: Float(config.weightDecay), decoupledWeightDecay: config.optimizer == "adamw")
        rng = SeededGenerator(seed: config.seed)
        groupKeys = data.groupKeys()
        let cellKeys = data.groupCells()
        var cellIndex: [GroupKey: Int] = [:]
        var cellOfRow: [Int] = [], cells: [GroupKey] = []
        cellOfRow.reserveCapacity(data.count)
        for key in cellKeys {
            if let c = cellIndex[key] {
                cellOfRow.append(c)
            } else {
                cellIndex[key] = cells.count
                cellOfRow.append(cells.count)
                cells.append(key)
            }
        }
        self.cellOfRow = cellOfRow
        multiDomain = Set(data.domains).count > 1
        self.cells = cells
        rewardTable = try config.reward.table(labels: data.labels, classes: data.classNames.count)
        fair.configure(config)
        try Trainer.checkClustering(config, policy: policy)
        if config.method.estimator.reweightsGroups {
            dro = GroupDRO(groups: cells, eta: config.droEta)
        }
        if config.method.resamplesGroups {
            var byGroup: [GroupKey: [Int]] = [:]
            for (r, key) in cellKeys.enumerated() { byGroup[key, default: []].append(r) }
            var largest: [String: Int] = [:]
            for (k, rows) in byGroup { largest[k.domain] = max(largest[k.domain] ?? 0, rows.count) }
            var pool: [Int] = []
            var sampler = SeededGenerator(seed: config.seed &+ 0x5EED)
            for k in byGroup.keys.sorted() {
                let rows = byGroup[k]!
                pool += rows
                let target = largest[k.domain]!
                for _ in rows.count..<target { pool.append(rows[sampler.nextIndex(below: rows.count)]) }
            }
            self.pool = pool
        } else {
            pool = Array(0..<data.count)
        }
    }

    /// Adds prompts to the FairGRPO statistics without a training step, as if
    /// they had been seen in earlier batches (e.g. statistics gathered elsewhere).
    public func accumulateStatistics(_ prompts: [FairWeighting.Prompt]) throws {
        _ = try fair.advantages(prompts)
    }

    /// The next batch of row indices, reshuffling at each epoch.
    func nextBatch() -> [Int] {
        var batch: [Int] = []
        while batch.count < config.batchSize {
            if cursor >= order.count {
                order = rng.permutation(pool.count).map { pool[$0] }
                cursor = 0
                epoch += 1
            }
            let take = min(config.batchSize - batch.count, order.count - cursor)
            batch += order[cursor..<(cursor + take)]
            cursor += take
        }
        return batch
    }

    func setProgress(rng: SeededGenerator, order: [Int], cursor: Int, epoch: Int, steps: Int) {
        self.rng = rng; self.order = order; self.cursor = cursor; self.epoch = epoch; self.stepCount = steps
    }

    func restoreHistory(_ history: [StepLog], _ groups: [[GroupLog]]) {
        self.history = history
        self.groupHistory = groups
    }

    /// Everything a step changes, to undo a failed step.
    private struct Snapshot {
        var rng: SeededGenerator, order: [Int], cursor: Int, epoch: Int
        var fair: FairWeighting.State, dro: [GroupKey: Double]?
        var parameters: [Tensor], moments: (first: [Tensor], second: [Tensor]), adamSteps: Int
        var steps: Int, logged: (history: Int, groups: Int, evaluations: Int), trace: StepRecord?
        var dead: (streaks: [GroupKey: Int], warned: Set<GroupKey>, groups: [String])
    }

    private func snapshot() -> Snapshot {
        Snapshot(rng: rng, order: order, cursor: cursor, epoch: epoch, fair: fair.state, dro: dro?.state,
                 parameters: policy.parameters.map { $0.value.detached() },
                 moments: optimizer.moments, adamSteps: optimizer.stepCount,
                 steps: stepCount, logged: (history.count, groupHistory.count, evaluations.count), trace: lastStep,
                 dead: (deadStreaks, warnedGroups, lastDeadGroups))
    }

    private func restore(_ s: Snapshot) {
        rng = s.rng; order = s.order; cursor = s.cursor; epoch = s.epoch
        // A failure after the step was counted (e.g. in the eval_every report) undoes the count and its logs too.
        stepCount = s.steps
        history.removeLast(history.count - s.logged.history)
        groupHistory.removeLast(groupHistory.count - s.logged.groups)
        evaluations.removeLast(evaluations.count - s.logged.evaluations)
        lastStep = s.trace
        (deadStreaks, warnedGroups, lastDeadGroups) = s.dead
        fair.state = s.fair
        if let d = s.dro { dro?.state = d }
        for (p, v) in zip(policy.parameters, s.parameters) { p.value = v.requiringGrad(p.name) }
        optimizer.moments = s.moments; optimizer.stepCount = s.adamSteps
    }

    /// One training step. On a non-finite loss or parameter, or any other
    /// error, the trainer is put back to the state before the step and the
    /// error explains why.
    @discardableResult
    public func step() throws -> StepLog {
        let before = snapshot(), clusterLogs = clusterHistory.count
        do {
            return try performStep()
        } catch {
            restore(before)
            clusterHistory.removeLast(clusterHistory.count - clusterLogs)
            throw error
        }
    }

    /// One step's rollouts: the prompts, their sampled answers and rewards.
    struct Rollouts {
        var rows: [Int], x: Tensor, answers: [[Int]], rewards: [[Double]]
        /// Prompts drawn to make the batch (more than `rows` under dynamic sampling).
        var drawn: Int
        /// Live prompts among all drawn (dynamic sampling only).
        var liveDrawn: Int?
        /// The rollouts laid end to end (rollout i answers prompt i / g), as the loss takes them.
        var answerIndices: [Int] = [], oldLogProbs: [Float] = []
        /// The recorded forward pass the answers were sampled from, for the first PPO pass.
        var logits: Tensor?
    }

    /// What the PPO passes report of the last pass.
    struct Update {
        var loss = 0.0, kl = 0.0, clipped = 0.0, gradNorm = 0.0
    }

    private func performStep() throws -> StepLog {
        let start = monotonicSeconds()
        let rollouts: Rollouts
        do {
            rollouts = try sample()
        } catch let e as RLError {
            throw RLError("step \(stepCount + 1): \(e.description); training stopped and the trainer is left at step \(stepCount) (try a smaller lr)")
        }
        let domainNames = rollouts.rows.map { data.domainNames[data.domains[$0]] }
        let groups = rollouts.rows.map { groupKeys[$0] }
        let computed = try computeAdvantages(rollouts, domains: domainNames, groups: groups)
        let update = try optimise(rollouts, advantages: computed.final)
        stepCount += 1
        let log = try stepLog(rollouts, advantages: computed.final, update: update, start: start)
        history.append(log)
        recordGroups(rows: rollouts.rows, domains: domainNames, groups: groups, rewards: rollouts.rewards, answers: rollouts.answers,
                     grpo: computed.grpo, final: computed.final, terms: computed.terms)
        if config.evalEvery > 0, stepCount % config.evalEvery == 0, let evalData {
            evaluations.append((stepCount, try evaluate(policy: policy, on: evalData)))
        }
        return log
    }

    /// Sample: the next batch's prompts and G answers to each, rewarded
    /// (with dynamic sampling, drawn until the batch is live; see DynamicSampling.swift).
    private func sample() throws -> Rollouts {
        let g = config.numGenerations
        let temperature = Float(config.temperature)
        if config.dynamicSampling {
            // Rollouts from no-grad passes over each drawn batch; the PPO passes recompute the logits.
            let draw = try drawLiveBatch(temperature: temperature)
            var rollouts = Rollouts(rows: draw.rows, x: try data.features.take(draw.rows, axis: 0), answers: draw.answers,
                                    rewards: draw.rewards, drawn: draw.drawn, liveDrawn: draw.liveDrawn)
            rollouts.answerIndices.reserveCapacity(draw.rows.count * g); rollouts.oldLogProbs.reserveCapacity(draw.rows.count * g)
            for q in draw.rows.indices {
                rollouts.answerIndices += draw.answers[q]
                rollouts.oldLogProbs += draw.logProbs[q]
            }
            return rollouts
        }
        let rows = nextBatch()
        let x = try data.features.take(rows, axis: 0)
        // One recorded forward pass: the rollouts are sampled from its logits, and the
        // first PPO pass reuses it (the parameters have not moved yet, so a second
        // forward pass would compute the same numbers).
        let logits = try policy.logits(x)
        let (answerIndices, oldLogProbs) = try policy.sampleFlat(logits: logits, g: g, temperature: temperature, using: &rng)
        let answers = rows.indices.map { Array(answerIndices[($0 * g)..<(($0 + 1) * g)]) }
        return Rollouts(rows: rows, x: x, answers: answers, rewards: try rolloutRewards(rows: rows, answers: answers),
                        drawn: rows.count, answerIndices: answerIndices, oldLogProbs: oldLogProbs, logits: logits)
    }

    /// Statistics, clustering and factors: the method's advantages for the
    /// batch (AdvantageEstimators.swift), and for clustering methods how well
    /// the clusters match the true groups.
    private func computeAdvantages(_ rollouts: Rollouts, domains: [String], groups: [String]) throws -> AdvantageStep.Result {
        let computed = try AdvantageStep.compute(method: config.method, scaling: config.scaleRewards, rewards: rollouts.rewards, domains: domains,
                                                 groups: groups, rows: rollouts.rows, fair: &fair, dro: &dro,
                                                 embed: { try self.clusteringVectors($0) })
        if config.method.clustersGroups {
            clusterHistory.append(try clusterLog(step: stepCount + 1, milliseconds: fair.clusteringMilliseconds))
        }
        return computed
    }

    /// `numIterations` PPO passes over all B·G rollouts: the loss, then the update.
    private func optimise(_ rollouts: Rollouts, advantages: [[Double]]) throws -> Update {
        let b = rollouts.rows.count, g = config.numGenerations
        let temperature = Float(config.temperature)
        var flatAdvantages: [Float] = []
        flatAdvantages.reserveCapacity(b * g)
        for q in 0..<b {
            for v in advantages[q] { flatAdvantages.append(Float(v)) }
        }
        let old = try Tensor(shape: [b * g], scalars: rollouts.oldLogProbs)
        let adv = try Tensor(shape: [b * g], scalars: flatAdvantages)
        var refLogp: Tensor?
        if config.beta > 0 {
            refLogp = try Autodiff.withoutGradients {
                try Tensor.sampledLogProbs(logits: try policy.reference(rollouts.x), temperature: temperature, generations: g, answers: rollouts.answerIndices)
            }
        }
        var update = Update()
        var firstLogits = rollouts.logits
        let low = Float(1 - config.epsilon), high = Float(1 + config.clipHigh)
        for _ in 0..<config.numIterations {
            optimizer.zeroGrad()
            let logits = try firstLogits ?? policy.logits(rollouts.x)
            firstLogits = nil
            let (loss, ratios, kl) = try loss(logits: logits, rollouts: rollouts, oldLogProbs: old, advantages: adv, referenceLogProbs: refLogp)
            if let kl { update.kl = kl }
            update.loss = Double(try loss.item())
            guard update.loss.isFinite else {
                throw RLError("step \(stepCount + 1): the loss is \(update.loss); training stopped and the trainer is left at step \(stepCount) (try a smaller lr)")
            }
            update.gradNorm = try self.update(loss)
            var clippedCount = 0
            ratios.withUnsafeBufferPointer { r in
                for (i, a) in flatAdvantages.enumerated() where (r[i] < low && a < 0) || (r[i] > high && a > 0) { clippedCount += 1 }
            }
            update.clipped = Double(clippedCount) / Double(b * g)
        }
        for p in policy.parameters {
            guard p.value.isAllFinite else {
                throw RLError("step \(stepCount + 1): parameter \(p.name) became non-finite; training stopped and the trainer is left at step \(stepCount)")
            }
        }
        return update
    }

    /// Loss: −mean(min(ρA, clip(ρ)A)) [+ β·mean k3] [− coef · mean entropy], with the ratios ρ and the KL term.
    private func loss(logits: Tensor, rollouts: Rollouts, oldLogProbs: Tensor, advantages: Tensor,
                      referenceLogProbs: Tensor?) throws -> (loss: Tensor, ratios: Tensor, kl: Double?) {
        let temperature = Float(config.temperature)
        // Fused (bit-identical to composing the primitives).
        let policyLoss = try Tensor.clippedPolicyLoss(
            logits: logits, temperature: temperature, generations: config.numGenerations, answers: rollouts.answerIndices,
            oldLogProbs: oldLogProbs, advantages: advantages, low: Float(1 - config.epsilon), high: Float(1 + config.clipHigh),
            referenceLogProbs: referenceLogProbs, beta: Float(config.beta))
        var loss = policyLoss.loss
        if config.entropyCoef > 0 {
            // Maximise the entropy: the loss gets −coef · mean entropy of softmax(logits / T).
            loss = try loss - (try EntropyBonus.meanEntropy(logits: logits, temperature: temperature) * Float(config.entropyCoef))
        }
        return (loss, policyLoss.ratios, policyLoss.klMean.map { Double($0) })
    }

    /// Update: gradients of the loss, clipped to `maxGradNorm`, one optimizer step; returns the gradient norm.
    private func update(_ loss: Tensor) throws -> Double {
        try loss.backward()
        let gradNorm = Double(clipGradNorm(policy.parameters, maxNorm: Float(config.maxGradNorm)))
        guard gradNorm.isFinite else {
            throw RLError("step \(stepCount + 1): the gradient norm is \(gradNorm); training stopped and the trainer is left at step \(stepCount)")
        }
        optimizer.step()
        return gradNorm
    }

    /// The step's log line: rewards, the last PPO pass, the policy's entropy now, where the signal was.
    private func stepLog(_ rollouts: Rollouts, advantages: [[Double]], update: Update, start: Double) throws -> StepLog {
        let b = rollouts.rows.count, g = config.numGenerations
        let temperature = Float(config.temperature)
        let summary = AdvantageStep.rewardSummary(rollouts.rewards)
        let entropy = try Autodiff.withoutGradients { () -> Double in
            let p = try (try policy.logits(rollouts.x) * (1 / temperature)).logSoftmax()
            return p.withUnsafeBufferPointer { lp in
                var h = 0.0
                for v in lp where v.isFinite { h -= Double(_expf(v) * v) }
                return h / Double(b)
            }
        }
        var log = StepLog(step: stepCount, reward: summary.mean,
                          rewardStd: g > 1 ? summary.std : 0, fracRewardZeroStd: g > 1 ? summary.zeroStd : 1,
                          kl: update.kl, clipRatio: update.clipped, entropy: entropy, gradNorm: update.gradNorm, loss: update.loss,
                          milliseconds: (monotonicSeconds() - start) * 1000)
        let live = LiveSignal.measure(rewards: rollouts.rewards, advantages: advantages, members: [Array(0..<b)])[0]
        log.liveShare = live.share
        log.liveGradientShare = live.gradientShare
        log.drawn = Double(rollouts.drawn); log.kept = Double(live.live); log.dropped = Double(rollouts.drawn - b)
        log.liveDrawnShare = Double(rollouts.liveDrawn ?? live.live) / Double(rollouts.drawn)
        return log
    }

    private func recordGroups(rows: [Int], domains: [String], groups: [String], rewards: [[Double]], answers: [[Int]],
                              grpo: [[Double]], final: [[Double]], terms: [FairWeighting.Terms]?) {
        // (domain, group) in order of first appearance, with their prompts.
        var keys: [GroupKey] = []
        var members: [[Int]] = []
        // The data's own (domain, group) cells are numbered once in init, so the usual case
        // (no terms, or terms that keep the data's groups) groups prompts by an integer
        // rather than hashing a key per prompt; clusters (fairgrpo_nd) relabel the groups.
        let ownCells = terms.map { t in rows.indices.allSatisfy { t[$0].groupLabel == groups[$0] } } ?? true
        if ownCells {
            var slot = [Int](repeating: -1, count: cells.count)
            for q in rows.indices {
                let cell = cellOfRow[rows[q]]
                if slot[cell] >= 0 {
                    members[slot[cell]].append(q)
                } else {
                    slot[cell] = keys.count
                    keys.append(cells[cell])
                    members.append([q])
                }
            }
        } else {
            var index: [GroupKey: Int] = [:]
            for q in rows.indices {
                let key = GroupKey(domains[q], terms?[q].groupLabel ?? groups[q])
                if let i = index[key] {
                    members[i].append(q)
                } else {
                    index[key] = keys.count
                    keys.append(key)
                    members.append([q])
                }
            }
        }
        var logs = AdvantageStep.groupLogs(step: stepCount, keys: keys, members: members, rewards: rewards, grpo: grpo, final: final, terms: terms)
        lastDeadGroups = trackDeadGroups(&logs)
        groupHistory.append(logs)
        lastStep = StepRecord(step: stepCount, rows: rows, domains: domains, groups: terms?.map(\.groupLabel) ?? groups,
                              answers: answers, rewards: rewards, grpo: grpo, final: final, factors: terms?.map(\.factor))
    }
}

/// The numbers of one step's rollouts, kept so the trace can be built when it is asked for.
struct StepRecord {
    var step: Int, rows: [Int], domains: [String], groups: [String]
    var answers: [[Int]], rewards: [[Double]], grpo: [[Double]], final: [[Double]], factors: [Double]?

    func rows(_ data: Dataset) -> [TraceRow] {
        var trace: [TraceRow] = []
        trace.reserveCapacity(answers.reduce(0) { $0 + $1.count })
        for (q, r) in rows.enumerated() {
            for (i, a) in answers[q].enumerated() {
                trace.append(TraceRow(step: step, promptID: data.ids[r], domain: domains[q], group: groups[q],
                                      answer: data.classNames[a], label: data.classNames[data.labels[r]], reward: rewards[q][i],
                                      grpoAdvantage: grpo[q][i], factor: factors?[q] ?? .nan, advantage: final[q][i]))
            }
        }
        return trace
    }
}

/// Greedy predictions of `policy` on `data`, scored by the fairness report.
public func evaluate(policy: Policy, on data: Dataset, intersections: Bool = false) throws -> FairnessReport {
    let predictions = try policy.predict(data.features)
    return try FairnessReport.evaluate(truth: data.labels, predictions: predictions, data: data, intersections: intersections)
}
