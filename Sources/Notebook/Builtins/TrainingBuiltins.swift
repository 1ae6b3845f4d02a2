import Render
import Data
import Fairness
import Lang
import NN
import RL
import Tensors

public final class PolicyObject: LangObject {
    public let policy: Policy
    public init(_ policy: Policy) { self.policy = policy }
    public var typeName: String { "policy" }
    public func render() -> String {
        let layers = ([policy.inputCount] + policy.hidden + [policy.classCount]).map(String.init).joined(separator: " → ")
        return "policy: \(layers) (\(policy.hidden.isEmpty ? "linear" : policy.activation.rawValue)) · \(policy.model.parameterCount) parameters"
    }
    public var memberNames: [String] { ["inputs", "classes", "hidden", "parameters"] }
    public func member(_ name: String) throws -> Value? {
        switch name {
        case "inputs": return .number(Double(policy.inputCount))
        case "classes": return .number(Double(policy.classCount))
        case "hidden": return .list(policy.hidden.map { .number(Double($0)) })
        case "parameters": return .number(Double(policy.model.parameterCount))
        default: return nil
        }
    }
}

public final class TrainerObject: LangObject {
    public let trainer: Trainer
    public init(_ trainer: Trainer) { self.trainer = trainer }
    public var typeName: String { "trainer" }
    public func render() -> String {
        let c = trainer.config
        return "trainer: \(c.method.rawValue) · G \(c.numGenerations) · batch \(c.batchSize) · lr \(c.learningRate) · ε \(c.epsilon)/\(c.clipHigh) · β \(c.beta) · step \(trainer.stepCount) · epoch \(trainer.epoch) · seed \(c.seed)"
            + ClusterViews.summary(trainer) + TrainerOptions.summary(trainer)
    }
    public var memberNames: [String] { ["steps", "method", "policy", "data", "last", "clusters", "truth"] }
    public func member(_ name: String) throws -> Value? {
        switch name {
        case "steps": return .number(Double(trainer.stepCount))
        case "method": return .string(trainer.config.method.rawValue)
        case "policy": return .object(PolicyObject(trainer.policy))
        case "data": return .object(DatasetObject(trainer.data))
        case "last": return trainer.history.last.map { TrainingBuiltins.record($0) } ?? Value.none
        case "clusters": return .list(trainer.discoveredGroups().clusters.map { .string($0) })
        case "truth": return .list(trainer.discoveredGroups().truth.map { .string($0) })
        default: return nil
        }
    }
}

enum TrainingBuiltins {
    static func record(_ log: StepLog) -> Value {
        .record(RecordObject(zip(StepLog.columns, log.values).map { ($0, .number($1)) }))
    }

    static func format(_ v: Double, _ d: Int = 3) -> String { v.isNaN ? "-" : formatFixed(v, d) }

    /// One step's line; the live-prompt part (and dynamic sampling's counts) come
    /// before the time, so the time stays last.
    static func logLine(_ log: StepLog, dynamic: Bool = false) -> String {
        "step \(String(log.step).leftPadded(4)) | reward \(format(log.reward)) | reward_std \(format(log.rewardStd)) | zero-std \(format(log.fracRewardZeroStd * 100, 0))% | kl \(format(log.kl, 4)) | clip \(format(log.clipRatio, 2)) | entropy \(format(log.entropy)) | grad \(format(log.gradNorm)) | loss \(format(log.loss, 4))\(liveSuffix(log, dynamic: dynamic)) | \(format(log.milliseconds, 1)) ms"
    }

