import Render
import Data
import Fairness
import Lang
import RL
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The result of `compare(...)`: the paper's table over methods and seeds.
public final class ComparisonObject: LangObject {
    public let comparison: Comparison
    /// One line saying what was trained on what, for the printed table.
    public let setting: String
    /// Intervals and paired differences (nil with n_boot=0).
    public let evidence: ComparisonEvidence?
    /// The rows trained on and the rows scored.
    public let trainData: Dataset?, evalData: Dataset?
    public init(_ comparison: Comparison, setting: String, evidence: ComparisonEvidence? = nil,
                trainData: Dataset? = nil, evalData: Dataset? = nil) {
        self.comparison = comparison; self.setting = setting; self.evidence = evidence
        self.trainData = trainData; self.evalData = evalData
    }

    public var typeName: String { "comparison" }
    public var memberNames: [String] {
        ["table", "differences", "by_group", "dynamics", "frontier", "matched", "notes", "runs", "train_data", "eval_data", "to_csv", "interrupted"]
    }

    static func cell(_ v: Double?, _ decimals: Int = 6) -> String { v.map { formatFixed($0, decimals) } ?? "-" }

    /// The table as numbers: mean and std columns per metric, one row per method.
    var table: TextTable {
        let c = comparison
        var header = ["method", "seeds"]
        for m in TableMetric.allCases {
            header += [m.rawValue, m.rawValue + "_std"] + (evidence == nil ? [] : [m.rawValue + "_lo", m.rawValue + "_hi"])
        }
        if evidence != nil { header += ["resamples", "collapsed"] }
        let rows = c.finishedMethods.map { method -> [String] in
            var row = [method.rawValue, String(c.runs.filter { $0.method == method }.count)]
            for m in TableMetric.allCases {
                let s = c.summary(method, m)
                row += [ComparisonObject.cell(s.mean), ComparisonObject.cell(s.std)]
                if let e = evidence {
                    let i = e.intervals[method]?[m]
                    row += [ComparisonObject.cell(i?.lo), ComparisonObject.cell(i?.hi)]
                }
            }
            if let e = evidence {
                row += [String(e.bootstrap.resamples), String(c.runs.filter { $0.method == method && $0.collapsed != nil }.count)]
            }
            return row
        }
        return TextTable(header: header, rows: rows)
    }

    /// The printed form: "mean [lo, hi]" per metric (without intervals "mean ± std"), with the better direction.
    var printedTable: TextTable {
        let c = comparison
        let rows = c.finishedMethods.map { method -> [String] in
            [method.rawValue, String(c.runs.filter { $0.method == method }.count)] + TableMetric.allCases.map { m in
                let s = c.summary(method, m)
                guard let mean = s.mean else { return "-" }
                if let e = evidence { return FairnessReport.withInterval(mean, e.intervals[method]?[m], m.decimals) }
                return formatFixed(mean, m.decimals) + (s.std.map { " ± " + formatFixed($0, m.decimals) } ?? "")
            }
        }
        return TextTable(header: ["method", "seeds"] + TableMetric.allCases.map(\.heading), rows: rows,
                         rightAligned: Set(1...TableMetric.allCases.count + 1))
    }

    static func signed(_ v: Double, _ decimals: Int) -> String { (v >= 0 ? "+" : "") + formatFixed(v, decimals) }

    /// Each method against the baseline: difference of means, its interval, the verdict.
    var differences: TextTable? {
        guard let e = evidence, let baseline = e.baseline else { return nil }
        var rows: [[String]] = []
        for method in comparison.finishedMethods where method != baseline {
            for m in TableMetric.allCases {
                guard let d = e.differences[method]?[m] else { continue }
                rows.append([method.rawValue, baseline.rawValue, m.rawValue, ComparisonObject.cell(d.value), ComparisonObject.cell(d.interval.lo),
                             ComparisonObject.cell(d.interval.hi), d.verdict.rawValue, ComparisonObject.better(d.verdict, m)])
            }
        }
        return TextTable(header: ["method", "baseline", "metric", "difference", "lo", "hi", "verdict", "meaning"], rows: rows)
    }

