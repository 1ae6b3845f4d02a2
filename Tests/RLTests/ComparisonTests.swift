import Render
import Data
import Fairness
import Foundation
import Lang
import Notebook
import RL
import Tensors
import Testing
import TestSupport

@Suite("compare: methods × seeds summarised as the paper's table")
struct ComparisonTests {
    static func data(n: Int = 1200) throws -> Dataset {
        var c = SynthConfig()
        c.n = n
        return try Dataset.synthesize(c)
    }

    static func factory(_ data: Dataset) -> (TrainerConfig.Method, UInt64) throws -> Trainer {
        { method, seed in
            var c = TrainerConfig()
            c.method = method
            c.seed = seed
            c.numGenerations = 4
            c.batchSize = 32
            c.learningRate = 3e-3
            return try Trainer(policy: try Policy(inputs: data.featureCount, classes: data.classNames.count, hidden: [16], seed: seed),
                               data: data, config: c)
        }
    }

    static func compare(_ data: Dataset, methods: [TrainerConfig.Method] = [.grpo, .fairgrpo], seeds: [UInt64] = [0, 1, 2],
                        steps: Int = 6, evalEvery: Int = 3, shouldStop: @escaping () -> Bool = { false }) throws -> Comparison {
        try Comparison.run(methods: methods, seeds: seeds, steps: steps, evalEvery: evalEvery, evalData: data,
                           makeTrainer: factory(data), shouldStop: shouldStop)
    }

    @Test("each run's metrics are its trained policy's report; the table is mean and sample std of the runs")
    func aggregation() throws {
        let data = try Self.data()
        let c = try Self.compare(data)
        #expect(c.runs.map(\.method) == [.grpo, .grpo, .grpo, .fairgrpo, .fairgrpo, .fairgrpo])
        #expect(c.runs.map(\.seed) == [0, 1, 2, 0, 1, 2])
        #expect(!c.interrupted)
        // A run's numbers: a policy trained by hand with the same method and seed, evaluated, scaled as the paper.
        let t = try Self.factory(data)(.fairgrpo, 1)
        for _ in 0..<6 { try t.step() }
        let table = try evaluate(policy: t.policy, on: data).table
        let run = c.runs[4]
        expectNear(run.metrics[.pp]!, table.pp! * 100, "PP ×100")
        expectNear(run.metrics[.eod]!, table.eod! * 100, "EOD ×100")
        expectNear(run.metrics[.fprDiff]!, table.fprDiff! * 100, "FPR diff ×100")
        expectNear(run.metrics[.sigmaF1]!, table.sigmaF1!, "σF1")
        expectNear(run.metrics[.f1ES]!, table.f1! / (1 + table.sigmaF1!), "F1_ES")
        // Mean and std by hand.
        for method in c.methods {
            for metric in TableMetric.allCases {
                let values = c.runs.filter { $0.method == method }.compactMap { $0.metrics[metric] }
                #expect(values.count == 3)
                let s = c.summary(method, metric)
                expectNear(s.mean!, values.reduce(0, +) / 3, tolerance: 1e-12, "\(method) \(metric) mean")
                expectNear(s.std!, sampleStd(values), tolerance: 1e-12, "\(method) \(metric) std")
                #expect(s.n == 3)
            }
        }
        // Two methods on the same seeds do differ somewhere (the comparison is not of one run with itself).
        #expect(c.summary(.grpo, .f1).mean != c.summary(.fairgrpo, .f1).mean)
    }

