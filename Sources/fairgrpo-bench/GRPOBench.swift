// GRPO step benchmark, the Swift side of scripts/bench/grpo_step_bench.py,
// which runs the same step in NumPy beside it.
//
//   fairgrpo-bench grpo --workload W1|W2 --method grpo|fairgrpo [--steps 30]
//                       [--warmup 5] [--prefill 0] [--paired] [--seed 0]
//
// One step of `Trainer.step()`: the next batch of prompts, G answers sampled
// per prompt from the policy, 0/1 rewards, advantages (GRPO, or FairGRPO with
// its cumulative per-(domain, group) statistics), the PPO-clip loss forward
// and backward over all B·G rollouts, gradient clipping and Adam, plus the
// trainer's logging (the updated policy's entropy, the per-group table that
// weights(t) shows; the per-rollout trace is kept and only built on request).
//
//   W1: 256 prompts, G = 8,  64 features, MLP 64 → 128 → 128 → 5
//   W2: 1024 prompts, G = 16, 256 features, MLP 256 → 512 → 512 → 10
//
// Synthetic data: 4·B prompts, features N(0, 1), label = argmax of a fixed
// random linear map of the features, three domains, groups sex × 4 age bins
// (all labelled, no UNK). `--prefill N` first adds N labelled prompts with
// random rewards to the FairGRPO statistics (in chunks), so the step can be
// timed with a long history behind it; the statistics are running sums, so
// the step cost must not grow with N. With `--paired`, two identical trainers
// are built, only the second one pre-filled, and their steps alternate, so
// both medians are measured under the same machine load (one line each).
//
// Prints one JSON line:
//   {"bench":"grpo_step","workload":"W1","method":"fairgrpo","prefill":0,"steps":30,
//    "median_ms":…,"min_ms":…,"mean_reward":…,"core":"Haswell","threads":2}
import Data
import NN
import RL
import Tensors

#if canImport(Glibc)
import Glibc
#endif

struct GRPOWorkload {
    var name: String, prompts: Int, generations: Int, features: Int, hidden: [Int], classes: Int

    static let all = [
        GRPOWorkload(name: "W1", prompts: 256, generations: 8, features: 64, hidden: [128, 128], classes: 5),
        GRPOWorkload(name: "W2", prompts: 1024, generations: 16, features: 256, hidden: [512, 512], classes: 10),
    ]
}

let grpoBenchDomains = ["site_a", "site_b", "site_c"]
let grpoBenchAges = ["≤25", "26-50", "51-75", ">75"]

/// The synthetic prompts of a workload.
func grpoBenchDataset(_ w: GRPOWorkload, seed: UInt64) throws -> Dataset {
    let n = 4 * w.prompts
    var rng = SeededGenerator(seed: seed)
    let x = Tensor.randomNormal([n, w.features], using: &rng)
    let teacher = Tensor.randomNormal([w.features, w.classes], using: &rng)
    let labels = try x.matmul(teacher).argmax(axis: 1).scalars.map { Int($0) }
    var sex: [Int] = [], age: [Int] = [], domain: [Int] = []
    for _ in 0..<n {
        sex.append(rng.nextIndex(below: 2))
        age.append(rng.nextIndex(below: 4))
        domain.append(rng.nextIndex(below: grpoBenchDomains.count))
    }
    return Dataset(
        name: "grpo-bench-\(w.name)", rawFeatures: x, featureNames: (0..<w.features).map { "x\($0)" },
        numeric: [Bool](repeating: true, count: w.features), labels: labels, classNames: (0..<w.classes).map { "c\($0)" },
        attributes: [
            Attribute(name: "sex", levels: ["female", "male"], shortNames: ["F", "M"], codes: sex),
            Attribute(name: "age", levels: grpoBenchAges, shortNames: ["A1", "A2", "A3", "A4"], codes: age),
        ],
        domains: domain, domainNames: grpoBenchDomains, ids: (0..<n).map { "q\($0)" }, groupIDs: nil)
}