    /// What a verdict means for a metric: better, worse, or no evidence either way.
    static func better(_ v: ComparisonEvidence.Verdict, _ m: TableMetric) -> String {
        switch v {
        case .noEvidence: return "no evidence of a difference"
        case .lower: return m.lowerIsBetter ? "better" : "worse"
        case .higher: return m.lowerIsBetter ? "worse" : "better"
        }
    }

    /// The differences as printed: one row per metric and method, at the table's decimals.
    var printedDifferences: TextTable? {
        guard let e = evidence, let baseline = e.baseline else { return nil }
        var rows: [[String]] = []
        let level = formatFixed(e.bootstrap.level * 100, 0) + "%"
        for method in comparison.finishedMethods where method != baseline {
            for m in TableMetric.allCases {
                guard let d = e.differences[method]?[m] else { continue }
                let verdict = d.verdict == .noEvidence ? "no evidence at \(level)" : "\(d.verdict.rawValue) (\(ComparisonObject.better(d.verdict, m)))"
                rows.append([method.rawValue, m.heading, ComparisonObject.signed(d.value, m.decimals),
                             "[" + formatFixed(d.interval.lo, m.decimals) + ", " + formatFixed(d.interval.hi, m.decimals) + "]", verdict])
            }
        }
        return TextTable(header: ["method", "metric", "− " + baseline.rawValue, level + " interval", "verdict"], rows: rows,
                         rightAligned: [2, 3])
    }

    /// Per method and evaluation step: F1 and gaps, mean over seeds and t intervals across seeds.
    /// Columns ordered so that plot(c.frontier, x="F1", y="dF1", by="method") draws gap against F1.
    var frontier: TextTable {
        let metrics = Comparison.frontierMetrics
        let rows = comparison.frontier(level: evidence?.bootstrap.level ?? 0.95).map { r -> [String] in
            var row = [String(r.step), ComparisonObject.cell(r.values[.f1]?.mean), ComparisonObject.cell(r.values[.deltaF1]?.mean), r.method.rawValue]
            for m in metrics where m != .deltaF1 && m != .f1 { row.append(ComparisonObject.cell(r.values[m]?.mean)) }
            for m in metrics {
                row += [ComparisonObject.cell(r.values[m]?.interval?.lo), ComparisonObject.cell(r.values[m]?.interval?.hi)]
            }
            return row + [String(r.seeds)]
        }
        let names = ["step", "F1", "dF1", "method"] + metrics.filter { $0 != .deltaF1 && $0 != .f1 }.map(\.rawValue)
            + metrics.flatMap { [$0.rawValue + "_lo", $0.rawValue + "_hi"] } + ["seeds"]
        return TextTable(header: names, rows: rows)
    }

    /// Gaps at F1 levels every run reaches (see `Comparison.matched`).
    var matched: TextTable {
        let gaps = Comparison.frontierMetrics.filter { $0 != .f1 }
        let rows = comparison.matched(level: evidence?.bootstrap.level ?? 0.95).rows.map { r -> [String] in
            var row = [ComparisonObject.cell(r.f1), r.method.rawValue]
            for m in gaps {
                row += [ComparisonObject.cell(r.values[m]?.mean), ComparisonObject.cell(r.values[m]?.interval?.lo),
                        ComparisonObject.cell(r.values[m]?.interval?.hi)]
            }
            return row + [String(r.seeds)]
        }
        return TextTable(header: ["F1", "method"] + gaps.flatMap { [$0.rawValue, $0.rawValue + "_lo", $0.rawValue + "_hi"] } + ["seeds"], rows: rows)
    }

    var byGroup: TextTable {
        let rows = comparison.byGroup.map { g in
            [g.method.rawValue, g.domain, g.attribute, g.level, String(g.n), String(g.seeds)]
                + Comparison.groupMetrics.map { ComparisonObject.cell(g.scores[$0], 4) }
        }
        return TextTable(header: ["method", "domain", "attribute", "group", "n", "seeds"] + Comparison.groupMetrics.map(\.rawValue), rows: rows)
    }

    /// Columns ordered so that plot(c.dynamics, by="method") draws ΔF1 against step.
    var dynamics: TextTable {
        let rows = comparison.dynamics.map { d in
            [String(d.step), ComparisonObject.cell(d.deltaF1.mean), ComparisonObject.cell(d.pp.mean), d.method.rawValue,
             ComparisonObject.cell(d.deltaF1.std), ComparisonObject.cell(d.pp.std), String(d.seeds)]
        }
        return TextTable(header: ["step", "dF1", "PP", "method", "dF1_std", "PP_std", "seeds"], rows: rows)
    }