    @Test("dynamics: ΔF1 and PP at steps 0, every eval_every and the last, mean over seeds")
    func dynamics() throws {
        let data = try Self.data()
        let c = try Self.compare(data, seeds: [0, 1], steps: 7, evalEvery: 3)
        let rows = c.dynamics
        #expect(rows.map(\.step) == [0, 3, 6, 7, 0, 3, 6, 7])
        #expect(rows.map(\.method) == [.grpo, .grpo, .grpo, .grpo, .fairgrpo, .fairgrpo, .fairgrpo, .fairgrpo])
        for r in rows {
            let points = c.runs.filter { $0.method == r.method }.map { run in run.dynamics.first { $0.step == r.step }! }
            expectNear(r.deltaF1.mean!, points.compactMap(\.deltaF1).reduce(0, +) / 2, "ΔF1 at \(r.step)")
            expectNear(r.pp.mean!, points.compactMap(\.pp).reduce(0, +) / 2, "PP at \(r.step)")
            #expect(r.seeds == 2)
        }
        // Step 0 is the untrained policy, the same for both methods; the last point is the table's value.
        #expect(rows[0].deltaF1.mean == rows[4].deltaF1.mean)
        for run in c.runs { #expect(run.dynamics.last!.deltaF1 == run.metrics[.deltaF1]) }
        // A policy evaluated by hand at step 3.
        let t = try Self.factory(data)(.grpo, 1)
        for _ in 0..<3 { try t.step() }
        expectNear(c.runs[1].dynamics[1].pp!, try evaluate(policy: t.policy, on: data).table.pp! * 100, "PP at step 3, seed 1")
        #expect(try Self.compare(data, seeds: [0], steps: 2, evalEvery: 0).dynamics.isEmpty)
    }

    @Test("per-group detail: the mean over seeds of each group's scores")
    func byGroup() throws {
        let data = try Self.data()
        let c = try Self.compare(data, seeds: [0, 1], steps: 3)
        let rows = c.byGroup
        let first = c.runs[0].report.groups
        #expect(rows.filter { $0.method == .grpo }.count == first.count)
        let row = rows[0]
        let groups = c.runs.filter { $0.method == .grpo }.map { $0.report.groups[0] }
        #expect(row.domain == groups[0].domain && row.level == groups[0].level && row.seeds == 2 && row.n == groups[0].scores.n)
        expectNear(row.scores[.f1]!, (groups[0].scores.value(.f1)! + groups[1].scores.value(.f1)!) / 2, "f1")
        expectNear(row.scores[.accuracyOVR]!, (groups[0].scores.value(.accuracyOVR)! + groups[1].scores.value(.accuracyOVR)!) / 2, "acc")
    }

    @Test("the same seeds give identical runs")
    func determinism() throws {
        let data = try Self.data()
        let a = try Self.compare(data, seeds: [3, 5], steps: 4)
        let b = try Self.compare(data, seeds: [3, 5], steps: 4)
        #expect(a.runs.map(\.metrics) == b.runs.map(\.metrics))
        #expect(a.notes == b.notes)
        let c = try Self.compare(data, seeds: [4, 5], steps: 4)
        #expect(a.runs[0].metrics != c.runs[0].metrics)
    }

    /// A comparison whose runs carry the given F1 values (other metrics left out).
    static func constructed(_ f1: [TrainerConfig.Method: [Double]]) throws -> Comparison {
        let data = try Self.data(n: 200)
        let report = try FairnessReport.evaluate(truth: data.labels, predictions: data.labels, data: data)
        var c = Comparison(methods: [.grpo, .fairgrpo, .grpoDRO], seeds: [0, 1, 2], steps: 1, evalEvery: 0)
        for method in c.methods {
            for (seed, v) in (f1[method] ?? []).enumerated() {
                var run = ComparisonRun(method: method, seed: UInt64(seed), steps: 1, seconds: 0, report: report,
                                        predictions: data.labels, reportedStep: 1, points: [], collapsed: nil)
                run.metrics = [.f1: v]
                c.runs.append(run)
            }
        }
        return c
    }

    @Test("notes name the pairs whose means differ by no more than the larger std")
    func withinOneStd() throws {
        // grpo: mean 0.5, std 0.1. fairgrpo: mean 0.58, std 0.02 (0.08 ≤ 0.1: within).
        // grpo_dro: mean 0.8, std 0.01 (0.3 > 0.1 from grpo; 0.22 > 0.02 from fairgrpo).
        let c = try Self.constructed([.grpo: [0.4, 0.5, 0.6], .fairgrpo: [0.56, 0.58, 0.60], .grpoDRO: [0.79, 0.80, 0.81]])
        expectNear(c.summary(.grpo, .f1).std!, 0.1, tolerance: 1e-12, "std")
        #expect(c.notes == ["F1: fairgrpo vs grpo differ by 0.0800, within one std (0.1000)"])
        // Exactly one std apart counts as within.
        let edge = try Self.constructed([.grpo: [0.25, 0.5, 0.75], .fairgrpo: [0.5, 0.75, 1.0]])
        #expect(edge.notes == ["F1: fairgrpo vs grpo differ by 0.2500, within one std (0.2500)"])
        let one = try Self.constructed([.grpo: [0.4], .fairgrpo: [0.41]])
        #expect(one.notes.count == 1 && one.notes[0].hasPrefix("with one seed per method there is no spread"))
    }

    @Test("a stop request after a step drops the unfinished run and keeps the finished ones")
    func interrupted() throws {
        let data = try Self.data()
        var calls = 0
        let c = try Self.compare(data, seeds: [0, 1], steps: 4, shouldStop: { calls += 1; return calls == 6 })
        #expect(c.interrupted)
        #expect(c.runs.count == 1 && c.runs[0].method == .grpo && c.runs[0].seed == 0)
        #expect(c.finishedMethods == [.grpo])
        // The finished run is the one an uninterrupted comparison gives.
        let full = try Self.compare(data, seeds: [0, 1], steps: 4)
        #expect(c.runs[0].metrics == full.runs[0].metrics)
    }

    @Test("bad input: no methods, a repeated seed, zero steps")
    func badInput() throws {
        let data = try Self.data(n: 200)
        #expect(throws: RLError.self) { try Self.compare(data, methods: []) }
        #expect(throws: RLError.self) { try Self.compare(data, seeds: [1, 1]) }
        #expect(throws: RLError.self) { try Self.compare(data, steps: 0) }
    }
}

@Suite("compare() through a notebook session")
struct CompareBuiltinTests {
    static let setup = """
        data = demo(n=1500)
        c = compare(data, methods=["grpo", "fairgrpo"], seeds=[0, 1, 2], steps=5, eval_every=2, G=4, batch=32, hidden=[16], progress=false)
        """

