import Data
import Fairness
import Foundation
import Lang
import Notebook
@testable import RL
import Tensors
import Testing
import TestSupport

@Suite("compare: intervals, paired differences, accuracy-matched views, no leakage")
struct EvidenceTests {
    static func comparison(select: CheckpointSelection = .final, seeds: [UInt64] = [0, 1, 2], steps: Int = 8) throws -> (Comparison, Dataset) {
        let data = try ComparisonTests.data(n: 900)
        let c = try Comparison.run(methods: [.grpo, .fairgrpo], seeds: seeds, steps: steps, evalEvery: 2, evalData: data, select: select,
                                   makeTrainer: ComparisonTests.factory(data))
        return (c, data)
    }

    @Test("a method's interval holds its mean over seeds; a paired difference's verdict follows its interval")
    func intervalsAndVerdicts() throws {
        let (c, data) = try Self.comparison()
        let e = try c.evidence(evalData: data, bootstrap: try Bootstrap(resamples: 300, level: 0.95, seed: 0), baseline: .grpo)
        for method in c.methods {
            for m in [TableMetric.f1, .acc, .sigmaF1] {
                let i = try #require(e.intervals[method]?[m])
                #expect(i.lo <= i.hi)
                #expect(i.defined == 300)
                // Wide enough to include the seeds' mean, narrow enough to say something.
                let mean = c.summary(method, m).mean!
                #expect(i.lo - 1e-9 <= mean && mean <= i.hi + 0.05, "\(method) \(m): \(mean) vs [\(i.lo), \(i.hi)]")
            }
        }
        #expect(e.differences[.grpo] == nil)
        let d = try #require(e.differences[.fairgrpo])
        for (m, diff) in d {
            expectNear(diff.value, c.summary(.fairgrpo, m).mean! - c.summary(.grpo, m).mean!, tolerance: 1e-12, "\(m)")
            let expected: ComparisonEvidence.Verdict = diff.interval.lo > 0 ? .higher : diff.interval.hi < 0 ? .lower : .noEvidence
            #expect(diff.verdict == expected)
        }
        // A method against itself: every paired difference is exactly zero, so no evidence of a difference.
        var twin = c
        twin.runs = c.runs.filter { $0.method == .grpo } + c.runs.filter { $0.method == .grpo }.map { var r = $0; r.method = .fairgrpo; return r }
        let same = try twin.evidence(evalData: data, bootstrap: try Bootstrap(resamples: 50, seed: 1), baseline: .grpo)
        for diff in same.differences[.fairgrpo]!.values {
            #expect(diff.interval.lo == 0 && diff.interval.hi == 0 && diff.verdict == .noEvidence)
        }
        #expect(throws: RLError.self) { try c.evidence(evalData: data, bootstrap: try Bootstrap(resamples: 10), baseline: .grpoDRO) }
    }

    @Test("intervals widen with fewer evaluation rows; a clear difference is found")
    func clearDifference() throws {
        // Predictions built by hand: "fairgrpo" is right on every row, "grpo" on about half.
        let data = try ComparisonTests.data(n: 600)
        let report = try FairnessReport.evaluate(truth: data.labels, predictions: data.labels, data: data)
        var c = Comparison(methods: [.grpo, .fairgrpo], seeds: [0, 1], steps: 1, evalEvery: 0)
        for seed in 0..<2 {
            let noisy = data.labels.enumerated().map { i, y in (i + seed) % 2 == 0 ? y : (y + 1) % data.classNames.count }
            let r = try FairnessReport.evaluate(truth: data.labels, predictions: noisy, data: data)
            c.runs.append(ComparisonRun(method: .grpo, seed: UInt64(seed), steps: 1, seconds: 0, report: r, predictions: noisy,
                                        reportedStep: 1, points: [], collapsed: nil))
            c.runs.append(ComparisonRun(method: .fairgrpo, seed: UInt64(seed), steps: 1, seconds: 0, report: report,
                                        predictions: data.labels, reportedStep: 1, points: [], collapsed: nil))
        }
        let e = try c.evidence(evalData: data, bootstrap: try Bootstrap(resamples: 200, seed: 0), baseline: .grpo)
        #expect(e.differences[.fairgrpo]![.f1]!.verdict == .higher)
        #expect(e.differences[.fairgrpo]![.acc]!.verdict == .higher)
        // Perfect predictions have no sampling error at all.
        #expect(e.intervals[.fairgrpo]![.f1]! == Interval(lo: 1, hi: 1, defined: 200))
    }

