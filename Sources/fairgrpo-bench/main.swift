// Benchmarks for fairgrpo's tensor library, printed as JSON lines for
// scripts/bench/tensor_bench.py, which runs a NumPy peer beside it.
//
//   fairgrpo-bench tensor [--steps 50] [--warmup 10] [--only W1|W2|sgemm]
//   fairgrpo-bench kmeans --data PATH [--rows N] [--dims N] [--k N]   (KMeansBench.swift)
//   fairgrpo-bench fairness [--rows 1000000] [--seed 1] [--rounds 5]   (FairnessBench.swift)
//   fairgrpo-bench bootstrap [--rows 100000] [--resamples 1000]         (BootstrapBench.swift)
//   fairgrpo-bench grpo --workload W1|W2 --method grpo|fairgrpo [--steps 30] [--prefill N]   (GRPOBench.swift)
import NN
import Tensors

#if canImport(Glibc)
import Glibc
#endif

BLASCoreSelection.ensureFastCore(arguments: CommandLine.arguments)

func option(_ name: String, default value: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return value
}

func emit(_ fields: [(String, String)]) {
    print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
}

func quoted(_ s: String) -> String { "\"\(s)\"" }

/// Best GFLOP/s over batches of square sgemm calls lasting about 0.3 s in all.
func benchSgemm(_ n: Int) throws -> Double {
    var rng = SeededGenerator(seed: 1)
    let a = Tensor.randomNormal([n, n], using: &rng), b = Tensor.randomNormal([n, n], using: &rng)
    _ = try a.matmul(b)
    var reps = 1
    while true {
        let t0 = monotonicSeconds()
        for _ in 0..<reps { _ = try a.matmul(b) }
        if monotonicSeconds() - t0 > 0.03 { break }
        reps *= 2
    }
    var best = Double.infinity
    let deadline = monotonicSeconds() + 0.3
    repeat {
        let t0 = monotonicSeconds()
        for _ in 0..<reps { _ = try a.matmul(b) }
        best = min(best, (monotonicSeconds() - t0) / Double(reps))
    } while monotonicSeconds() < deadline
    return 2 * Double(n * n * n) / best / 1e9
}

/// Median milliseconds of one training step: forward, softmax cross-entropy,
/// backward, Adam.
func benchMLPStep(rows: Int, sizes: [Int], steps: Int, warmup: Int) throws -> Double {
    var rng = SeededGenerator(seed: 0)
    let model = MLP(sizes, activation: .relu, using: &rng)
    let optimizer = Adam(model.parameters, learningRate: 1e-3)
    let x = Tensor.randomNormal([rows, sizes[0]], using: &rng)
    let labels = (0..<rows).map { _ in rng.nextIndex(below: sizes.last!) }
    var times: [Double] = []
    for i in 0..<(warmup + steps) {
        let t0 = monotonicSeconds()
        optimizer.zeroGrad()
        let loss = try Tensor.crossEntropy(logits: try model(x), targets: labels)
        try loss.backward()
        optimizer.step()
        if i >= warmup { times.append(monotonicSeconds() - t0) }
    }
    times.sort()
    return times[times.count / 2] * 1000
}

let args = CommandLine.arguments
let benches: [String: ([String]) throws -> Void] = [
    "kmeans": kmeansBench, "fairness": fairnessBench, "bootstrap": bootstrapBench, "grpo": grpoBench,
]
if args.count >= 2, let bench = benches[args[1]] {
    try bench(args)
    exit(0)
}
guard args.count >= 2, args[1] == "tensor" else {
    print("usage: fairgrpo-bench tensor [--steps N] [--warmup N] [--only W1|W2|sgemm]")
    exit(2)
}
let steps = option("--steps", default: 50), warmup = option("--warmup", default: 10)
let core = quoted(BLAS.coreName), threads = String(BLAS.threadCount)
let only: String? = {
    if let i = args.firstIndex(of: "--only"), i + 1 < args.count { return args[i + 1] }
    return nil
}()
for n in [64, 256, 1024] where only == nil || only == "sgemm" {
    let g = try benchSgemm(n)
    emit([("bench", quoted("sgemm")), ("n", String(n)), ("gflops", String(g)), ("core", core), ("threads", threads)])
}
for (name, rows, sizes) in [("W1", 256, [64, 128, 128, 5]), ("W2", 1024, [256, 512, 512, 10])] where only == nil || only == name {
    let ms = try benchMLPStep(rows: rows, sizes: sizes, steps: steps, warmup: warmup)
    emit([("bench", quoted("mlp_step")), ("workload", quoted(name)), ("median_ms", String(ms)), ("core", core), ("threads", threads)])
}