    func comparison(_ s: Transcript, _ name: String = "c") -> ComparisonObject? {
        guard case .object(let o)? = s.value(name), let c = o as? ComparisonObject else { return nil }
        return c
    }

    @Test("c.table is mean and sample std of c.runs, per method")
    func tableFromRuns() throws {
        let s = Transcript()
        let r = s.run(Self.setup)
        #expect(r.status == .ok, "\(r.output)")
        for (i, method) in ["grpo", "fairgrpo"].enumerated() {
            for metric in TableMetric.allCases {
                let out = s.run("""
                    v = []
                    for row in c.runs.rows { if row.method == "\(method)" { v = v + [row.\(metric.rawValue)] } }
                    print(v)
                    print(c.table[\(i)].\(metric.rawValue), c.table[\(i)].\(metric.rawValue)_std)
                    """)
                #expect(out.status == .ok, "\(out.output)")
                let lines = out.output.split(separator: "\n").map { numbers(String($0)) }
                let values = lines[0]
                #expect(values.count == 3)
                // .runs and .table hold full precision.
                expectNear(lines[1][0], values.reduce(0, +) / 3, tolerance: 2e-6, "\(method) \(metric) mean")
                expectNear(lines[1][1], sampleStd(values), tolerance: 2e-6, "\(method) \(metric) std")
            }
        }
        let printed = s.run("c", echo: true).output
        #expect(printed.hasPrefix("compare: 2 methods × 3 seeds · 5 steps · G 4 · batch 32 · lr 0.003"))
        #expect(printed.contains("trained on 1201 rows, evaluated on 299 held out"))
        for heading in ["PP_pct ↓", "EOD_pct ↓", "FPR_diff_pct ↓", "σF1 ↓", "ΔF1 ↓", "F1 ↑", "Acc ↑", "F1_ES ↑", "Acc_ES ↑"] {
            #expect(printed.contains(heading), "heading \(heading)")
        }
        let c = try #require(comparison(s))
        let grpoF1 = c.comparison.summary(.grpo, .f1)
        let interval = try #require(c.evidence?.intervals[.grpo]?[.f1])
        #expect(printed.contains("grpo          3") && printed.contains(formatFixed(grpoF1.mean!, 3) + " [" + formatFixed(interval.lo, 3) + ", " + formatFixed(interval.hi, 3) + "]"))
    }

