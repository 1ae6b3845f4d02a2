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

    /// Each finished method and how many seeds it ran: the first columns of both tables.
    private var methodColumns: [Column] {
        let methods = comparison.finishedMethods
        return [Column("method", texts: methods.map(\.rawValue)),
                Column("seeds", integers: methods.map { m in comparison.runs.filter { $0.method == m }.count })]
    }

    /// The table as numbers: mean and std columns per metric, one row per method.
    var table: DataTable {
        let c = comparison
        let methods = c.finishedMethods
        var columns = methodColumns
        for m in TableMetric.allCases {
            let s = methods.map { c.summary($0, m) }
            columns += [Column(m.rawValue, numbers: s.map(\.mean)), Column(m.rawValue + "_std", numbers: s.map(\.std))]
            if let e = evidence {
                columns += [Column(m.rawValue + "_lo", numbers: methods.map { e.intervals[$0]?[m]?.lo }),
                            Column(m.rawValue + "_hi", numbers: methods.map { e.intervals[$0]?[m]?.hi })]
            }
        }
        if let e = evidence {
            columns += [Column("resamples", integers: methods.map { _ in e.bootstrap.resamples }),
                        Column("collapsed", integers: methods.map { m in c.runs.filter { $0.method == m && $0.collapsed != nil }.count })]
        }
        return DataTable(columns, kind: "comparison", keys: ["method"])
    }

    /// The printed form: "mean ± std" per metric, with the better direction.
    var printedTable: DataTable {
        let c = comparison
        let methods = c.finishedMethods
        var columns = methodColumns
        for m in TableMetric.allCases {
            var column = Column(m.rawValue, label: m.heading, cells: methods.map { method in
                let s = c.summary(method, m)
                guard let mean = s.mean else { return .missing }
                if let e = evidence { return .text(FairnessReport.withInterval(mean, e.intervals[method]?[m], m.decimals)) }
                return .text(formatFixed(mean, m.decimals) + (s.std.map { " ± " + formatFixed($0, m.decimals) } ?? ""))
            })
            column.alignRight = true
            columns.append(column)
        }
        return DataTable(columns, kind: "comparison", keys: ["method"])
    }

    static func signed(_ v: Double, _ decimals: Int) -> String { (v >= 0 ? "+" : "") + formatFixed(v, decimals) }

    /// What a verdict means for a metric: better, worse, or no evidence either way.
    static func better(_ v: ComparisonEvidence.Verdict, _ m: TableMetric) -> String {
        switch v {
        case .noEvidence: return "no evidence of a difference"
        case .lower: return m.lowerIsBetter ? "better" : "worse"
        case .higher: return m.lowerIsBetter ? "worse" : "better"
        }
    }

    /// Each method against the baseline, per metric: (method, metric, difference).
    var differenceRows: [(TrainerConfig.Method, TableMetric, ComparisonEvidence.Difference)] {
        guard let e = evidence, let baseline = e.baseline else { return [] }
        return comparison.finishedMethods.filter { $0 != baseline }.flatMap { method in
            TableMetric.allCases.compactMap { m in e.differences[method]?[m].map { (method, m, $0) } }
        }
    }

    /// The paired differences as numbers.
    var differences: DataTable? {
        guard let baseline = evidence?.baseline else { return nil }
        let r = differenceRows
        return DataTable([Column("method", texts: r.map(\.0.rawValue)), Column("baseline", texts: r.map { _ in baseline.rawValue }),
                          Column("metric", texts: r.map(\.1.rawValue)), Column("difference", numbers: r.map(\.2.value)),
                          Column("lo", numbers: r.map(\.2.interval.lo)), Column("hi", numbers: r.map(\.2.interval.hi)),
                          Column("verdict", texts: r.map(\.2.verdict.rawValue)),
                          Column("meaning", texts: r.map { ComparisonObject.better($0.2.verdict, $0.1) })],
                         kind: "differences", keys: ["method", "metric"])
    }

    /// The differences as printed, at the table's decimals.
    var printedDifferences: DataTable? {
        guard let e = evidence, let baseline = e.baseline else { return nil }
        let r = differenceRows
        let level = formatFixed(e.bootstrap.level * 100, 0) + "%"
        var diff = Column("difference", label: "− " + baseline.rawValue, texts: r.map { ComparisonObject.signed($0.2.value, $0.1.decimals) })
        diff.alignRight = true
        var interval = Column("interval", label: level + " interval", texts: r.map {
            "[" + formatFixed($0.2.interval.lo, $0.1.decimals) + ", " + formatFixed($0.2.interval.hi, $0.1.decimals) + "]"
        })
        interval.alignRight = true
        return DataTable([Column("method", texts: r.map(\.0.rawValue)), Column("metric", texts: r.map(\.1.heading)), diff, interval,
                          Column("verdict", texts: r.map { $0.2.verdict == .noEvidence ? "no evidence at \(level)"
                                                               : "\($0.2.verdict.rawValue) (\(ComparisonObject.better($0.2.verdict, $0.1)))" })],
                         kind: "differences", keys: ["method", "metric"])
    }

    /// Per method and evaluation step: F1 and gaps, mean over seeds and t intervals across seeds.
    /// Columns ordered so that plot(c.frontier, x="F1", y="dF1", by="method") draws gap against F1.
    var frontier: DataTable {
        let metrics = Comparison.frontierMetrics
        let r = comparison.frontier(level: evidence?.bootstrap.level ?? 0.95)
        var columns = [Column("step", integers: r.map(\.step)), Column("F1", numbers: r.map { $0.values[.f1]?.mean }),
                       Column("dF1", numbers: r.map { $0.values[.deltaF1]?.mean }), Column("method", texts: r.map(\.method.rawValue))]
        for m in metrics where m != .deltaF1 && m != .f1 { columns.append(Column(m.rawValue, numbers: r.map { $0.values[m]?.mean })) }
        for m in metrics {
            columns += [Column(m.rawValue + "_lo", numbers: r.map { $0.values[m]?.interval?.lo }),
                        Column(m.rawValue + "_hi", numbers: r.map { $0.values[m]?.interval?.hi })]
        }
        columns.append(Column("seeds", integers: r.map(\.seeds)))
        return DataTable(columns, kind: "frontier", keys: ["method"])
    }

    /// Gaps at F1 levels every run reaches (see `Comparison.matched`).
    var matched: DataTable {
        let gaps = Comparison.frontierMetrics.filter { $0 != .f1 }
        let r = comparison.matched(level: evidence?.bootstrap.level ?? 0.95).rows
        var columns = [Column("F1", numbers: r.map(\.f1)), Column("method", texts: r.map(\.method.rawValue))]
        for m in gaps {
            columns += [Column(m.rawValue, numbers: r.map { $0.values[m]?.mean }), Column(m.rawValue + "_lo", numbers: r.map { $0.values[m]?.interval?.lo }),
                        Column(m.rawValue + "_hi", numbers: r.map { $0.values[m]?.interval?.hi })]
        }
        columns.append(Column("seeds", integers: r.map(\.seeds)))
        return DataTable(columns, kind: "matched", keys: ["method"])
    }

    /// Plain sentences: each difference against the baseline with its verdict, or
    /// (without intervals) pairs of methods whose means differ by no more than one std.
    var notes: [String] {
        guard let baseline = evidence?.baseline else { return comparison.notes }
        return differenceRows.map { method, m, d in
            "\(m.rawValue): \(method.rawValue) − \(baseline.rawValue) = \(ComparisonObject.signed(d.value, m.decimals + 1)) "
                + "[\(formatFixed(d.interval.lo, m.decimals + 1)), \(formatFixed(d.interval.hi, m.decimals + 1))]: "
                + (d.verdict == .noEvidence ? "no evidence of a difference" : "\(d.verdict.rawValue), \(ComparisonObject.better(d.verdict, m))")
        }
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
                         + TableMetric.allCases.map { m in Column(m.rawValue, numbers: r.map { $0.metrics[m] }) }
                         + [Column("reported_step", integers: r.map(\.reportedStep)),
                            Column("collapsed", cells: r.map { $0.collapsed.map { .text($0) } ?? .missing })],
                         kind: "runs", keys: ["method", "seed"])
    }

    public func render() -> String {
        guard !comparison.runs.isEmpty else {
            return comparison.elsewhere > 0 ? "comparison: no runs in this shard's share yet (\(comparison.elsewhere) are other shards')" : "comparison: no finished runs"
        }
        let width = Terminal.width
        return [wrapItems(setting.split(separator: " · ").map(String.init), width: width), printedTable.text, "", footer(width: width)]
            .joined(separator: "\n")
    }

    /// The lines after the table: units, an interruption, the notes.
    func footer(width: Int) -> String {
        let c = comparison
        let reported = c.select == .bestF1 ? "policies at each run's best-F1 evaluation step" : "policies at the last step"
        let units = ["PP, EOD and FPR diff in percentage points (_pct, ×100 as in the paper)", "↓ lower is better, ↑ higher is better"]
        var lines: [String]
        if let e = evidence {
            let level = formatFixed(e.bootstrap.level * 100, 0) + "%"
            lines = [wrapItems(["mean over seeds [\(level) interval from \(e.bootstrap.resamples) resamples: seeds drawn with replacement, held-out rows resampled within domain × group]",
                                reported] + units, separator: "; ", width: width)]
            if c.seeds.count == 1 { lines.append(wrapWords("one seed: the intervals show test-set sampling only, not seed-to-seed variation.", width: width)) }
            if let d = printedDifferences, d.rowCount > 0 {
                lines += ["", wrapWords("paired differences (same seeds, same resampled rows):", indent: "  ", width: width), d.text]
            }
        } else {
            lines = [wrapItems(["mean ± sample std over seeds", reported] + units, separator: "; ", width: width)]
        }
        let collapsed = c.runs.filter { $0.collapsed != nil }
        if !collapsed.isEmpty {
            lines.append(wrapWords("collapsed (\(collapsed.count) run\(collapsed.count == 1 ? "" : "s"); their gaps are trivially small):", indent: "  ", width: width))
            lines += collapsed.prefix(6).map { wrapWords("  \($0.method.rawValue) seed \($0.seed): \($0.collapsed!)", indent: "    ", width: width) }
            if collapsed.count > 6 { lines.append("  … and \(collapsed.count - 6) more (c.runs lists them)") }
        }
        if c.elsewhere > 0 {
            lines.append(wrapWords("one shard's share: \(c.runs.count) of \(c.methods.count * c.seeds.count) runs (stored or trained here); the other \(c.elsewhere) are other shards'. Once every shard has finished, run the script without --shard to assemble the whole table from the results folder.", width: width))
        }
        if c.interrupted {
            lines.append(wrapWords("interrupted: \(c.runs.count) of \(c.methods.count * c.seeds.count) runs finished; the table holds those.", width: width))
        }
        let notes = c.notes
        if evidence == nil && !notes.isEmpty {
            let shown = 8
            lines.append(wrapWords("within one std (\(notes.count), c.notes lists them all):", indent: "  ", width: width))
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
                          Parameter("select", default: .string("final")), Parameter("workers", default: Value.none),
                          Parameter("results", default: Value.none)]
            + passThrough.map { Parameter($0.name, default: defaults[$0.name] ?? $0.defaultValue, kind: .keywordOnly, help: $0.help) }
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
                progress=false; Ctrl-C stops the runs in flight after their current step and returns the finished runs. \
                Up to `workers` runs (default: the number of cores) train at the same time, each on its own thread with \
                cores/workers BLAS threads; the results are bit-identical for any number of workers. \
                results="folder" stores each finished run there as its own file, named by a hash of everything that decides it \
                (data, options, seed, steps); calling compare() again reads the stored runs instead of training them, so a stopped \
                study resumes, and `fairgrpo run --shard i/n` trains only shard i's share (see docs/scaling.md). \
                The result prints as the paper's table: PP, EOD, FPR diff (×100), σF1, ΔF1 (↓ better), F1, Acc, F1_ES, Acc_ES \
                (↑ better), mean ± sample std over seeds. Members: c.table (numbers, mean and _std columns, for bar() and to_csv), \
                c.by_group (per method and group: mean over seeds of F1, Acc, precision, recall, FPR, FDR), c.dynamics (step, dF1, \
                PP_pct, method: plot(c.dynamics, y="PP_pct", by="method")), c.notes (pairs of methods whose means differ by no more than \
                the larger std), c.runs (every method × seed), c.to_csv(path) (the table), c.interrupted.
                                Intervals (n_boot resamples, coverage ci; n_boot=0 gives mean ± std): each metric prints as "mean [lo, hi]" over \
                seeds, seeds drawn with replacement and held-out rows resampled within domain × group, the same for every method; \
                each method minus the baseline (default grpo), paired, with its interval and a verdict (lower, higher, or no \
                evidence). select="best_f1" reports each run's best-F1 evaluation step (chosen on the evaluation rows: optimistic). \
                Collapsed runs (one class for every row, or a group never predicted positive) are flagged. With group_id the holdout \
                keeps every patient on one side. c.frontier (F1 and gaps per step: plot(c.frontier, x="F1", y="dF1", by="method")), \
                c.matched (gaps at F1 levels every run reaches), c.differences, c.train_data, c.eval_data; docs/evidence.md.
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
            let probe = try makeTrainer(methods[0], seeds[0])
            guard let select = CheckpointSelection(rawValue: try a.string("select")) else {
                throw RuntimeError("compare(): select must be \"final\" or \"best_f1\", got \"\(try a.string("select"))\"")
            }
            let nBoot = try a.integer("n_boot")
            let bootstrap: Bootstrap?
            bootstrap = nBoot == 0 ? nil : try Bootstrap(resamples: nBoot, level: try a.number("ci"), seed: 0)
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
            var workers: Int
            if a.isNone("workers") {
                workers = availableCores()
            } else {
                workers = try a.integer("workers")
                guard workers >= 1 else { throw RuntimeError("compare(): workers must be at least 1, got \(workers)") }
            }
            // A reward function written in the language runs in the interpreter, which serves one thread.
            if probe.reward != nil { workers = 1 }
            let shard = session.shard.flatMap { $0.count > 1 ? $0 : nil }
            var store: ComparisonStore?
            if !a.isNone("results") {
                let directory = try a.string("results")
                guard !directory.isEmpty else { throw RuntimeError("compare(): results must name a folder, got \"\"") }
                do {
                    store = try ComparisonStore(directory: directory, train: train, evalData: evalData, steps: steps, evalEvery: evalEvery, select: select)
                } catch let e as ComparisonStore.StoreError { throw RuntimeError("compare(): results: \(e)") }
            } else if let shard {
                throw RuntimeError("compare(): this is shard \(shard) of a study (--shard or a Slurm array task), but compare() has no results=\"folder\" to store its runs in",
                                   notes: ["note: give results=\"study-results\" (the same for every shard), or run without --shard"])
            }
            let show = try a.bool("progress")
            let sink = session.progressSink ?? { fputs($0, stderr) }
            let optionText = ["G", "batch", "lr"].compactMap { name in options.first { $0.0 == name }.map { "\(name) \($0.1.repr)" } }
            let setting = "compare: \(methods.count) method\(methods.count == 1 ? "" : "s") × \(seeds.count) seed\(seeds.count == 1 ? "" : "s") · \(steps) steps · "
                + optionText.joined(separator: " · ") + " · trained on \(train.count) rows, " + evalText
            if show {
                let intro = setting + (workers > 1 ? " · up to \(workers) runs at a time" : "")
                sink(wrapItems(intro.split(separator: " · ").map(String.init), width: Terminal.width) + "\n")
            }
            var comparison: Comparison
            // On a terminal, a line redrawn within each run; a line per finished run either way.
            let line = ProgressLine(show ? session.progressDisplay : nil)
            session.activeProgress = line
            defer { line.clear(); session.activeProgress = nil }
            let width = methods.map(\.rawValue.count).max()!
            func describe(_ p: Comparison.Progress) -> String {
                if !p.finished && p.inFlight.count > 1 {
                    // Elapsed and ETA first: a narrow terminal cuts the end of the line.
                    return "[\(p.run - 1)/\(p.runs) done] elapsed \(durationText(p.elapsed)) · ETA \(p.eta.map(durationText) ?? "-") · "
                        + p.inFlight.map { "\($0.method.rawValue) seed \($0.seed) step \($0.step)/\(p.steps)" }.joined(separator: ", ")
                }
                return "[\(p.run)/\(p.runs)] \(p.method.rawValue.padding(to: width + 1))seed \(p.seed) · step \(p.step)/\(p.steps) · elapsed \(durationText(p.elapsed))"
                    + " · ETA \(p.eta.map(durationText) ?? "-")"
            }
            do {
                comparison = try Comparison.run(
                    methods: methods, seeds: seeds, steps: steps, evalEvery: evalEvery, evalData: evalData, select: select,
                    workers: workers, store: store, include: { shard?.includes($0) ?? true }, makeTrainer: makeTrainer,
                    progress: { p in
                        guard show else { return }
                        if p.finished {
                            line.clear()
                            sink(describe(p) + "\n")
                        } else {
                            line.update(force: p.step == 1) { describe(p) }
                        }
                    },
                    shouldStop: { Interrupt.isRequested }, warn: { session.warn("warning: compare(): " + $0 + "\n") })
            } catch let e as RLError {
                throw RuntimeError("compare(): " + e.description)
            } catch let e as ComparisonStore.StoreError {
                throw RuntimeError("compare(): results: \(e)")
            } catch let e as FileError {
                throw RuntimeError("compare(): results: \(e)")
            }
            if show, let store {
                func runs(_ n: Int) -> String { "\(n) run\(n == 1 ? "" : "s")" }
                var line = "results: \(store.directory): \(runs(comparison.stored)) read, \(runs(comparison.runs.count - comparison.stored)) trained and stored"
                if let shard { line += " · shard \(shard)" + (comparison.elsewhere > 0 ? ", \(runs(comparison.elsewhere)) left to other shards" : "") }
                sink(wrapWords(line, indent: "  ", width: Terminal.width) + "\n")
            }
            if comparison.interrupted {
                Interrupt.clear()
                guard !comparison.runs.isEmpty else { throw InterruptedError() }
                interp.write("interrupted: \(comparison.runs.count) of \(methods.count * seeds.count) runs finished; the comparison holds those\n")
            }
            var evidence: ComparisonEvidence?
            // A shard's comparison holds only part of the runs: intervals wait for the assembled one.
            if let bootstrap, comparison.elsewhere == 0 {
                do {
                    evidence = try comparison.evidence(evalData: evalData, bootstrap: bootstrap,
                                                       baseline: baseline.flatMap { comparison.finishedMethods.contains($0) ? $0 : nil })
                } catch let e as RLError { throw RuntimeError(e.description) }
            }
            return .object(ComparisonObject(comparison, setting: setting, evidence: evidence, trainData: train, evalData: evalData))
        })
    }
}
