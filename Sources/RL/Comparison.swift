import Render
import Data
import Fairness
import Tensors
import Synchronization

/// The columns of the FairGRPO paper's results tables, in its order. PP, EOD
/// and FPR diff are reported ×100 as the paper does (percentage points, so
/// their names end in _pct, as in every report); the rest as fractions.
public enum TableMetric: String, CaseIterable, Sendable {
    case pp = "PP_pct", eod = "EOD_pct", fprDiff = "FPR_diff_pct", sigmaF1 = "sF1", deltaF1 = "dF1"
    case f1 = "F1", acc = "Acc", f1ES = "F1_ES", accES = "Acc_ES"

    /// The factor from the report's fraction to the table's number.
    public var scale: Double { [.pp, .eod, .fprDiff].contains(self) ? 100 : 1 }
    /// Gaps and spreads are better small; scores better large.
    public var lowerIsBetter: Bool { [.pp, .eod, .fprDiff, .sigmaF1, .deltaF1].contains(self) }
    /// Decimals worth printing at this scale.
    public var decimals: Int { scale == 100 ? 2 : 3 }
    /// The printed heading, with the better direction.
    public var heading: String {
        let name: String
        switch self {
        case .sigmaF1: name = "σF1"
        case .deltaF1: name = "ΔF1"
        default: name = rawValue
        }
        return name + (lowerIsBetter ? " ↓" : " ↑")
    }

    /// This metric of a report's headline table, at the table's scale (nil where undefined).
    public func value(_ t: FairnessReport.Table) -> Double? {
        let v: Double?
        switch self {
        case .pp: v = t.pp
        case .eod: v = t.eod
        case .fprDiff: v = t.fprDiff
        case .sigmaF1: v = t.sigmaF1
        case .deltaF1: v = t.deltaF1
        case .f1: v = t.f1
        case .acc: v = t.acc
        case .f1ES: v = t.f1ES
        case .accES: v = t.accES
        }
        return v.map { $0 * scale }
    }
}

/// One method trained from one seed and scored on the evaluation data.
public struct ComparisonRun: Sendable {
    public var method: TrainerConfig.Method
    public var seed: UInt64
    public var steps: Int
    public var seconds: Double
    /// The table's metrics (scaled as the paper's tables) of the reported checkpoint; absent where undefined.
    public var metrics: [TableMetric: Double]
    /// The full report of the reported checkpoint on the evaluation data.
    public var report: FairnessReport
    /// The reported checkpoint's greedy answers on the evaluation data, row by row
    /// (what the bootstrap resamples).
    public var predictions: [Int]
    /// The step whose policy the table reports: the last, or the evaluation step with the best F1.
    public var reportedStep: Int
    /// Every table metric at step 0, every `evalEvery` steps, and the last step.
    public var points: [Point]
    /// Why the reported policy's gaps are trivially small, if they are: it
    /// predicts one class for every row, or some group is never predicted positive.
    public var collapsed: String?

    public struct Point: Sendable {
        public var step: Int
        public var metrics: [TableMetric: Double]
    }

    /// ΔF1 and PP (×100) at each evaluation step.
    public var dynamics: [(step: Int, deltaF1: Double?, pp: Double?)] {
        points.map { ($0.step, $0.metrics[.deltaF1], $0.metrics[.pp]) }
    }

    public init(method: TrainerConfig.Method, seed: UInt64, steps: Int, seconds: Double, report: FairnessReport,
                predictions: [Int], reportedStep: Int, points: [Point], collapsed: String?) {
        self.method = method; self.seed = seed; self.steps = steps; self.seconds = seconds
        self.report = report; self.predictions = predictions; self.reportedStep = reportedStep
        self.points = points; self.collapsed = collapsed
        metrics = ComparisonRun.metrics(report)
    }

    /// The table metrics of a report, at the table's scale.
    public static func metrics(_ report: FairnessReport) -> [TableMetric: Double] {
        let table = report.table
        var m: [TableMetric: Double] = [:]
        for metric in TableMetric.allCases { if let v = metric.value(table), v.isFinite { m[metric] = v } }
        return m
    }