    @Test("every run records F1 and gaps at each evaluation step; best_f1 reports the best step's policy")
    func checkpoints() throws {
        let (last, _) = try Self.comparison(seeds: [0, 1])
        let (best, data) = try Self.comparison(select: .bestF1, seeds: [0, 1])
        #expect(last.runs.map { $0.points.map(\.step) } == Array(repeating: [0, 2, 4, 6, 8], count: 4))
        for (a, b) in zip(last.runs, best.runs) {
            // Training is the same; only the reported checkpoint differs.
            #expect(a.points.map { $0.metrics[.f1] } == b.points.map { $0.metrics[.f1] })
            #expect(a.reportedStep == 8)
            let bestPoint = b.points.max { ($0.metrics[.f1] ?? 0) < ($1.metrics[.f1] ?? 0) }!
            #expect(b.metrics[.f1] == bestPoint.metrics[.f1])
            #expect(b.points.first { $0.step == b.reportedStep }!.metrics[.f1] == b.metrics[.f1])
            #expect(a.metrics == a.points.last!.metrics)
            // The kept predictions are the reported policy's: scoring them again gives the reported metrics.
            let again = try FairnessReport.evaluate(truth: data.labels, predictions: b.predictions, data: data)
            #expect(ComparisonRun.metrics(again) == b.metrics)
        }
    }

    @Test("frontier: mean over seeds and t intervals per step; matched: gaps interpolated at F1 levels every run reaches")
    func frontierAndMatched() throws {
        let (c, _) = try Self.comparison()
        let rows = c.frontier()
        #expect(rows.count == 2 * 5)
        let row = rows[3]
        let values = c.runs.filter { $0.method == row.method }.map { $0.points[3].metrics[.pp]! }
        let s = row.values[.pp]!
        expectNear(s.mean, values.reduce(0, +) / 3, tolerance: 1e-12)
        // t(0.975, 2) = 4.302653
        let half = 4.302652729749464 * sampleStd(values) / 3.0.squareRoot()
        expectNear(s.interval!.hi - s.mean, half, tolerance: 1e-6)
        expectNear(studentT(quantile: 0.975, df: 10), 2.228138851986274, tolerance: 1e-6)
        let (matched, note) = c.matched(levels: 3)
        if let note {
            #expect(matched.isEmpty)
            #expect(note.contains("F1"))
        } else {
            #expect(matched.count == 2 * 3)
            // At a level, a run's gap lies between its gaps at the two steps around the crossing.
            for r in matched {
                for run in c.runs where run.method == r.method {
                    let v = try #require(Comparison.interpolate(run.points, metric: .deltaF1, atF1: r.f1))
                    let i = run.points.firstIndex { ($0.metrics[.f1] ?? -1) >= r.f1 }!
                    let ends = [run.points[max(i - 1, 0)].metrics[.deltaF1]!, run.points[i].metrics[.deltaF1]!]
                    #expect(v >= ends.min()! - 1e-12 && v <= ends.max()! + 1e-12)
                }
            }
        }
        // Made-up series: F1 0.2 → 0.6 with ΔF1 0.1 → 0.3: at F1 0.5, ΔF1 0.25.
        let points = [ComparisonRun.Point(step: 0, metrics: [.f1: 0.2, .deltaF1: 0.1]),
                      ComparisonRun.Point(step: 1, metrics: [.f1: 0.6, .deltaF1: 0.3])]
        expectNear(Comparison.interpolate(points, metric: .deltaF1, atF1: 0.5)!, 0.25, tolerance: 1e-12)
        #expect(Comparison.interpolate(points, metric: .deltaF1, atF1: 0.7) == nil)
    }