    var runs: TextTable {
        let rows = comparison.runs.map { r in
            [r.method.rawValue, String(r.seed), String(r.steps), formatFixed(r.seconds, 3)]
                + TableMetric.allCases.map { ComparisonObject.cell(r.metrics[$0]) } + [String(r.reportedStep), r.collapsed ?? "-"]
        }
        return TextTable(header: ["method", "seed", "steps", "seconds"] + TableMetric.allCases.map(\.rawValue) + ["reported_step", "collapsed"], rows: rows)
    }

    /// Plain sentences: each difference against the baseline with its verdict, or
    /// (without intervals) pairs of methods whose means differ by no more than one std.
    var notes: [String] {
        guard let e = evidence, let baseline = e.baseline else { return comparison.notes }
        var out: [String] = []
        for method in comparison.finishedMethods where method != baseline {
            for m in TableMetric.allCases {
                guard let d = e.differences[method]?[m] else { continue }
                out.append("\(m.rawValue): \(method.rawValue) − \(baseline.rawValue) = \(ComparisonObject.signed(d.value, m.decimals + 1)) "
                           + "[\(formatFixed(d.interval.lo, m.decimals + 1)), \(formatFixed(d.interval.hi, m.decimals + 1))]: "
                           + (d.verdict == .noEvidence ? "no evidence of a difference" : "\(d.verdict.rawValue), \(ComparisonObject.better(d.verdict, m))"))
            }
        }
        return out
    }

    public func render() -> String {
        let c = comparison
        guard !c.runs.isEmpty else { return "comparison: no finished runs" }
        var lines = [setting, printedTable.description, ""]
        let reported = c.select == .bestF1 ? "each run's best-F1 evaluation step" : "the last step"
        if let e = evidence {
            let level = formatFixed(e.bootstrap.level * 100, 0) + "%"
            lines.append("mean over seeds [\(level) interval from \(e.bootstrap.resamples) resamples: seeds drawn with replacement, "
                         + "held-out rows resampled within domain × group]; policies at \(reported); PP, EOD and FPR diff ×100 as in the paper; "
                         + "↓ lower is better, ↑ higher is better.")
            if c.seeds.count == 1 { lines.append("one seed: the intervals show test-set sampling only, not seed-to-seed variation.") }
            if let d = printedDifferences, !d.rows.isEmpty {
                lines += ["", "paired differences (same seeds, same resampled rows):", d.description]
            }
        } else {
            lines.append("mean ± sample std over seeds; policies at \(reported); PP, EOD and FPR diff ×100 as in the paper; ↓ lower is better, ↑ higher is better.")
        }
        let collapsed = c.runs.filter { $0.collapsed != nil }
        if !collapsed.isEmpty {
            lines.append("collapsed (\(collapsed.count) run\(collapsed.count == 1 ? "" : "s"); their gaps are trivially small):")
            lines += collapsed.prefix(6).map { "  \($0.method.rawValue) seed \($0.seed): \($0.collapsed!)" }
            if collapsed.count > 6 { lines.append("  … and \(collapsed.count - 6) more (c.runs lists them)") }
        }
        if c.interrupted {
            lines.append("interrupted: \(c.runs.count) of \(c.methods.count * c.seeds.count) runs finished; the table holds those.")
        }
        if evidence == nil {
            let notes = c.notes
            if !notes.isEmpty {
                let shown = 8
                lines.append("within one std (\(notes.count), c.notes lists them all):")
                lines += notes.prefix(shown).map { "  " + $0 }
                if notes.count > shown { lines.append("  … and \(notes.count - shown) more") }
            }
        }
        return lines.joined(separator: "\n")
    }