    /// Why predictions make gaps trivially small, or nil: one class for every
    /// row; binary tasks: a group (an attribute's level in a domain) with
    /// positive rows that is never predicted positive; multi-class tasks: a
    /// domain with several classes whose rows all get one class.
    public static func collapse(predictions: [Int], data: Dataset) -> String? {
        guard let first = predictions.first else { return nil }
        if predictions.allSatisfy({ $0 == first }) {
            return "predicts \(data.classNames[first]) for every row"
        }
        let multiDomain = data.domainNames.count > 1
        if data.classNames.count == 2 {
            for attribute in data.attributes {
                let codes = attribute.groundTruth
                for d in data.domainNames.indices {
                    for (l, level) in attribute.levels.enumerated() {
                        var positives = 0, predictedPositive = 0
                        for r in predictions.indices where codes[r] == l && data.domains[r] == d {
                            positives += data.labels[r] == 1 ? 1 : 0
                            predictedPositive += predictions[r] == 1 ? 1 : 0
                        }
                        if positives > 0 && predictedPositive == 0 {
                            return "never predicts \(data.classNames[1]) for \(multiDomain ? data.domainNames[d] + " " : "")\(attribute.name)=\(level)"
                        }
                    }
                }
            }
            return nil
        }
        for d in data.domainNames.indices {
            let rows = predictions.indices.filter { data.domains[$0] == d }
            guard let p = rows.first.map({ predictions[$0] }) else { continue }
            if Set(rows.map { data.labels[$0] }).count > 1 && rows.allSatisfy({ predictions[$0] == p }) {
                return "predicts \(data.classNames[p]) for every row\(multiDomain ? " of " + data.domainNames[d] : "")"
            }
        }
        return nil
    }
}

/// Which checkpoint of a run the table reports.
public enum CheckpointSelection: String, CaseIterable, Sendable {
    /// The policy after the last step.
    case final
    /// The evaluation step (step 0, every eval_every, the last) with the highest F1 on the
    /// evaluation data. Chosen on the data it is scored on, so optimistic: hold out a
    /// separate eval_data to choose on when the choice matters.
    case bestF1 = "best_f1"
}

/// Several methods, each trained from several seeds on the same data and
/// scored on the same evaluation data, summarised as the paper's table:
/// mean ± sample standard deviation over seeds per method.
public struct Comparison: Sendable {
    public var methods: [TrainerConfig.Method]
    public var seeds: [UInt64]
    public var steps: Int
    public var evalEvery: Int
    public var select: CheckpointSelection = .final
    /// The runs that finished, in the order they ran (method-major).
    public var runs: [ComparisonRun]
    /// Whether the comparison was stopped before every run finished.
    public var interrupted = false
    /// Runs read from a results store instead of trained.
    public var stored = 0
    /// Runs neither stored nor trained here: left to other shards.
    public var elsewhere = 0

    public init(methods: [TrainerConfig.Method], seeds: [UInt64], steps: Int, evalEvery: Int, runs: [ComparisonRun] = []) {
        self.methods = methods; self.seeds = seeds; self.steps = steps; self.evalEvery = evalEvery; self.runs = runs
    }

    /// Where the comparison stands, for progress lines.
    public struct Progress: Sendable {
        /// Finished runs counting this one (when `finished`), else the finished runs + 1.
        public var run: Int, runs: Int
        /// The run that has just finished, or (within runs) the first run in flight.
        public var method: TrainerConfig.Method, seed: UInt64
        public var step: Int, steps: Int
        public var elapsed: Double
        /// Seconds left, from each method's measured time per step (nil before the first step).
        public var eta: Double?
        /// Whether the run has just finished (scored); otherwise it is within its steps.
        public var finished = true
        /// Every run being trained at this moment, in run order, with its step.
        public var inFlight: [InFlight] = []

        public struct InFlight: Sendable {
            public var method: TrainerConfig.Method, seed: UInt64, step: Int
        }
    }