    /// Per (domain, group): the weight first, then the terms of its formula,
    /// then where the gradient went. Shares are fractions shown as percentages.
    /// weights(t) and history(t, groups=true) (which adds the step) share it.
    static func groupColumns(_ logs: [GroupLog]) -> [Column] {
        func percent(_ name: String, _ label: String, _ v: (GroupLog) -> Double) -> Column {
            Column(name, label: label, format: .percent, numbers: logs.map(v))
        }
        return [Column("domain", texts: logs.map(\.domain)), Column("group", texts: logs.map(\.group)),
                Column("weight", numbers: logs.map(\.weight)), Column("factor", numbers: logs.map(\.factor)),
                Column("N_d", numbers: logs.map(\.nDomain)), Column("mu_d", label: "μ_d", numbers: logs.map(\.muDomain)),
                Column("T_d", numbers: logs.map(\.tDomain)), Column("N_g", numbers: logs.map(\.nGroup)),
                Column("mu_g", label: "μ_g", numbers: logs.map(\.muGroup)),
                Column("n_batch", label: "n", integers: logs.map(\.batchPrompts)),
                Column("mean_abs_adv", label: "mean|A|", numbers: logs.map(\.meanAbsAdvantage)),
                percent("share", "share", \.gradientShare), Column("live", integers: logs.map(\.livePrompts)),
                percent("live_share", "live%", \.liveShare), percent("live_grad_share", "live grad", \.liveGradientShare),
                Column("dead_steps", label: "dead", integers: logs.map(\.deadSteps))]
    }