func grpoBench(_ args: [String]) throws {
    func value(_ name: String) -> String? {
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        return args[i + 1]
    }
    func integer(_ name: String, _ fallback: Int) -> Int { value(name).flatMap { Int($0) } ?? fallback }
    let workloadName = value("--workload") ?? "W1"
    guard let w = GRPOWorkload.all.first(where: { $0.name == workloadName }) else {
        print("grpo: unknown workload \(workloadName) (W1 or W2)")
        exit(2)
    }
    let methodName = value("--method") ?? "grpo"
    guard methodName == "grpo" || methodName == "fairgrpo", let method = TrainerConfig.Method(rawValue: methodName) else {
        print("grpo: --method must be grpo or fairgrpo")
        exit(2)
    }
    let steps = max(1, integer("--steps", 30)), warmup = max(0, integer("--warmup", 5))
    let prefill = max(0, integer("--prefill", 0))
    let seed = UInt64(max(0, integer("--seed", 0)))

    let paired = args.contains("--paired")

    let data = try grpoBenchDataset(w, seed: seed)
    var config = TrainerConfig()
    config.method = method
    config.numGenerations = w.generations
    config.batchSize = w.prompts
    config.learningRate = 1e-3
    config.seed = seed
    func makeTrainer() throws -> Trainer {
        try Trainer(policy: try Policy(inputs: w.features, classes: w.classes, hidden: w.hidden, seed: seed), data: data, config: config)
    }
    // (trainer, prompts pre-filled into its statistics)
    var runs: [(Trainer, Int)] = paired ? [(try makeTrainer(), 0), (try makeTrainer(), prefill)] : [(try makeTrainer(), prefill)]

    for (trainer, count) in runs where count > 0 {
        // Labelled prompts spread over every (domain, group) cell of the data, random 0/1 rewards.
        var rng = SeededGenerator(seed: seed &+ 1)
        let groups = ["F", "M"].flatMap { s in ["A1", "A2", "A3", "A4"].map { s + "," + $0 } }
        var remaining = count
        while remaining > 0 {
            let chunk = min(remaining, 100_000)
            let batch = (0..<chunk).map { _ in
                FairWeighting.Prompt(domain: grpoBenchDomains[rng.nextIndex(below: grpoBenchDomains.count)],
                                     group: groups[rng.nextIndex(below: groups.count)],
                                     rewards: (0..<w.generations).map { _ in rng.nextIndex(below: w.classes) == 0 ? 1 : 0 })
            }
            try trainer.accumulateStatistics(batch)
            remaining -= chunk
        }
    }

    var times = [[Double]](repeating: [], count: runs.count)
    var rewards = [[Double]](repeating: [], count: runs.count)
    for i in 0..<(warmup + steps) {
        for (r, (trainer, _)) in runs.enumerated() {
            let t0 = monotonicSeconds()
            let log = try trainer.step()
            let elapsed = monotonicSeconds() - t0
            if i >= warmup { times[r].append(elapsed); rewards[r].append(log.reward) }
        }
    }
    for (r, (trainer, count)) in runs.enumerated() {
        let sorted = times[r].sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let fields: [(String, String)] = [
            ("bench", "\"grpo_step\""), ("workload", "\"\(w.name)\""), ("method", "\"\(methodName)\""),
            ("prefill", String(count)), ("paired", String(paired)), ("steps", String(steps)),
            ("median_ms", String(median * 1000)), ("min_ms", String(sorted[0] * 1000)),
            ("mean_reward", String(rewards[r].reduce(0, +) / Double(rewards[r].count))),
            ("history_prompts", String(Int(trainer.fair.state.domains.values.reduce(0) { $0 + $1.prompts }))),
            ("core", "\"\(BLAS.coreName)\""), ("threads", String(BLAS.threadCount)),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
    runs.removeAll()
}