    /// Seconds left: each step still to take, at its method's measured seconds per step
    /// (evaluation included), shared among `workers` runs at a time. Methods differ
    /// several-fold in cost (clustering), so a method not yet started is expected to
    /// cost the mean of the methods measured so far.
    static func eta(methods: [TrainerConfig.Method], seeds: Int, steps: Int, finished: [ComparisonRun],
                    current: [(method: TrainerConfig.Method, step: Int, seconds: Double)], workers: Int = 1,
                    planned: [TrainerConfig.Method: Int]? = nil) -> Double? {
        var measured: [TrainerConfig.Method: (seconds: Double, steps: Int)] = [:]
        for r in finished { measured[r.method, default: (0, 0)].seconds += r.seconds; measured[r.method, default: (0, 0)].steps += r.steps }
        for c in current where c.step > 0 { measured[c.method, default: (0, 0)].seconds += c.seconds; measured[c.method, default: (0, 0)].steps += c.step }
        let rates = measured.mapValues { $0.seconds / Double($0.steps) }
        guard !rates.isEmpty else { return nil }
        let meanRate = rates.values.reduce(0, +) / Double(rates.count)
        var left = 0.0
        for method in methods {
            let done = finished.filter { $0.method == method }.count
            var stepsLeft = ((planned?[method] ?? seeds) - done) * steps
            for c in current where c.method == method { stepsLeft -= c.step }
            left += Double(max(0, stepsLeft)) * (rates[method] ?? meanRate)
        }
        return left / Double(max(1, workers))
    }