    public func member(_ name: String) throws -> Value? {
        switch name {
        case "table": return .object(TableObject(table))
        case "by_group": return .object(TableObject(byGroup))
        case "dynamics": return .object(TableObject(dynamics))
        case "runs": return .object(TableObject(runs))
        case "notes": return .list(notes.map { .string($0) })
        case "differences": return differences.map { .object(TableObject($0)) } ?? Value.none
        case "frontier": return .object(TableObject(frontier))
        case "matched":
            let m = comparison.matched()
            if let note = m.note, m.rows.isEmpty { throw RuntimeError("c.matched: \(note)") }
            return .object(TableObject(matched))
        case "train_data": return trainData.map { .object(DatasetObject($0)) } ?? Value.none
        case "eval_data": return evalData.map { .object(DatasetObject($0)) } ?? Value.none
        case "interrupted": return .bool(comparison.interrupted)
        case "to_csv": return .function(TableObject.csvWriter(table, what: "rows: mean and std over seeds per method"))
        default: return nil
        }
    }
}

enum CompareBuiltins {
    /// Options of compare() itself; every other parameter of trainer() is passed through.
    static let ownTrainerParameters: Set<String> = ["policy", "data", "method", "seed", "eval_every", "eval_data"]
    /// Where compare's defaults differ from trainer()'s: the settings the demo comparison was tuned with.
    static let defaults: [String: Value] = ["batch": .number(128), "lr": .number(3e-3)]

    static func methods(_ values: [Value]) throws -> [TrainerConfig.Method] {
        let valid = TrainerConfig.Method.allCases.map(\.rawValue)
        return try values.map { v in
            guard case .string(let name) = v else {
                throw RuntimeError("compare(): methods must be method names in quotes, got \(v.typeName) \(v.repr.prefix(30))",
                                   notes: ["note: methods: \(valid.joined(separator: ", "))"])
            }
            guard let m = TrainerConfig.Method(rawValue: name) else {
                throw RuntimeError("compare(): unknown method \"\(name)\"",
                                   notes: [Suggestions.note(for: name, among: valid), "note: methods: \(valid.joined(separator: ", "))"].compactMap { $0 })
            }
            return m
        }
    }

    static func seeds(_ values: [Value]) throws -> [UInt64] {
        try values.map { v in
            guard case .number(let d) = v, d == d.rounded(), d >= 0, d < 9e15 else {
                throw RuntimeError("compare(): seeds must be whole numbers ≥ 0, got \(v.repr.prefix(30))")
            }
            return UInt64(d)
        }
    }

    static func duration(_ s: Double) -> String {
        if s < 60 { return formatFixed(s, 1) + " s" }
        let m = Int(s.rounded()) / 60, r = Int(s.rounded()) % 60
        return "\(m) min \(r < 10 ? "0" : "")\(r) s"
    }