    @Test("collapsed runs: one class everywhere, or a group never predicted positive")
    func collapse() throws {
        var c = SynthConfig()
        c.n = 400
        let data = try Dataset.synthesize(c)
        #expect(ComparisonRun.collapse(predictions: [Int](repeating: 0, count: data.count), data: data)?.contains("every row") == true)
        #expect(ComparisonRun.collapse(predictions: data.labels, data: data) == nil)
        if data.classNames.count == 2 {
            let sex = data.attributes[0].groundTruth
            let p = data.labels.indices.map { sex[$0] == 0 ? 0 : data.labels[$0] }
            #expect(ComparisonRun.collapse(predictions: p, data: data)?.contains("never predicts") == true)
        }
    }

    @Test("compare()'s holdout keeps every patient on one side, and shows train_data and eval_data")
    func noLeakage() throws {
        setenv("FAIRGRPO_DATA", repositoryRootForTests + "/data/clinical", 1)
        let s = Transcript()
        let r = s.run("""
            covid = dataset("covid_testing")
            c = compare(covid, methods=["grpo"], seeds=[0], steps=1, eval_every=0, G=2, batch=8, hidden=[4], progress=false, n_boot=0)
            train, test = split(covid, test=0.2)
            rows_train, rows_test = split(covid, test=0.2, by="row")
            """)
        #expect(r.status == .ok, "\(r.output)")
        func ids(_ name: String) throws -> [String] {
            guard case .object(let o)? = s.value(name), let d = o as? DatasetObject else { throw RuntimeFailure(name) }
            return d.data.groupIDs!
        }
        let out = s.run("print(c.train_data.count + c.eval_data.count == covid.count)\ntd = c.train_data\ned = c.eval_data")
        #expect(out.output.contains("true"), "\(out.output)")
        #expect(Set(try ids("td")).isDisjoint(with: Set(try ids("ed"))))
        #expect(Set(try ids("train")).isDisjoint(with: Set(try ids("test"))))
        // Splitting rows regardless of patients does put a patient on both sides of this table.
        #expect(!Set(try ids("rows_train")).isDisjoint(with: Set(try ids("rows_test"))))
    }

    @Test("compare() prints intervals and verdicts, and flags bad options")
    func printed() throws {
        let s = Transcript()
        let r = s.run("""
            c = compare(demo(n=900), methods=["grpo", "fairgrpo"], seeds=[0, 1], steps=4, eval_every=2, G=4, batch=16, hidden=[8], progress=false, n_boot=100)
            print(c)
            """)
        #expect(r.status == .ok, "\(r.output)")
        #expect(r.output.contains("95% interval from 100 resamples"))
        #expect(r.output.contains("paired differences"))
        #expect(r.output.contains("− grpo"))
        #expect(!r.output.contains("within one std"))
        let t = s.run("print(c.table.columns)\nprint(c.differences.columns)\nprint(c.frontier.columns)")
        #expect(t.output.contains("\"PP_pct_lo\", \"PP_pct_hi\""))
        #expect(t.output.contains("\"verdict\""))
        #expect(t.output.contains("\"step\", \"F1\", \"dF1\", \"method\""))
        #expect(s.run("compare(demo(n=300), select=\"best\")").output.contains("select must be"))
        #expect(s.run("compare(demo(n=300), methods=[\"grpo\", \"fairgrpo\"], baseline=\"grpo_dro\")").output.contains("not one of the methods"))
        #expect(s.run("compare(demo(n=300), ci=2)").output.contains("ci must be"))
    }
}

struct RuntimeFailure: Error { var what: String; init(_ w: String) { what = w } }

let repositoryRootForTests: String = {
    var path = "\(#filePath)"
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path
}()