    /// Trains `methods × seeds` (method-major), `steps` steps each, with the
    /// trainer `makeTrainer(method, seed)` builds (a fresh, seeded policy each
    /// time), and scores each policy on `evalData`.
    ///
    /// Up to `workers` runs train at the same time, each on its own thread.
    /// A run depends on nothing but its trainer, and every matrix product
    /// gives the same bits however it is split over threads, so the runs and
    /// everything built from them are the same for any number of workers; the
    /// runs are kept in method-major order whatever order they finish in.
    /// `makeTrainer`, `progress`, `shouldStop` and `store` are only called on
    /// the calling thread. With several workers, each one's matrix products use
    /// cores/workers threads (at least one), so the machine is not oversubscribed;
    /// the process-wide BLAS setting is left alone.
    ///
    /// `progress` is called when a run finishes and, while runs train, about
    /// every `progressInterval` seconds; `shouldStop` is asked as often. When
    /// it says yes the runs in flight stop after their current step and are
    /// dropped; the finished ones are returned with `interrupted` set.
    ///
    /// With a `store`, a run already stored is read instead of trained, and
    /// every run is stored as it finishes (a failure is recorded). `include`
    /// picks the runs (by method-major index) this process trains: the others
    /// are taken from the store when there, else left out (counted in `elsewhere`).
    public static func run(methods: [TrainerConfig.Method], seeds: [UInt64], steps: Int, evalEvery: Int, evalData: Dataset,
                           select: CheckpointSelection = .final, workers: Int = 1, store: ComparisonStore? = nil,
                           include: (Int) -> Bool = { _ in true },
                           makeTrainer: (TrainerConfig.Method, UInt64) throws -> Trainer,
                           progress: (Progress) -> Void = { _ in }, shouldStop: () -> Bool = { false },
                           warn: (String) -> Void = { _ in }) throws -> Comparison {
        guard !methods.isEmpty else { throw RLError("give at least one method") }
        guard !seeds.isEmpty else { throw RLError("give at least one seed") }
        guard Set(methods).count == methods.count else { throw RLError("a method is listed twice") }
        guard Set(seeds).count == seeds.count else { throw RLError("a seed is listed twice") }
        guard steps >= 1 else { throw RLError("steps must be at least 1") }
        guard evalEvery >= 0 else { throw RLError("eval_every must be ≥ 0 (0: no training-dynamics series)") }
        guard workers >= 1 else { throw RLError("workers must be at least 1") }
        var out = Comparison(methods: methods, seeds: seeds, steps: steps, evalEvery: evalEvery)
        out.select = select
        let all = methods.flatMap { m in seeds.map { (method: m, seed: $0) } }
        let total = all.count
        let start = monotonicSeconds()

        // What is stored already, and what this process trains.
        var done: [Int: ComparisonRun] = [:]
        var keys: [String?] = Array(repeating: nil, count: total)
        if let store {
            for (i, r) in all.enumerated() { keys[i] = try store.key(try makeTrainer(r.method, r.seed)) }
            try store.writePlan(methods: methods, seeds: seeds, keys: keys.map { $0! })
            for (i, r) in all.enumerated() {
                do {
                    if let run = try store.load(key: keys[i]!, method: r.method, seed: r.seed, evalData: evalData) { done[i] = run }
                } catch let e as ComparisonStore.StoreError {
                    warn("\(e); \(include(i) ? "training \(r.method.rawValue) seed \(r.seed) again" : "left to its shard")")
                }
            }
            out.stored = done.count
        }
        var pending = all.indices.filter { done[$0] == nil && include($0) }
        out.elsewhere = total - done.count - pending.count
        let planned = Dictionary(grouping: all.indices.filter { done[$0] != nil || include($0) }, by: { all[$0].method }).mapValues(\.count)
        func finishedRuns() -> [ComparisonRun] { done.keys.sorted().map { done[$0]! } }

        // Cores are shared out: each worker's products use cores/workers threads (at least one).
        let parallel = min(workers, pending.count)
        let threadsPerWorker = max(1, availableCores() / max(1, parallel))

        enum Event: Sendable { case finished(Int, Result<ComparisonRun?, any Error>) }
        final class Slot: Sendable {
            let step = Atomic<Int>(0), seconds = Atomic<UInt64>(0)
        }
        let mailbox = Mailbox<Event>()
        let stop = StopFlag()
        var inFlight: [Int: Slot] = [:]
        var failure: (any Error)?
        var stopping = false, dropped = false
        var lastReport = -Double.infinity
        func current() -> [(method: TrainerConfig.Method, step: Int, seconds: Double)] {
            inFlight.keys.sorted().map { (all[$0].method, inFlight[$0]!.step.load(ordering: .relaxed),
                                          Double(bitPattern: inFlight[$0]!.seconds.load(ordering: .relaxed))) }
        }
        func report(finished index: Int?) {
            let running = inFlight.keys.sorted()
            let shown = index ?? running.first!
            let f = finishedRuns()
            progress(Progress(run: done.count + (index == nil ? 1 : 0), runs: total - out.elsewhere, method: all[shown].method, seed: all[shown].seed,
                              step: index == nil ? inFlight[shown]!.step.load(ordering: .relaxed) : steps, steps: steps,
                              elapsed: monotonicSeconds() - start,
                              eta: eta(methods: methods, seeds: seeds.count, steps: steps, finished: f, current: current(),
                                       workers: parallel, planned: planned),
                              finished: index != nil,
                              inFlight: running.map { .init(method: all[$0].method, seed: all[$0].seed, step: inFlight[$0]!.step.load(ordering: .relaxed)) }))
        }

        /// Takes a run's outcome: stores it, or records the failure and stops the rest.
        func finish(_ index: Int, _ result: Result<ComparisonRun?, any Error>) {
            switch result {
            case .success(let run?):
                if let store, failure == nil {
                    do { try store.save(run, key: keys[index]!) } catch { failure = error; stop.raise() }
                }
                done[index] = run
                report(finished: index)
            case .success(nil):
                dropped = true
            case .failure(let error):
                if let store { try? store.saveFailure(key: keys[index]!, method: all[index].method, seed: all[index].seed, message: "\(error)") }
                if failure == nil { failure = error }
                stop.raise()
            }
        }

        // One worker: each run trains on this thread, asking `shouldStop` after every step.
        while parallel <= 1, failure == nil, !stopping, !pending.isEmpty {
            let index = pending.removeFirst(), (method, seed) = all[index]
            let slot = Slot()
            inFlight[index] = slot
            let result = Result { () throws -> ComparisonRun? in
                let trainer = try makeTrainer(method, seed)
                return try train(trainer, method: method, seed: seed, steps: steps, evalEvery: evalEvery, evalData: evalData, select: select,
                                 shouldStop: {
                                     if shouldStop() { stopping = true }
                                     return stopping
                                 }, stepped: { k, seconds in
                    slot.seconds.store(seconds.bitPattern, ordering: .relaxed)
                    slot.step.store(k, ordering: .relaxed)
                    report(finished: nil)
                })
            }
            inFlight[index] = nil
            finish(index, result)
        }

        // Several: the runs train on threads of their own; this thread builds their
        // trainers, stores what they finish and reports progress.
        var prepared: (index: Int, trainer: Trainer)?
        while parallel > 1 {
            while failure == nil, !stopping, inFlight.count < parallel, prepared != nil || !pending.isEmpty {
                let index: Int, trainer: Trainer
                if let next = prepared {
                    (index, trainer) = next
                    prepared = nil
                } else {
                    index = pending.removeFirst()
                    do { trainer = try makeTrainer(all[index].method, all[index].seed) } catch { failure = error; stop.raise(); break }
                }
                let (method, seed) = all[index]
                let slot = Slot()
                inFlight[index] = slot
                startThread {
                    let result = BLAS.$threadsHere.withValue(threadsPerWorker) {
                        Result { () throws -> ComparisonRun? in
                            try train(trainer, method: method, seed: seed, steps: steps, evalEvery: evalEvery, evalData: evalData, select: select,
                                      shouldStop: { stop.isRaised }, stepped: { k, seconds in
                                slot.seconds.store(seconds.bitPattern, ordering: .relaxed)
                                slot.step.store(k, ordering: .relaxed)
                            })
                        }
                    }
                    mailbox.post(.finished(index, result))
                }
            }
            if inFlight.isEmpty { break }
            // The next run's trainer is built while the workers train, so a worker that finishes starts at once.
            if prepared == nil, failure == nil, !stopping, !pending.isEmpty {
                let index = pending.removeFirst()
                do { prepared = (index, try makeTrainer(all[index].method, all[index].seed)) } catch { failure = error; stop.raise() }
            }
            let events = mailbox.receive(timeout: progressInterval)
            if !stopping && shouldStop() { stopping = true; stop.raise() }
            for case .finished(let index, let result) in events {
                inFlight[index] = nil
                finish(index, result)
            }
            if !inFlight.isEmpty && failure == nil && !stopping && monotonicSeconds() - lastReport >= progressInterval {
                report(finished: nil)
                lastReport = monotonicSeconds()
            }
        }
        if let failure { throw failure }
        out.runs = finishedRuns()
        out.interrupted = dropped || (stopping && (!pending.isEmpty || prepared != nil))
        return out
    }

