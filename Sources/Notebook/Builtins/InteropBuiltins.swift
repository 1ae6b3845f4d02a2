import Render
import Data
import Fairness
import Lang
import RL

/// Recorded rollouts of a run elsewhere (verl, TRL, JSONL, CSV).
public final class RolloutsObject: LangObject {
    public let rollouts: Rollouts
    public init(_ rollouts: Rollouts) { self.rollouts = rollouts }
    public var typeName: String { "rollouts" }
    public func length() -> Int? { rollouts.rolloutCount }

    public func render() -> String {
        let r = rollouts
        let steps = r.steps
        let perStep = steps.map(\.prompts.count)
        var gs = Set<Int>()
        for s in steps { for p in s.prompts { gs.insert(p.rewards.count) } }
        let g = gs.count == 1 ? "G \(gs.first!)" : "G \(gs.min()!)–\(gs.max()!)"
        let prompts = perStep.min() == perStep.max() ? "\(perStep[0]) prompts/step" : "\(perStep.min()!)–\(perStep.max()!) prompts/step"
        let groups = Set(steps.flatMap { $0.prompts.map(\.group) }).sorted(by: CSVLoader.naturalOrder)
        let domains = r.domainNames
        var lines = ["rollouts: \(steps.count) steps (\(steps.first!.step)…\(steps.last!.step)) · \(prompts) · \(g) · \(r.rolloutCount) rollouts",
                     "\(domains.count) domain\(domains.count == 1 ? "" : "s"): \(domains.prefix(6).joined(separator: ", "))\(domains.count > 6 ? ", …" : "")",
                     "\(groups.count) group\(groups.count == 1 ? "" : "s"): \(groups.prefix(12).joined(separator: " "))\(groups.count > 12 ? " …" : "")",
                     "from \(r.source)"]
        lines += r.notes
        if !r.ragged.isEmpty {
            lines.append("\(r.ragged.count) prompt\(r.ragged.count == 1 ? "" : "s") with an unusual number of rollouts (r.ragged lists them):")
            lines += r.ragged.prefix(3).map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    public var memberNames: [String] { ["steps", "prompts", "rollouts", "domains", "groups", "ragged", "notes", "rewards"] }
    public func member(_ name: String) throws -> Value? {
        let r = rollouts
        switch name {
        case "steps": return .list(r.steps.map { .number(Double($0.step)) })
        case "prompts": return .number(Double(r.promptCount))
        case "rollouts": return .number(Double(r.rolloutCount))
        case "domains": return .list(r.domainNames.map { .string($0) })
        case "groups": return .list(Set(r.steps.flatMap { $0.prompts.map(\.group) }).sorted().map { .string($0) })
        case "ragged": return .list(r.ragged.map { .string($0) })
        case "notes": return .list(r.notes.map { .string($0) })
        case "rewards": return .list(r.steps.map { s in .list(s.prompts.map { p in .list(p.rewards.map { .number($0) }) }) })
        default: return nil
        }
    }
}

/// A replay of recorded rollouts through an advantage method.
public final class ReplayObject: LangObject {
    public let replay: Replay
    public init(_ replay: Replay) { self.replay = replay }
    public var typeName: String { "replay" }
    public func render() -> String {
        let r = replay
        return "replay: \(r.config.method.rawValue) · \(r.replayed) of \(r.rollouts.steps.count) steps · \(r.rollouts.rolloutCount) rollouts · from \(r.rollouts.source)"
            + (r.warnings.isEmpty ? "" : "\n\(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s") (r.warnings)")
    }
    public var memberNames: [String] { ["steps", "method", "rollouts", "last", "warnings", "clusters", "truth"] }
    public func member(_ name: String) throws -> Value? {
        switch name {
        case "steps": return .number(Double(replay.replayed))
        case "method": return .string(replay.config.method.rawValue)
        case "rollouts": return .object(RolloutsObject(replay.rollouts))
        case "last": return replay.history.last.map { TrainingBuiltins.record($0) } ?? Value.none
        case "warnings": return .list(replay.warnings.map { .string("step \($0.step): \($0.text)") })
        case "clusters": return .list(replay.discoveredGroups().clusters.map { .string($0) })
        case "truth": return .list(replay.discoveredGroups().truth.map { .string($0) })
        default: return nil
        }
    }
}

/// A model's predictions on an evaluation set, ready for `metrics(p)`.
public final class PredictionsObject: LangObject {
    public let predictions: Predictions
    public init(_ predictions: Predictions) { self.predictions = predictions }
    public var typeName: String { "predictions" }
    public func length() -> Int? { predictions.data.count }
    public func render() -> String {
        let p = predictions
        let correct = zip(p.data.labels, p.predicted).filter { $0 == $1 }.count
        var lines = ["predictions: \(p.data.count) cases · \(p.data.classNames.count) answers · exact accuracy \(formatFixed(Double(correct) / Double(max(p.data.count, 1)), 4))",
                     "\(p.data.domainNames.count) domain\(p.data.domainNames.count == 1 ? "" : "s"): \(p.data.domainNames.prefix(6).joined(separator: ", "))\(p.data.domainNames.count > 6 ? ", …" : "") · attributes: \(p.data.attributes.isEmpty ? "none" : p.data.attributes.map(\.name).joined(separator: ", "))"]
        lines += p.notes
        return lines.joined(separator: "\n")
    }
    public var memberNames: [String] { ["data", "predicted", "truth", "count"] }
    public func member(_ name: String) throws -> Value? {
        let p = predictions
        switch name {
        case "data": return .object(DatasetObject(p.data))
        case "predicted": return .list(p.predicted.map { .string(p.data.classNames[$0]) })
        case "truth": return .list(p.data.labels.map { .string(p.data.classNames[$0]) })
        case "count": return .number(Double(p.data.count))
        default: return nil
        }
    }
}

/// What the run views (weights, history, trace, clusters) read, from a trainer or a replay.
struct RunView {
    var history: [StepLog]
    var groupHistory: [[GroupLog]]
    var clusterHistory: [ClusterLog]
    var stepCount: Int
    var method: TrainerConfig.Method
    var clustering: ClusteringOptions
    /// Domains in the order tables list them.
    var domainOrder: [String]
    var evaluations: [(step: Int, report: FairnessReport)]
    var trace: (Int?) throws -> [TraceRow]
    var latent: [String: DomainClustering]
    /// Clustered prompts with a known group, and the true group key of each row.
    var discovered: () -> (rows: [Int], clusters: [String], truth: [String])
    var truthKey: (Int) -> String

    static func of(_ a: Arguments, callee: String) throws -> RunView {
        if case .object(let o) = a["trainer"], let r = o as? ReplayObject {
            let replay = r.replay
            return RunView(history: replay.history, groupHistory: replay.groupHistory, clusterHistory: replay.clusterHistory,
                           stepCount: replay.stepCount, method: replay.config.method, clustering: replay.config.clustering,
                           domainOrder: replay.rollouts.domainNames, evaluations: [],
                           trace: { try replay.trace(step: $0) }, latent: replay.fair.latent,
                           discovered: { replay.discoveredGroups() }, truthKey: { replay.truthKeys[$0] })
        }
        guard case .object(let o) = a["trainer"], let t = (o as? TrainerObject)?.trainer else {
            throw RuntimeError("\(callee): expected a trainer or a replay, got \(a["trainer"].typeName)")
        }
        let keys = t.data.groupKeys(truth: true)
        return RunView(history: t.history, groupHistory: t.groupHistory, clusterHistory: t.clusterHistory, stepCount: t.stepCount,
                       method: t.config.method, clustering: t.config.clustering, domainOrder: t.data.domainNames,
                       evaluations: t.evaluations,
                       trace: { step in
                           if let step, step != t.stepCount {
                               throw RuntimeError("\(callee): a trainer keeps the rollouts of its last step (\(t.stepCount)) only; replay(...) keeps every step's")
                           }
                           return t.lastTrace
                       },
                       latent: t.fair.latent, discovered: { t.discoveredGroups() }, truthKey: { keys[$0] })
    }

    /// The group logs of `step` (the last by default).
    func weights(step: Int?, callee: String) throws -> [GroupLog] {
        guard let last = groupHistory.last else { throw RuntimeError("\(callee): nothing has run yet; call step(t) (or replay a run) first") }
        guard let step else { return last }
        guard let logs = groupHistory.first(where: { $0.first?.step == step }) else {
            throw RuntimeError("\(callee): no step \(step); steps run from \(groupHistory.first!.first?.step ?? 0) to \(last.first?.step ?? 0)")
        }
        return logs
    }
}

enum InteropBuiltins {
    static func register(in session: Session) {
        let i = session.interpreter
        i.register(BuiltinFunction(
            "load_rollouts",
            [Parameter("path"), Parameter("format", default: .string("verl")), Parameter("prompt", default: Value.none),
             Parameter("reward", default: Value.none), Parameter("step", default: Value.none), Parameter("completion", default: Value.none),
             Parameter("advantage", default: Value.none), Parameter("domain", default: Value.none), Parameter("demo", default: Value.none),
             Parameter("attributes", default: Value.none), Parameter("completions", default: .bool(false))],
            summary: "Rollouts recorded by a run elsewhere: a verl rollout dump, TRL's logged completions, or any JSONL/CSV; grouped by prompt within each step.",
            details: """
                format="verl": trainer.rollout_data_dir (a folder of <step>.jsonl files, or one of them) with input, output, score, \
                step and the reward function's extra fields. format="trl": GRPOTrainer's completions table (log_completions=True) \
                exported as JSONL or CSV: step, prompt, completion, one column per reward function (summed into the reward unless \
                reward= names them), advantage. format="jsonl" | "csv": name the fields with prompt= and reward= (a name or a list, \
                summed), step= (default: one step). domain= (default data_source, domain or dataset when present). Groups: demo= \
                a field of the FairGRPO authors' demo strings ("sex: Male, age: 68" → M,A3; age only → A3; none → UNK; an unreadable \
                age keeps the sex: M,UNK), default demo or demographics when present; or attributes=["sex", "age"] (ages binned \
                ≤25, 26-50, 51-75, >75). A bad row stops the load with its file and line; prompts with a number of rollouts other \
                than their step's are listed in r.ragged, not split or padded. completions=true (or naming completion=) keeps \
                each rollout's text for trace(); off by default, as decoding long completions costs more than the rest of a load.
                """,
            example: "r = load_rollouts(\"data/runs/verl\", format=\"verl\", domain=\"data_source\", demo=\"demo\")"
        ) { a, _ in
            let name = try a.string("format")
            guard let format = RolloutFields.Format(rawValue: name) else {
                throw RuntimeError("load_rollouts(): format must be \"verl\", \"trl\", \"jsonl\" or \"csv\", got \"\(name)\"")
            }
            var f = RolloutFields(format: format)
            f.prompt = try a.optionalString("prompt")
            if !a.isNone("reward") {
                if case .string(let s) = a["reward"] { f.reward = [s] } else { f.reward = try stringList(a, "reward", "load_rollouts()") }
            }
            f.step = try a.optionalString("step")
            f.completion = try a.optionalString("completion")
            f.keepCompletions = try a.bool("completions")
            f.advantage = try a.optionalString("advantage")
            f.domain = try a.optionalString("domain")
            f.demo = try a.optionalString("demo")
            if !a.isNone("attributes") { f.attributes = try stringList(a, "attributes", "load_rollouts()") }
            if f.demo != nil && !f.attributes.isEmpty { throw RuntimeError("load_rollouts(): give demo= or attributes=, not both") }
            return .object(RolloutsObject(try Rollouts.load(path: try a.string("path"), fields: f)))
        })
        i.register(BuiltinFunction(
            "replay",
            [Parameter("rollouts")] + TrainerOptions.parameters(["method"]) + [Parameter("steps", default: Value.none)]
                + TrainerOptions.parameters(["scale_rewards", "weight_clip", "statistics", "ema_decay", "dro_eta", "seed", "dead_steps",
                                             "cluster_on", "cluster_k", "cluster_kmax", "recluster_every", "cluster_quantize",
                                             "cluster_distinct"]),
            summary: "Replays recorded rollouts through an advantage method, step by step with no policy: FairGRPO's statistics, clusters, factors and weights over the rewards a real run saw.",
            details: """
                The numbers are the trainer's (one code path): weights(r, step=k), history(r), history(r, groups=true), trace(r, step=k), \
                clusters(r) and their plots work as on a trainer; KL, clip ratio, entropy, grad norm and loss are NaN (there is \
                no policy). The options are trainer()'s (help(trainer) lists them): grpo_rs re-samples data and so replays as \
                grpo; seed seeds k-means; cluster_on must be "rewards". steps=N replays the first N steps.
                """,
            example: "r = replay(load_rollouts(\"data/runs/verl\"), method=\"fairgrpo\"); weights(r, step=5)"
        ) { a, interp in
            let rollouts = try a.object("rollouts", as: RolloutsObject.self, "rollouts (load_rollouts(...))").rollouts
            var (c, _) = try TrainerOptions.config(a, interp: interp)
            let m = c.method
            if m.resamplesGroups { c.method = .grpo }
            let replay = try TrainerOptions.located("replay()") { try Replay(rollouts: rollouts, config: c) }
            let steps = try a.optionalInteger("steps")
            if let steps, steps < 0 { throw RuntimeError("replay(): steps must be ≥ 0") }
            try replay.run(steps)
            if m.resamplesGroups { interp.write("note: grpo_rs re-samples the data before the rollouts; recorded rollouts replay as grpo\n") }
            return .object(ReplayObject(replay))
        })
        i.register(BuiltinFunction(
            "load_predictions",
            [Parameter("path"), Parameter("prediction", default: Value.none), Parameter("truth", default: Value.none),
             Parameter("domain", default: Value.none), Parameter("demo", default: Value.none), Parameter("attributes", default: Value.none),
             Parameter("boxed", default: .bool(true)), Parameter("multi_label", default: .bool(false)),
             Parameter("drop_unparsed", default: .bool(false))],
            summary: "A model's answers from an evaluation dump (JSONL, CSV, or the authors' JSON of parallel arrays), for metrics(p).",
            details: """
                Fields default to prediction(s)/output/response/completion, ground_truth(s)/truth/answer/label/gts, \
                dataset(s)/data_source/domain, demo/demographics. boxed=true reads the answer in \\boxed{…} as the FairGRPO \
                authors' evaluation does (the first \\boxed{ up to the first }, trimmed); multi_label=true compares comma-separated \
                label sets (order and case ignored). A prediction without a readable answer is wrong (class "(no answer)"), or left \
                out with drop_unparsed=true (the authors' script). Demo strings give the sex and age attributes (age bins ≤25, \
                26-50, 51-75, >75); attributes=["sex", "age"] names separate fields instead. metrics(p) scores them.
                """,
            example: "p = load_predictions(\"data/runs/eval.jsonl\"); metrics(p).table"
        ) { a, _ in
            var f = Predictions.Fields()
            f.prediction = try a.optionalString("prediction")
            f.truth = try a.optionalString("truth")
            f.domain = try a.optionalString("domain")
            f.demo = try a.optionalString("demo")
            if !a.isNone("attributes") { f.attributes = try stringList(a, "attributes", "load_predictions()") }
            f.boxed = try a.bool("boxed")
            f.multiLabel = try a.bool("multi_label")
            f.dropUnparsed = try a.bool("drop_unparsed")
            return .object(PredictionsObject(try Predictions.load(path: try a.string("path"), fields: f)))
        })
    }

    static func stringList(_ a: Arguments, _ name: String, _ callee: String) throws -> [String] {
        try a.list(name).map { v in
            guard case .string(let s) = v else { throw RuntimeError("\(callee): \(name) must be a list of field names") }
            return s
        }
    }
}