    static func register(in session: Session) {
        let i = session.interpreter
        guard let trainerBuiltin = i.builtins["trainer"], let policyBuiltin = i.builtins["policy"] else {
            preconditionFailure("compare() is registered after policy() and trainer()")
        }
        // trainer()'s options, keyword-only here, so that every option it gains is accepted too.
        let passThrough = trainerBuiltin.parameters.filter { !ownTrainerParameters.contains($0.name) && $0.kind != .variadic }
        let parameters = [Parameter("data"), Parameter("methods", default: .list([.string("grpo"), .string("fairgrpo")])),
                          Parameter("seeds", default: .list([.number(0), .number(1), .number(2)])),
                          Parameter("steps", default: .number(300)), Parameter("eval_every", default: .number(25)),
                          Parameter("eval_data", default: Value.none), Parameter("holdout", default: .number(0.2)),
                          Parameter("hidden", default: .list([.number(64)])), Parameter("activation", default: .string("relu")),
                          Parameter("progress", default: .bool(true)), Parameter("n_boot", default: .number(1000)),
                          Parameter("ci", default: .number(0.95)), Parameter("baseline", default: Value.none),
                          Parameter("select", default: .string("final"))]
            + passThrough.map { Parameter($0.name, default: defaults[$0.name] ?? $0.defaultValue, kind: .keywordOnly) }
        i.register(BuiltinFunction(
            "compare", parameters,
            summary: "Trains each method from each seed and gives the paper's table (mean over seeds with intervals, differences from a baseline), per-group detail and training dynamics.",
            details: """
                For every method × seed: a fresh policy (hidden, activation, seeded like policy()) and a trainer with that method \
                and seed and the other options given (G, batch, lr, … as trainer() takes them; batch defaults to 128 and lr to 3e-3 \
                here), trained `steps` steps and scored on eval_data with the greedy answers. Without eval_data, a `holdout` fraction \
                of data (stratified by label, split seed 0, the same for every run) is held out for scoring and the rest trained on; \
                holdout=0 scores on the training data itself. Every eval_every steps (and at steps 0 and the last) ΔF1 and PP are \
                recorded (eval_every=0: none). A line per finished run (method, seed, steps, elapsed, ETA) goes to stderr unless \
                progress=false; Ctrl-C stops after the current step and returns the finished runs. \
                The result prints as the paper's table: PP, EOD, FPR diff (×100), σF1, ΔF1 (↓ better), F1, Acc, F1_ES, Acc_ES \
                (↑ better), each the mean over seeds with its interval [lo, hi] (coverage ci, n_boot resamples: seeds drawn with \
                replacement and held-out rows resampled within domain × group, the same for every method), then each method minus \
                the baseline (default grpo), paired, with its interval and a verdict: lower, higher, or no evidence at that level. \
                n_boot=0: mean ± std as before. select="best_f1" reports each run's evaluation step with the highest F1 instead \
                of the last (chosen on the evaluation data itself: optimistic). Runs whose policy predicts one class for every row, \
                or never predicts positive for some group, are flagged (their gaps are trivially small). With group_id, the \
                holdout keeps every patient on one side. Accuracy-matched views: c.frontier (per method and evaluation step: F1 \
                and gaps, mean and t interval across seeds; plot(c.frontier, x="F1", y="dF1", by="method")), c.matched (gaps \
                at F1 levels every run reaches, interpolated). c.differences (the paired differences as numbers), c.train_data, \
                c.eval_data. Members: c.table (numbers, mean, _std, _lo and _hi columns, for bar() and to_csv), \
                c.by_group (per method and group: mean over seeds of F1, Acc, precision, recall, FPR, FDR), c.dynamics (step, dF1, \
                PP, method: plot(c.dynamics, y="PP", by="method")), c.notes (each difference in words), c.runs (every method × seed), c.to_csv(path) (the table), c.interrupted.
                """,
            example: "c = compare(demo(), methods=[\"grpo\", \"fairgrpo\"], seeds=[0, 1, 2], steps=300)\nplot(c.dynamics, y=\"dF1\", by=\"method\", to=\"dF1.png\")"
        ) { [unowned session] a, interp in
            let data = try a.object("data", as: DatasetObject.self, "a dataset").data
            let methods = try methods(try a.list("methods"))
            let seeds = try seeds(try a.list("seeds"))
            let steps = try a.integer("steps"), evalEvery = try a.integer("eval_every")
            guard steps >= 1 else { throw RuntimeError("compare(): steps must be at least 1") }
            guard evalEvery >= 0 else { throw RuntimeError("compare(): eval_every must be ≥ 0 (0: no training-dynamics series)") }
            let train: Dataset, evalData: Dataset, evalText: String
            if !a.isNone("eval_data") {
                train = data
                evalData = try a.object("eval_data", as: DatasetObject.self, "a dataset").data
                evalText = "evaluated on eval_data (\(evalData.count) rows)"
            } else {
                let holdout = try a.number("holdout")
                guard holdout >= 0, holdout < 1 else { throw RuntimeError("compare(): holdout must be a fraction in [0, 1), got \(formatNumber(holdout))") }
                if holdout == 0 {
                    (train, evalData) = (data, data)
                    evalText = "evaluated on the same rows"
                } else {
                    // Patients (group_id) stay on one side, so no patient is both trained on and scored.
                    (train, evalData) = try data.split(test: holdout, seed: 0, stratify: .label)
                    let byPatient = data.groupIDs != nil ? ", whole patients" : ""
                    evalText = "evaluated on \(evalData.count) held out (\(formatNumber(holdout * 100))%\(byPatient), stratified by label, split seed 0)"
                }
            }
            guard evalData.featureCount == data.featureCount, evalData.classNames == data.classNames else {
                throw RuntimeError("compare(): eval_data has \(evalData.featureCount) features and classes \(evalData.classNames) but data has \(data.featureCount) and \(data.classNames)")
            }
            let trainValue = Value.object(DatasetObject(train))
            let options = passThrough.map { ($0.name, a[$0.name]) }
            let policyOptions = [("hidden", a["hidden"]), ("activation", a["activation"])]
            // Each run builds its policy and trainer through policy() and trainer(), so options are checked and read exactly as there.
            let makeTrainer = { (method: TrainerConfig.Method, seed: UInt64) throws -> Trainer in
                let p = try interp.call(.function(policyBuiltin), positional: [trainValue], keywords: policyOptions + [("seed", .number(Double(seed)))])
                let t = try interp.call(.function(trainerBuiltin), positional: [p, trainValue],
                                        keywords: options + [("method", .string(method.rawValue)), ("seed", .number(Double(seed)))])
                guard case .object(let o) = t, let trainer = o as? TrainerObject else { preconditionFailure("trainer() returns a trainer") }
                return trainer.trainer
            }
            // Options are checked before the first (possibly long) run starts.
            _ = try makeTrainer(methods[0], seeds[0])
            guard let select = CheckpointSelection(rawValue: try a.string("select")) else {
                throw RuntimeError("compare(): select must be \"final\" or \"best_f1\", got \"\(try a.string("select"))\"")
            }
            let nBoot = try a.integer("n_boot")
            let bootstrap: Bootstrap?
            do { bootstrap = nBoot == 0 ? nil : try Bootstrap(resamples: nBoot, level: try a.number("ci"), seed: 0) } catch let e as DataError {
                throw RuntimeError("compare(): \(e)")
            }
            let baseline: TrainerConfig.Method?
            if a.isNone("baseline") {
                baseline = methods.contains(.grpo) ? .grpo : methods.count > 1 ? methods[0] : nil
            } else {
                let named = try Self.methods([a["baseline"]])[0]
                guard methods.contains(named) else {
                    throw RuntimeError("compare(): baseline \"\(named.rawValue)\" is not one of the methods compared (\(methods.map(\.rawValue).joined(separator: ", ")))")
                }
                baseline = named
            }
            let show = try a.bool("progress")
            let sink = session.progressSink ?? { fputs($0, stderr) }
            let optionText = ["G", "batch", "lr"].compactMap { name in options.first { $0.0 == name }.map { "\(name) \($0.1.repr)" } }
            let setting = "compare: \(methods.count) method\(methods.count == 1 ? "" : "s") × \(seeds.count) seed\(seeds.count == 1 ? "" : "s") · \(steps) steps · "
                + optionText.joined(separator: " · ") + " · trained on \(train.count) rows, " + evalText
            if show { sink(setting + "\n") }
            var comparison: Comparison
            do {
                comparison = try Comparison.run(
                    methods: methods, seeds: seeds, steps: steps, evalEvery: evalEvery, evalData: evalData, select: select,
                    makeTrainer: makeTrainer,
                    progress: { p in
                        guard show else { return }
                        let width = TrainerConfig.Method.allCases.map(\.rawValue.count).max()!
                        sink("[\(p.run)/\(p.runs)] \(p.method.rawValue.padding(to: width + 1))seed \(p.seed) · step \(p.step)/\(p.steps) · elapsed \(duration(p.elapsed))"
                             + " · ETA \(p.eta.map(duration) ?? "-")\n")
                    },
                    shouldStop: { Interrupt.isRequested })
            } catch let e as RLError {
                throw RuntimeError(e.description)
            }
            if comparison.interrupted {
                Interrupt.clear()
                guard !comparison.runs.isEmpty else { throw InterruptedError() }
                interp.write("interrupted: \(comparison.runs.count) of \(methods.count * seeds.count) runs finished; the comparison holds those\n")
            }
            var evidence: ComparisonEvidence?
            if let bootstrap {
                do {
                    evidence = try comparison.evidence(evalData: evalData, bootstrap: bootstrap,
                                                       baseline: baseline.flatMap { comparison.finishedMethods.contains($0) ? $0 : nil })
                } catch let e as RLError { throw RuntimeError(e.description) } catch let e as DataError { throw RuntimeError("compare(): \(e)") }
            }
            return .object(ComparisonObject(comparison, setting: setting, evidence: evidence, trainData: train, evalData: evalData))
        })
    }
}