    /// How often (seconds) the coordinating thread reports progress and asks whether to stop.
    static let progressInterval = 0.05

    /// One run: `trainer` (fresh for this method and seed) trained `steps` steps, scored on
    /// `evalData` at step 0, every `evalEvery` steps and the last. Depends on
    /// nothing but its arguments, so runs can go in any order and on any thread. Nil when stopped.
    public static func train(_ trainer: Trainer, method: TrainerConfig.Method, seed: UInt64, steps: Int, evalEvery: Int, evalData: Dataset,
                             select: CheckpointSelection, shouldStop: () -> Bool, stepped: (Int, Double) -> Void = { _, _ in }) throws -> ComparisonRun? {
        let runStart = monotonicSeconds()
        let context = "\(method.rawValue) seed \(seed)"
        func score() throws -> (FairnessReport, [Int]) {
            do {
                let predictions = try trainer.policy.predict(evalData.features)
                return (try FairnessReport.evaluate(truth: evalData.labels, predictions: predictions, data: evalData), predictions)
            } catch { throw RLError("\(context): evaluation: \(error)") }
        }
        var points: [ComparisonRun.Point] = []
        var chosen: (report: FairnessReport, predictions: [Int], step: Int, f1: Double)?
        func record(_ scored: (FairnessReport, [Int])) {
            let metrics = ComparisonRun.metrics(scored.0)
            points.append(.init(step: trainer.stepCount, metrics: metrics))
            let f1 = metrics[.f1] ?? -.infinity
            if select == .bestF1, chosen == nil || f1 > chosen!.f1 { chosen = (scored.0, scored.1, trainer.stepCount, f1) }
        }
        if evalEvery > 0 { record(try score()) }
        for k in 1...steps {
            do { try trainer.step() } catch { throw RLError("\(context): \(error)") }
            if shouldStop() { return nil }
            if evalEvery > 0, k % evalEvery == 0, k < steps { record(try score()) }
            stepped(k, monotonicSeconds() - runStart)
        }
        let last = try score()
        if evalEvery > 0 { record(last) }
        let (report, predictions, step) = select == .bestF1 && chosen != nil
            ? (chosen!.report, chosen!.predictions, chosen!.step) : (last.0, last.1, trainer.stepCount)
        return ComparisonRun(method: method, seed: seed, steps: steps, seconds: monotonicSeconds() - runStart, report: report,
                             predictions: predictions, reportedStep: step, points: points,
                             collapsed: ComparisonRun.collapse(predictions: predictions, data: evalData))
    }