    @Test("the same call twice prints the same table")
    func deterministic() throws {
        let a = Transcript(), b = Transcript()
        a.run(Self.setup); b.run(Self.setup)
        let ta = a.run("c.table\nc.by_group\nc.dynamics\nc.notes", echo: true), tb = b.run("c.table\nc.by_group\nc.dynamics\nc.notes", echo: true)
        #expect(ta.status == .ok, "\(ta.output)")
        #expect(ta.output == tb.output)
        #expect(ta.output.count > 1000)
    }

    @Test("c.dynamics plots with plot(); c.table with bar()")
    func plots() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = Transcript()
        s.run(Self.setup)
        let d = s.run("print(c.dynamics[\"step\"])\nprint(c.dynamics[\"method\"])")
        #expect(numbers(d.output.split(separator: "\n")[0].description) == [0, 2, 4, 5, 0, 2, 4, 5])
        #expect(d.output.contains("[\"grpo\", \"grpo\", \"grpo\", \"grpo\", \"fairgrpo\""))
        let p = s.run("plot(c.dynamics, y=\"PP_pct\", by=\"method\", to=\"\(dir.path)/pp.png\")\nbar(c.table, x=\"method\", y=\"F1\", to=\"\(dir.path)/f1.png\")")
        #expect(p.status == .ok, "\(p.output)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/pp.png") && FileManager.default.fileExists(atPath: dir.path + "/f1.png"))
    }

    @Test("c.to_csv writes the table: a header and a row per method, the numbers of c.table")
    func csv() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = Transcript()
        s.run(Self.setup)
        let r = s.run("c.to_csv(\"\(path)\")")
        #expect(r.status == .ok && r.output.hasPrefix("wrote \(path) (2 rows"), "\(r.output)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "method,seeds," + TableMetric.allCases.map { "\($0.rawValue),\($0.rawValue)_std,\($0.rawValue)_lo,\($0.rawValue)_hi" }.joined(separator: ",") + ",resamples,collapsed")
        let c = try #require(comparison(s))
        for (line, method) in zip(lines.dropFirst(), [TrainerConfig.Method.grpo, .fairgrpo]) {
            let cells = line.split(separator: ",").map(String.init)
            #expect(cells[0] == method.rawValue && cells[1] == "3")
            for (k, metric) in TableMetric.allCases.enumerated() {
                let sm = c.comparison.summary(method, metric)
                expectNear(Double(cells[2 + 4 * k])!, sm.mean!, tolerance: 5e-7, "\(method) \(metric) csv mean")
                expectNear(Double(cells[3 + 4 * k])!, sm.std!, tolerance: 5e-7, "\(method) \(metric) csv std")
                let i = try #require(c.evidence?.intervals[method]?[metric])
                expectNear(Double(cells[4 + 4 * k])!, i.lo, tolerance: 5e-7, "\(method) \(metric) csv lo")
                expectNear(Double(cells[5 + 4 * k])!, i.hi, tolerance: 5e-7, "\(method) \(metric) csv hi")
            }
        }
    }

    @Test("an unknown method names the valid ones and the closest")
    func unknownMethod() {
        let s = Transcript()
        let r = s.run("compare(demo(n=500), methods=[\"grpo\", \"grpo_ro\"], progress=false)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("compare(): unknown method \"grpo_ro\""), "\(r.output)")
        #expect(r.output.contains("did you mean 'grpo_dro' or 'grpo_rs'"), "\(r.output)")
        #expect(r.output.contains("methods: grpo, rloo, reinforce++, fairgrpo, fairgrpo_nd, grpo_rs, grpo_dro"), "\(r.output)")
        let bare = s.run("compare(demo(n=500), methods=[1], progress=false)")
        #expect(bare.status == .runtimeError && bare.output.contains("methods must be method names in quotes"), "\(bare.output)")
        // Trainer options are checked by trainer() before anything trains.
        let lr = s.run("compare(demo(n=500), lr=-1, progress=false)")
        #expect(lr.status == .runtimeError && lr.output.contains("lr must be positive"), "\(lr.output)")
        let holdout = s.run("compare(demo(n=500), holdout=1, progress=false)")
        #expect(holdout.status == .runtimeError && holdout.output.contains("holdout must be a fraction"), "\(holdout.output)")
    }
}
