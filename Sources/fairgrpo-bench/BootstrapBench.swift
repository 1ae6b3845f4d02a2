// Bootstrap benchmark, the Swift side of scripts/bench/bootstrap_bench.py.
//
//   fairgrpo-bench bootstrap [--rows 100000] [--resamples 1000] [--seed 1] [--rounds 3]
//
// The rows of FairnessBench.swift (10 classes, sex and age bin, 14 groups with
// sex×age); `FairnessReport.evaluate(..., intersections: true, bootstrap:)` with
// `--resamples` resamples. Each round prints
//   {"bench":"bootstrap","round":0,"rows":100000,"resamples":1000,"groups":14,"seconds":0.8}
// then the 95% interval of each group's F1:
//   {"bench":"bootstrap_group","attribute":"sex","level":"female","f1":…,"lo":…,"hi":…}
import Data
import Fairness
import Tensors

func bootstrapBench(_ args: [String]) throws {
    func integer(_ name: String, _ fallback: Int) -> Int { benchInteger(args, name, fallback) }
    let n = integer("--rows", 100_000), resamples = integer("--resamples", 1000)
    let seed = UInt64(integer("--seed", 1)), rounds = max(1, integer("--rounds", 3))
    let rows = FairnessBenchRows(rows: n, seed: seed)
    let data = try rows.dataset(name: "bootstrap-bench")
    var report: FairnessReport?
    for round in 0..<rounds {
        let t0 = monotonicSeconds()
        let r = try FairnessReport.evaluate(truth: rows.truth, predictions: rows.predictions, data: data, intersections: true,
                                            bootstrap: try Bootstrap(resamples: resamples, level: 0.95, seed: UInt64(round)))
        let seconds = monotonicSeconds() - t0
        report = r
        print("{\"bench\":\"bootstrap\",\"round\":\(round),\"rows\":\(n),\"resamples\":\(resamples),\"groups\":\(r.groups.count),\"seconds\":\(seconds)}")
    }
    for (i, g) in report!.groups.enumerated() {
        let iv = report!.intervals!.groups[i][.f1]!
        print("{\"bench\":\"bootstrap_group\",\"attribute\":\"\(g.attribute)\",\"level\":\"\(g.level)\",\"f1\":\(g.scores.f1!),\"lo\":\(iv.lo),\"hi\":\(iv.hi)}")
    }
}