    /// Mean and sample standard deviation over the values given (nil std for fewer than two).
    public static func meanStd(_ values: [Double]) -> (mean: Double?, std: Double?) {
        guard !values.isEmpty else { return (nil, nil) }
        let m = values.reduce(0, +) / Double(values.count)
        guard values.count >= 2 else { return (m, nil) }
        return (m, (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot())
    }

    /// A metric of one method over its finished seeds (those where it is defined).
    public func summary(_ method: TrainerConfig.Method, _ metric: TableMetric) -> (mean: Double?, std: Double?, n: Int) {
        let values = runs.filter { $0.method == method }.compactMap { $0.metrics[metric] }
        let (m, s) = Comparison.meanStd(values)
        return (m, s, values.count)
    }

    /// Methods with at least one finished run, in the order given.
    public var finishedMethods: [TrainerConfig.Method] { methods.filter { m in runs.contains { $0.method == m } } }

    /// Where two methods' means differ by no more than one standard deviation
    /// (the larger of the two): differences the seeds cannot tell apart.
    public var notes: [String] {
        let methods = finishedMethods
        guard runs.contains(where: { r in runs.filter { $0.method == r.method }.count >= 2 }) else {
            return ["with one seed per method there is no spread over seeds to judge differences against; give seeds=[0, 1, 2] or more"]
        }
        var out: [String] = []
        for metric in TableMetric.allCases {
            for i in methods.indices {
                for j in methods.indices where j > i {
                    let a = summary(methods[i], metric), b = summary(methods[j], metric)
                    guard let ma = a.mean, let mb = b.mean, let sa = a.std, let sb = b.std else { continue }
                    let difference = abs(ma - mb), spread = max(sa, sb)
                    if difference <= spread {
                        out.append("\(metric.rawValue): \(methods[j].rawValue) vs \(methods[i].rawValue) differ by \(formatFixed(difference, metric.decimals + 1)), within one std (\(formatFixed(spread, metric.decimals + 1)))")
                    }
                }
            }
        }
        return out
    }

    /// Per method and group (domain, attribute, level): the mean over seeds of
    /// the group's scores on the evaluation data.
    public struct GroupRow: Sendable {
        public var method: TrainerConfig.Method
        public var domain: String, attribute: String, level: String
        public var n: Int
        public var seeds: Int
        /// Mean over the seeds where the score is defined.
        public var scores: [Metric: Double]
    }

    public static let groupMetrics: [Metric] = [.f1, .accuracyOVR, .precision, .recall, .fpr, .fdr, .accuracy]

    public var byGroup: [GroupRow] {
        var rows: [GroupRow] = []
        for method in finishedMethods {
            let reports = runs.filter { $0.method == method }.map(\.report)
            var keys: [FairnessReport.Group.ID] = [], groups: [FairnessReport.Group.ID: [FairnessReport.Group]] = [:]
            for r in reports {
                for g in r.groups {
                    if groups[g.id] == nil { keys.append(g.id) }
                    groups[g.id, default: []].append(g)
                }
            }
            for key in keys {
                let gs = groups[key]!
                var scores: [Metric: Double] = [:]
                for metric in Comparison.groupMetrics {
                    if let m = Comparison.meanStd(gs.compactMap { $0.scores.value(metric) }).mean { scores[metric] = m }
                }
                rows.append(GroupRow(method: method, domain: gs[0].domain, attribute: gs[0].attribute, level: gs[0].level,
                                     n: gs[0].scores.n, seeds: gs.count, scores: scores))
            }
        }
        return rows
    }

    /// Per method and evaluation step: ΔF1 and PP (×100), mean and std over seeds.
    public struct DynamicsRow: Sendable {
        public var method: TrainerConfig.Method
        public var step: Int
        public var deltaF1: (mean: Double?, std: Double?)
        public var pp: (mean: Double?, std: Double?)
        public var seeds: Int
    }

    public var dynamics: [DynamicsRow] {
        var rows: [DynamicsRow] = []
        for method in finishedMethods {
            let series = runs.filter { $0.method == method }.map(\.dynamics)
            let steps = series.first?.map(\.step) ?? []
            for (i, step) in steps.enumerated() {
                let points = series.compactMap { i < $0.count && $0[i].step == step ? $0[i] : nil }
                rows.append(DynamicsRow(method: method, step: step, deltaF1: Comparison.meanStd(points.compactMap(\.deltaF1)),
                                        pp: Comparison.meanStd(points.compactMap(\.pp)), seeds: points.count))
            }
        }
        return rows
    }
}
