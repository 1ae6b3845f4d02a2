// Fairness-report benchmark, the Swift side of scripts/bench/fairness_bench.py,
// which scores the same rows with fairlearn's MetricFrame and with NumPy.
//
//   fairgrpo-bench fairness [--rows 1000000] [--seed 1] [--rounds 5]
//
// Rows are generated from a counter-based hash (splitmix64 of seed and row),
// so the Python side builds the identical arrays without a data file:
//
//   h(i, s) = splitmix64(seed * 0xD1B54A32D192ED03 + 8 * i + s)   (mod 2^64)
//   sex   = h(i, 0) % 2            age = h(i, 1) % 4            truth = h(i, 2) % 10
//   right = h(i, 3) % 1000 < 550 + 50 * age - 40 * sex
//   pred  = right ? truth : (truth + 1 + h(i, 4) % 9) % 10
//
// where splitmix64(x): z = x + 0x9E3779B97F4A7C15; z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9;
// z = (z ^ z >> 27) * 0x94D049BB133111EB; z ^ z >> 31.
//
// `FairnessReport.evaluate` runs with intersections (groups: sex, age, sex×age);
// each round prints
//   {"bench":"fairness","round":0,"rows":1000000,"classes":10,"groups":14,"seconds":0.012}
// and then one line per group with the five per-group scores of the paper's table:
//   {"bench":"fairness_group","attribute":"sex","level":"female","n":500123,"fdr":…,"recall":…,"fpr":…,"f1":…,"acc":…}
import Data
import Fairness
import Tensors

#if canImport(Glibc)
import Glibc
#endif

/// splitmix64's output function.
@inline(__always)
func splitmix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

struct FairnessBenchRows {
    var sex: [Int], age: [Int], truth: [Int], predictions: [Int]

    /// The rows as a one-domain dataset of ten classes with attributes sex and age.
    func dataset(name: String) throws -> Dataset {
        let n = truth.count
        return Dataset(
            name: name, rawFeatures: try Tensor(shape: [n, 1], scalars: [Float](repeating: 0, count: n)),
            featureNames: ["x"], numeric: [true], labels: truth, classNames: (0..<10).map { "c\($0)" },
            attributes: [Attribute(name: "sex", levels: ["female", "male"], codes: sex),
                         Attribute(name: "age", levels: ["≤25", "26-50", "51-75", ">75"], shortNames: ["A1", "A2", "A3", "A4"], codes: age)],
            domains: [Int](repeating: 0, count: n), domainNames: ["all"], ids: [], groupIDs: nil)
    }

    init(rows n: Int, seed: UInt64) {
        let base = seed &* 0xD1B5_4A32_D192_ED03
        sex = [Int](repeating: 0, count: n)
        age = sex; truth = sex; predictions = sex
        for i in 0..<n {
            let key = base &+ UInt64(i) &* 8
            func h(_ s: UInt64) -> UInt64 { splitmix64(key &+ s) }
            let sx = Int(h(0) % 2), ag = Int(h(1) % 4), t = Int(h(2) % 10)
            let right = Int(h(3) % 1000) < 550 + 50 * ag - 40 * sx
            sex[i] = sx
            age[i] = ag
            truth[i] = t
            predictions[i] = right ? t : (t + 1 + Int(h(4) % 9)) % 10
        }
    }
}

func fairnessBench(_ args: [String]) throws {
    func integer(_ name: String, _ fallback: Int) -> Int { benchInteger(args, name, fallback) }
    let n = integer("--rows", 1_000_000), seed = UInt64(integer("--seed", 1)), rounds = max(1, integer("--rounds", 5))
    let rows = FairnessBenchRows(rows: n, seed: seed)
    let data = try rows.dataset(name: "fairness-bench")

    var report: FairnessReport?
    for round in 0..<rounds {
        let t0 = monotonicSeconds()
        let r = try FairnessReport.evaluate(truth: rows.truth, predictions: rows.predictions, data: data, intersections: true)
        let seconds = monotonicSeconds() - t0
        report = r
        print("{\"bench\":\"fairness\",\"round\":\(round),\"rows\":\(n),\"classes\":10,\"groups\":\(r.groups.count),\"seconds\":\(seconds)}")
    }
    func number(_ v: Double?) -> String { v.map { "\($0)" } ?? "null" }
    for g in report!.groups {
        let s = g.scores
        print("{\"bench\":\"fairness_group\",\"attribute\":\"\(g.attribute)\",\"level\":\"\(g.level)\",\"n\":\(s.n),"
              + "\"fdr\":\(number(s.fdr)),\"recall\":\(number(s.recall)),\"fpr\":\(number(s.fpr)),"
              + "\"f1\":\(number(s.f1)),\"acc\":\(number(s.accuracyOVR))}")
    }
}

/// The integer after `name` in the arguments ("--rows 1000"), or `fallback`.
func benchInteger(_ args: [String], _ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