    static func register(in session: Session) {
        let i = session.interpreter
        i.register(BuiltinFunction(
            "policy", [Parameter("data"), Parameter("hidden", default: .list([.number(64)])), Parameter("activation", default: .string("relu")),
                       Parameter("seed", default: .number(0))],
            summary: "A categorical diagnosis policy for a dataset: an MLP (or linear with hidden=[]) from features to class logits.",
            details: "Layers are initialised as PyTorch's nn.Linear (uniform ±1/√fan_in) from the seed. A frozen copy is kept as the reference for the KL penalty.",
            example: "p = policy(train, hidden=[64], seed=0)"
        ) { a, _ in
            let data = try a.object("data", as: DatasetObject.self, "a dataset").data
            let hidden = try a.list("hidden").map { v -> Int in
                guard case .number(let h) = v, h == h.rounded(), h >= 1, h <= 65536 else { throw RuntimeError("policy(): hidden sizes must be whole numbers ≥ 1") }
                return Int(h)
            }
            guard let act = Activation(rawValue: try a.string("activation")), act != .identity else {
                throw RuntimeError("policy(): activation must be \"relu\", \"tanh\" or \"gelu\"")
            }
            let seed = UInt64(max(0, try a.integer("seed")))
            return .object(PolicyObject(try TrainerOptions.located("policy()") {
                try Policy(inputs: data.featureCount, classes: data.classNames.count, hidden: hidden, activation: act, seed: seed)
            }))
        })
        i.register(BuiltinFunction(
            "trainer", TrainerOptions.parameters,
            summary: "A GRPO-family trainer you step by hand: grpo, rloo, reinforce++, fairgrpo, fairgrpo_nd, grpo_rs, grpo_dro.",
            details: """
                fairgrpo implements the reference exactly (cumulative per-(domain, group) statistics, T_d = max(√N_d·μ_d, ε), \
                factor = T_d·√N_g·μ_g, s/factor with NaN fallback, batch-std renormalisation; UNK prompts clustered); it applies \
                scale_rewards in its GRPO step, before the weights (the reference uses "group"). eval_every with eval_data records \
                a fairness report every that many steps. The options beyond the paper are all off by default. \
                \(TrainingBuiltins.rewardHelp) \(ClusterViews.trainerHelp)
                """,
            example: "t = trainer(p, train, method=\"fairgrpo\", G=8, batch=128, lr=1e-3, seed=0)"
        ) { a, interp in
            let policy = try a.object("policy", as: PolicyObject.self, "a policy").policy
            let data = try a.object("data", as: DatasetObject.self, "a dataset").data
            let (c, rewardFunction) = try TrainerOptions.config(a, classes: data.classNames.count, interp: interp)
            let t = try TrainerOptions.located("trainer()") { try Trainer(policy: policy, data: data, config: c) }
            if !a.isNone("eval_data") { t.evalData = try a.object("eval_data", as: DatasetObject.self, "a dataset").data }
            t.reward = rewardFunction
            return .object(TrainerObject(t))
        })
        i.register(BuiltinFunction(
            "weights", [Parameter("trainer"), Parameter("step", default: Value.none)],
            summary: "A step's weight per (domain, group) (the last step by default), with every term of the formula as a column; a trainer or a replay.",
            details: "N_d, μ_d: prompts and mean reward of the domain so far; T_d = max(√N_d·μ_d, ε); N_g, μ_g: the group's; factor = T_d·√N_g·μ_g; weight = final advantage / GRPO advantage = 1/(factor·(σ+ε)); share: the group's part of Σ|A|; live: prompts whose rollouts disagree (non-zero advantage); live%: live / n; live grad: the part of the batch's Σ|A| on the group's live prompts; dead steps: consecutive steps in the batch without a live prompt. step=k: an earlier step's table.",
            example: "weights(t)"
        ) { a, _ in
            let run = try RunView.of(a, callee: "weights()")
            let logs = try run.weights(step: try a.optionalInteger("step"), callee: "weights()")
            // Rows in the data's domain order, then by group, so tables of
            // successive steps can be compared by eye.
            let order = Dictionary(run.domainOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let sorted = logs.sorted { (order[$0.domain] ?? .max, $0.group) < (order[$1.domain] ?? .max, $1.group) }
            return .object(TableObject(DataTable(groupColumns(sorted), title: "step \(logs.first?.step ?? run.stepCount) · \(run.method.rawValue)",
                                                 kind: "weights", keys: ["domain", "group"])))
        })
        i.register(BuiltinFunction(
            "history", [Parameter("trainer"), Parameter("groups", default: .bool(false)), Parameter("fairness", default: .bool(false))],
            summary: "The logged series of a trainer or a replay: one row per step (or per step and group with groups=true, or the eval_every fairness reports with fairness=true).",
            details: "Per step: reward, reward_std, frac_reward_zero_std, kl, clip_ratio, entropy, grad_norm, loss, live (share of prompts whose rollouts disagree), live_grad (share of Σ|A| on them), drawn/kept/dropped (dynamic sampling), live_drawn (share of all drawn prompts that were live: the signal before dynamic sampling's selection), ms. Per group: the weights(t) terms plus live_share, live_grad_share, dead_steps. plot(h[\"live\"]) shows the signal dying.",
            example: "h = history(t); h[\"reward\"]"
        ) { a, _ in
            let t = try RunView.of(a, callee: "history()")
            if try a.bool("fairness") {
                guard !t.evaluations.isEmpty else {
                    throw RuntimeError("history(): no fairness reports yet; create the trainer with eval_every=N and eval_data=test")
                }
                let names = FairnessReport.Table().columns.map(\.0)
                let values = t.evaluations.map { e in e.report.table.columns.map(\.1) }
                return .object(TableObject(DataTable([Column("step", integers: t.evaluations.map(\.step))]
                                                     + names.indices.map { c in Column(names[c], numbers: values.map { $0[c] }) },
                                                     kind: "fairness_history")))
            }
            if try a.bool("groups") {
                let logs = t.groupHistory.flatMap { $0 }
                return .object(TableObject(DataTable([Column("step", integers: logs.map(\.step))] + groupColumns(logs),
                                                     kind: "group_history", keys: ["domain", "group"])))
            }
            // Counts print as whole numbers.
            let counts: Set<String> = ["step", "drawn", "kept", "dropped"]
            let values = t.history.map(\.values)
            let columns = StepLog.columns.enumerated().map { c, name in
                Column(name, format: counts.contains(name) ? .integer : .auto, numbers: values.map { $0[c] })
            }
            return .object(TableObject(DataTable(columns + ClusterViews.agreementColumns(t), kind: "history")))
        })
        i.register(BuiltinFunction(
            "trace", [Parameter("trainer"), Parameter("step", default: Value.none)],
            summary: "Every rollout of the last step (or of step=k of a replay): prompt, domain, group, answer, reward, GRPO advantage, factor, final advantage.",
            example: "trace(t).to_csv(\"trace.csv\")"
        ) { a, _ in
            let run = try RunView.of(a, callee: "trace()")
            let r = try run.trace(try a.optionalInteger("step"))
            return .object(TableObject(DataTable(
                [Column("step", integers: r.map(\.step)), Column("prompt", texts: r.map(\.promptID)), Column("domain", texts: r.map(\.domain)),
                 Column("group", texts: r.map(\.group)), Column("answer", texts: r.map(\.answer)), Column("label", texts: r.map(\.label)),
                 Column("reward", numbers: r.map(\.reward)), Column("grpo_adv", numbers: r.map(\.grpoAdvantage)),
                 Column("factor", numbers: r.map(\.factor)), Column("advantage", numbers: r.map(\.advantage))],
                kind: "trace", keys: ["prompt"])))
        })
        i.register(BuiltinFunction(
            "save", [Parameter("trainer"), Parameter("path")],
            summary: "Saves a trainer checkpoint: data, config, policy and reference, Adam moments, generator, data order, FairGRPO statistics, DRO weights, history.",
            details: "Written atomically (temporary file, fsync, rename), versioned and checksummed. load(path) continues bit-identically.",
            example: "save(t, \"run.ckpt\")"
        ) { a, interp in
            let t = try a.object("trainer", as: TrainerObject.self, "a trainer").trainer
            let path = try a.string("path")
            try Checkpoint.save(t, to: path)
            interp.write("saved \(path) (step \(t.stepCount))\n")
            return .none
        })
        i.register(BuiltinFunction(
            "load", [Parameter("path"), Parameter("reward", default: Value.none)],
            summary: "Loads a trainer checkpoint written by save(); training continues exactly where it stopped.",
            details: "A run that used a custom reward function needs it again: load(path, reward=fn).",
            example: "t = load(\"run.ckpt\"); step(t, 10)"
        ) { a, interp in
            var reward: ((Int, Int, Int) throws -> Double)?
            if !a.isNone("reward") {
                guard case .function = a["reward"] else {
                    throw RuntimeError("load(): reward must be the run's reward function; reward options and cost matrices are stored in the checkpoint")
                }
                reward = try rewardArgument(a["reward"], classes: 0, interp: interp, callee: "load()").function
            }
            return .object(TrainerObject(try Checkpoint.load(try a.string("path"), reward: reward)))
        })
        i.register(BuiltinFunction(
            "predict", [Parameter("policy"), Parameter("data")], summary: "Greedy answers (class indices) of a policy on a dataset.",
            example: "pred = predict(p, test)"
        ) { a, _ in
            let p = try a.object("policy", as: PolicyObject.self, "a policy").policy
            let d = try a.object("data", as: DatasetObject.self, "a dataset").data
            return .list(try p.predict(d.features).map { .number(Double($0)) })
        })
        i.register(BuiltinFunction(
            "evaluate", [Parameter("policy"), Parameter("data"), Parameter("intersections", default: .bool(false))]
                + FairnessBuiltins.bootstrapParameters,
            summary: "The fairness report of a policy's greedy answers on a dataset (see help(metrics)), with calibration from its probabilities.",
            details: "The policy's class probabilities add calibration by group: " + FairnessBuiltins.moreHelp + " " + FairnessBuiltins.bootstrapHelp,
            example: "evaluate(p, test, n_boot=1000).table"
        ) { a, _ in
            let p = try a.object("policy", as: PolicyObject.self, "a policy").policy
            let d = try a.object("data", as: DatasetObject.self, "a dataset").data
            let (predictions, computed) = try p.predictWithProbabilities(d.features)
            // A diverged policy has no probabilities to check; its answers are still scored.
            let probabilities = computed.allSatisfy(\.isFinite) ? computed : nil
            return .object(ReportObject(try FairnessBuiltins.report(truth: d.labels, predictions: predictions, data: d,
                                                                    intersections: try a.bool("intersections"), probabilities: probabilities,
                                                                    bootstrap: try FairnessBuiltins.bootstrap(a, "evaluate()"))))
        })
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
