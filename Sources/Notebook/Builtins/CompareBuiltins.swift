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
    public init(_ comparison: Comparison, setting: String) { self.comparison = comparison; self.setting = setting }

    public var typeName: String { "comparison" }
    public var memberNames: [String] { ["table", "by_group", "dynamics", "notes", "runs", "to_csv", "interrupted"] }

    /// The table as numbers: mean and std columns per metric, one row per method.
    var table: DataTable {
        let c = comparison
        let methods = c.finishedMethods
        var columns = [Column("method", texts: methods.map(\.rawValue)),
                       Column("seeds", integers: methods.map { m in c.runs.filter { $0.method == m }.count })]
        for m in TableMetric.allCases {
            let s = methods.map { c.summary($0, m) }
            columns += [Column(m.rawValue, numbers: s.map(\.mean)), Column(m.rawValue + "_std", numbers: s.map(\.std))]
        }
        return DataTable(columns, kind: "comparison", keys: ["method"])
    }

    /// The printed form: "mean ± std" per metric, with the better direction.
    var printedTable: DataTable {
        let c = comparison
        let methods = c.finishedMethods
        var columns = [Column("method", texts: methods.map(\.rawValue)),
                       Column("seeds", integers: methods.map { m in c.runs.filter { $0.method == m }.count })]
        for m in TableMetric.allCases {
            var column = Column(m.rawValue, label: m.heading, cells: methods.map { method in
                let s = c.summary(method, m)
                guard let mean = s.mean else { return .missing }
                return .text(formatFixed(mean, m.decimals) + (s.std.map { " ± " + formatFixed($0, m.decimals) } ?? ""))
            })
            column.alignRight = true
            columns.append(column)
        }
        return DataTable(columns, kind: "comparison", keys: ["method"])
    }

    var byGroup: DataTable {
        let g = comparison.byGroup
        return DataTable([Column("method", texts: g.map(\.method.rawValue)), Column("domain", texts: g.map(\.domain)),
                          Column("attribute", texts: g.map(\.attribute)), Column("group", texts: g.map(\.level)),
                          Column("n", integers: g.map(\.n)), Column("seeds", integers: g.map(\.seeds))]
                         + Comparison.groupMetrics.map { m in Column(m.rawValue, numbers: g.map { $0.scores[m] }) },
                         kind: "by_group", keys: ["method", "domain", "attribute", "group"])
    }

    /// Columns ordered so that plot(c.dynamics, by="method") draws ΔF1 against step.
    var dynamics: DataTable {
        let d = comparison.dynamics
        return DataTable([Column("step", integers: d.map(\.step)), Column("dF1", numbers: d.map(\.deltaF1.mean)),
                          Column("PP_pct", numbers: d.map(\.pp.mean)), Column("method", texts: d.map(\.method.rawValue)),
                          Column("dF1_std", numbers: d.map(\.deltaF1.std)), Column("PP_pct_std", numbers: d.map(\.pp.std)),
                          Column("seeds", integers: d.map(\.seeds))],
                         kind: "dynamics", keys: ["method"])
    }

    var runs: DataTable {
        let r = comparison.runs
        return DataTable([Column("method", texts: r.map(\.method.rawValue)), Column("seed", integers: r.map { Int($0.seed) }),
                          Column("steps", integers: r.map(\.steps)), Column("seconds", numbers: r.map(\.seconds))]
                         + TableMetric.allCases.map { m in Column(m.rawValue, numbers: r.map { $0.metrics[m] }) },
                         kind: "runs", keys: ["method", "seed"])
    }

    public func render() -> String {
        guard !comparison.runs.isEmpty else { return "comparison: no finished runs" }
        let width = Terminal.width
        return [wrapItems(setting.split(separator: " · ").map(String.init), width: width), printedTable.text, "", footer(width: width)]
            .joined(separator: "\n")
    }

    /// The lines after the table: units, an interruption, the notes.
    func footer(width: Int) -> String {
        let c = comparison
        var lines = [wrapItems(["mean ± sample std over seeds", "PP, EOD and FPR diff in percentage points (_pct, ×100 as in the paper)",
                                "↓ lower is better, ↑ higher is better"], separator: "; ", width: width)]
        if c.interrupted {
            lines.append(wrapWords("interrupted: \(c.runs.count) of \(c.methods.count * c.seeds.count) runs finished; the table holds those.", width: width))
        }
        let notes = c.notes
        if !notes.isEmpty {
            let shown = 8
            lines.append("within one std (\(notes.count), c.notes lists them all):")
            lines += notes.prefix(shown).map { wrapWords("  " + $0, indent: "    ", width: width) }
            if notes.count > shown { lines.append("  … and \(notes.count - shown) more") }
        }
        return lines.joined(separator: "\n")
    }

    public func member(_ name: String) throws -> Value? {
        switch name {
        case "table": return .object(TableObject(table))
        case "by_group": return .object(TableObject(byGroup))
        case "dynamics": return .object(TableObject(dynamics))
        case "runs": return .object(TableObject(runs))
        case "notes": return .list(comparison.notes.map { .string($0) })
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
                          Parameter("progress", default: .bool(true))]
            + passThrough.map { Parameter($0.name, default: defaults[$0.name] ?? $0.defaultValue, kind: .keywordOnly, help: $0.help) }
        i.register(BuiltinFunction(
            "compare", parameters,
            summary: "Trains each method from each seed and gives the paper's table (mean ± std over seeds), per-group detail and training dynamics.",
            details: """
                For every method × seed: a fresh policy (hidden, activation, seeded like policy()) and a trainer with that method \
                and seed and the other options given (G, batch, lr, … as trainer() takes them; batch defaults to 128 and lr to 3e-3 \
                here), trained `steps` steps and scored on eval_data with the greedy answers. Without eval_data, a `holdout` fraction \
                of data (stratified by label, split seed 0, the same for every run) is held out for scoring and the rest trained on; \
                holdout=0 scores on the training data itself. Every eval_every steps (and at steps 0 and the last) ΔF1 and PP are \
                recorded (eval_every=0: none). A line per finished run (method, seed, steps, elapsed, ETA) goes to stderr unless \
                progress=false; Ctrl-C stops after the current step and returns the finished runs. \
                The result prints as the paper's table: PP, EOD, FPR diff (×100), σF1, ΔF1 (↓ better), F1, Acc, F1_ES, Acc_ES \
                (↑ better), mean ± sample std over seeds. Members: c.table (numbers, mean and _std columns, for bar() and to_csv), \
                c.by_group (per method and group: mean over seeds of F1, Acc, precision, recall, FPR, FDR), c.dynamics (step, dF1, \
                PP, method: plot(c.dynamics, y="PP", by="method")), c.notes (pairs of methods whose means differ by no more than \
                the larger std), c.runs (every method × seed), c.to_csv(path) (the table), c.interrupted.
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
                    (train, evalData) = try data.split(test: holdout, seed: 0, stratify: .label)
                    evalText = "evaluated on \(evalData.count) held out (\(formatNumber(holdout * 100))%, stratified by label, split seed 0)"
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
            let show = try a.bool("progress")
            let sink = session.progressSink ?? { fputs($0, stderr) }
            let optionText = ["G", "batch", "lr"].compactMap { name in options.first { $0.0 == name }.map { "\(name) \($0.1.repr)" } }
            let setting = "compare: \(methods.count) method\(methods.count == 1 ? "" : "s") × \(seeds.count) seed\(seeds.count == 1 ? "" : "s") · \(steps) steps · "
                + optionText.joined(separator: " · ") + " · trained on \(train.count) rows, " + evalText
            if show { sink(setting + "\n") }
            var comparison: Comparison
            // On a terminal, a line redrawn within each run; a line per finished run either way.
            let line = ProgressLine(show ? session.progressDisplay : nil)
            session.activeProgress = line
            defer { line.clear(); session.activeProgress = nil }
            let width = methods.map(\.rawValue.count).max()!
            func describe(_ p: Comparison.Progress) -> String {
                "[\(p.run)/\(p.runs)] \(p.method.rawValue.padding(to: width + 1))seed \(p.seed) · step \(p.step)/\(p.steps) · elapsed \(durationText(p.elapsed))"
                    + " · ETA \(p.eta.map(durationText) ?? "-")"
            }
            do {
                comparison = try Comparison.run(
                    methods: methods, seeds: seeds, steps: steps, evalEvery: evalEvery, evalData: evalData, makeTrainer: makeTrainer,
                    progress: { p in
                        guard show else { return }
                        if p.finished {
                            line.clear()
                            sink(describe(p) + "\n")
                        } else {
                            line.update(force: p.step == 1) { describe(p) }
                        }
                    },
                    shouldStop: { Interrupt.isRequested })
            } catch let e as RLError {
                throw RuntimeError("compare(): " + e.description)
            }
            if comparison.interrupted {
                Interrupt.clear()
                guard !comparison.runs.isEmpty else { throw InterruptedError() }
                interp.write("interrupted: \(comparison.runs.count) of \(methods.count * seeds.count) runs finished; the comparison holds those\n")
            }
            return .object(ComparisonObject(comparison, setting: setting))
        })
    }
}
