import Data
import Foundation
import Lang
import Notebook
@testable import RL
import Tensors
import Testing
import TestSupport

/// A trainer on `data` whose every batch holds every row (batch = data size).
private func wholeBatchTrainer(_ data: Dataset, method: TrainerConfig.Method = .fairgrpo,
                               configure: (inout TrainerConfig) -> Void = { _ in }) throws -> Trainer {
    try makeTrainer(data, method: method, hidden: [4]) {
        $0.batchSize = data.count
        configure(&$0)
    }
}

@Suite("Rewards: balanced, cost matrix, functions")
struct RewardOptionTests {
    @Test("balanced weights w_c = 1/(K'·π_c), by hand; Σ π_c·w_c = 1")
    func balancedWeights() throws {
        // π = (3/4, 1/4), K' = 2: w = (1/(2·3/4), 1/(2·1/4)) = (2/3, 2).
        expectNear(RewardOption.balancedWeights(labels: [0, 0, 0, 1], classes: 2), [2.0 / 3, 2], tolerance: 1e-15, "two classes")
        // Three classes, class 2 absent: π = (1/3, 2/3, 0), K' = 2: w = (3/2, 3/4, 0).
        let w = RewardOption.balancedWeights(labels: [0, 0, 1, 1, 1, 1], classes: 3)
        expectNear(w, [1.5, 0.75, 0], tolerance: 1e-15, "absent class")
        expectNear((1.0 / 3) * w[0] + (2.0 / 3) * w[1], 1, tolerance: 1e-15, "prior-weighted mean")
        let table = try RewardOption.balanced.table(labels: [0, 0, 0, 1], classes: 2)
        expectNear(table.flatMap { $0 }, [2.0 / 3, 0, 0, 2], tolerance: 1e-15, "table[label][answer]")
        #expect(try RewardOption.correct.table(labels: [0], classes: 3) == [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    }

    @Test("the trainer pays w_label for a correct answer and 0 otherwise under reward = balanced")
    func balancedInTrainer() throws {
        let data = try separableDataset(n: 96, seed: 2)
        let prior1 = Double(data.labels.filter { $0 == 1 }.count) / Double(data.count)
        let t = try wholeBatchTrainer(data) { $0.reward = .balanced }
        try t.step()
        let w = [1 / (2 * (1 - prior1)), 1 / (2 * prior1)]
        #expect(!t.lastTrace.isEmpty)
        for r in t.lastTrace {
            let label = r.label == "pos" ? 1 : 0
            expectNear(r.reward, r.answer == r.label ? w[label] : 0, tolerance: 1e-12, "\(r.promptID)")
        }
    }

    @Test("cost matrix: r = 1 − C[t][p]/max C; bad matrices are errors naming the problem")
    func costMatrix() throws {
        let table = try RewardOption.cost([[0, 1], [5, 0]]).table(labels: [], classes: 2)
        expectNear(table.flatMap { $0 }, [1, 0.8, 0, 1], tolerance: 1e-15, "1 − C/5")
        #expect(try RewardOption.cost([[0, 1], [1, 0]]).table(labels: [], classes: 2) == RewardOption.correct.table(labels: [], classes: 2))
        func message(_ c: [[Double]]) -> String {
            do { _ = try RewardOption.cost(c).table(labels: [], classes: 2); return "ok" } catch { return "\(error)" }
        }
        #expect(message([[0, 1, 2], [1, 0, 2]]).contains("must be 2×2"))
        #expect(message([[0, -1], [1, 0]]).contains("cost[0][1] = -1.0"))
        #expect(message([[0, 0], [0, 0]]).contains("all zeros"))
        // In the trainer: the trace's rewards are the table's.
        let data = try separableDataset(n: 64, seed: 3)
        let t = try wholeBatchTrainer(data) { $0.reward = .cost([[0, 1], [5, 0]]) }
        try t.step()
        for r in t.lastTrace {
            let (label, answer) = (r.label == "pos" ? 1 : 0, r.answer == "pos" ? 1 : 0)
            #expect(r.reward == table[label][answer])
        }
    }

    @Test("C = 1 − I follows the default trajectory exactly")
    func identityCostIsDefault() throws {
        let data = try demoData(n: 300)
        let a = try makeTrainer(data, method: .grpo, seed: 1)
        let b = try makeTrainer(data, method: .grpo, seed: 1) {
            $0.reward = .cost((0..<data.classNames.count).map { t in (0..<data.classNames.count).map { $0 == t ? 0 : 1 } })
        }
        for _ in 0..<3 { try a.step(); try b.step() }
        #expect(trajectoryHash(a) == trajectoryHash(b))
    }

    @Test("reward= in the language: \"balanced\", a cost matrix, fn(answer, label), fn(answer, label, row); errors")
    func builtin() throws {
        let s = Transcript()
        #expect(s.run("data = demo(n=600)\np = policy(data, hidden=[8])").status == .ok)
        for (arg, name) in [("\"balanced\"", "reward balanced"), ("[[0,1,1],[1,0,1],[1,1,0]]", "reward cost matrix")] {
            let k = s.run("print(len(data.classes))").output
            if arg.hasPrefix("[[") && !k.hasPrefix("3") { continue }
            let r = s.run("t = trainer(p, data, G=4, batch=32, reward=\(arg))\nprint(t)")
            #expect(r.status == .ok, "\(r.output)")
            #expect(r.output.contains(name), "\(r.output)")
        }
        // A two-argument function: (answer, label); 2 for a correct answer, else 0.5.
        var r = s.run("""
            fn pay(answer, label) { if answer == label { return 2 }; return 0.5 }
            t = trainer(p, data, method="grpo", G=4, batch=32, reward=pay)
            step(t, 1)
            tr = trace(t)
            """)
        #expect(r.status == .ok, "\(r.output)")
        let t2 = try #require({ () -> Trainer? in
            guard case .object(let o)? = s.value("t"), let t = o as? TrainerObject else { return nil }
            return t.trainer
        }())
        #expect(t2.lastTrace.allSatisfy { $0.reward == ($0.answer == $0.label ? 2 : 0.5) })
        #expect(s.run("print(t)").output.contains("reward fn"))
        // Three arguments: the row index comes third.
        r = s.run("""
            fn by_row(answer, label, row) { return row % 2 }
            u = trainer(p, data, method="grpo", G=2, batch=16, reward=by_row)
            step(u, 1)
            """)
        #expect(r.status == .ok, "\(r.output)")
        // Errors.
        #expect(s.run("trainer(p, data, reward=\"fair\")").output.contains("reward must be \"correct\", \"balanced\""))
        #expect(s.run("fn one(a) { return 1 }\ntrainer(p, data, reward=one)").output.contains("must take (answer, label) or (answer, label, row)"))
        #expect(s.run("trainer(p, data, reward=[[0,1],[1,0]])").output.contains("cost matrix must be"))
        let bad = s.run("fn text(a, l) { return \"x\" }\nv = trainer(p, data, reward=text)\nstep(v, 1)")
        #expect(bad.status == .runtimeError)
        #expect(bad.output.contains("returned string, expected a finite number"), "\(bad.output)")
    }
}

@Suite("Live prompts: shares, gradient mass, dead-group warnings")
struct LiveSignalTests {
    @Test("live share and gradient share on a constructed batch, by hand")
    func constructed() {
        let rewards: [[Double]] = [[1, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 0, 0]]
        let a = Advantage.grpo(rewards)
        // Prompt 0: mean 1/4, sample std 1/2: |A| = (1.5, .5, .5, .5)/(1/2+ε)·(1/2) → Σ|A| ≈ 6·(1/2)/(1/2) = 6? No: |r − m| = (3/4, 1/4, 1/4, 1/4), Σ = 3/2, over std 1/2 → 3.
        // Prompt 3: mean 1/2, std √(1/3): Σ|r − m| = 2 → 2√3 ≈ 3.4641. Prompts 1, 2: 0.
        let total = 3 + 2 * 3.0.squareRoot()
        let shares = LiveSignal.measure(rewards: rewards, advantages: a, members: [[0, 1], [2, 3], [0, 1, 2, 3]])
        #expect(shares.map(\.live) == [1, 1, 2])
        expectNear(shares.map(\.share), [0.5, 0.5, 0.5], tolerance: 0, "live share")
        expectNear(shares.map(\.gradientShare), [3 / total, 2 * 3.0.squareRoot() / total, 1], tolerance: 1e-5, "gradient share")
        // REINFORCE++ gives dead prompts advantage too: the live prompts carry less than all of it.
        let rpp = Advantage.reinforcePlusPlus(rewards)
        let all = LiveSignal.measure(rewards: rewards, advantages: rpp, members: [[0, 1, 2, 3]])[0]
        let mass = { (qs: [Int]) in qs.reduce(0.0) { $0 + rpp[$1].reduce(0) { $0 + abs($1) } } }
        expectNear(all.gradientShare, mass([0, 3]) / mass([0, 1, 2, 3]), tolerance: 1e-12, "reinforce++")
        #expect(all.gradientShare < 1)
        // One rollout per prompt: nothing to compare, every prompt counts as live; no gradient at all → share 0.
        let single = LiveSignal.measure(rewards: [[1], [0]], advantages: [[0], [0]], members: [[0, 1]])[0]
        #expect(single.live == 2 && single.gradientShare == 0)
    }

    @Test("the step log and the group logs agree with the trace")
    func logsAgreeWithTrace() throws {
        let data = try demoData(n: 400)
        let t = try makeTrainer(data, method: .fairgrpo) { $0.batchSize = 64 }
        for _ in 0..<3 { try t.step() }
        let log = try #require(t.history.last)
        let trace = t.lastTrace
        var byPrompt: [String: [Double]] = [:]
        for r in trace { byPrompt[r.promptID + r.domain, default: []].append(r.reward) }
        let live = Dictionary(grouping: trace, by: \.promptID).values.filter { rows in rows.contains { $0.reward != rows[0].reward } }.count
        expectNear(log.liveShare, Double(live) / 64, tolerance: 1e-12, "live share")
        expectNear(log.liveShare, 1 - log.fracRewardZeroStd, tolerance: 1e-12, "1 − zero-std share")
        #expect(log.kept == Double(live) && log.drawn == 64 && log.dropped == 0)
        #expect(log.liveDrawnShare == log.liveShare)
        expectNear(log.liveGradientShare, 1, tolerance: 1e-12, "FairGRPO: dead prompts have zero advantage")
        let groups = try #require(t.groupHistory.last)
        expectNear(groups.map(\.liveGradientShare).reduce(0, +), log.liveGradientShare, tolerance: 1e-9, "Σ over groups")
        for g in groups { expectNear(g.liveShare, Double(g.livePrompts) / Double(g.batchPrompts), tolerance: 1e-15, g.group) }
        #expect(groups.map(\.livePrompts).reduce(0, +) == live)
    }

    @Test("a group with no live prompt for K steps is warned about at step K, once, and again after it recovers")
    func deadGroupWarning() throws {
        let data = try separableDataset(n: 48, seed: 5)
        let t = try wholeBatchTrainer(data) { $0.deadStepWarning = 3 }
        t.reward = { _, _, _ in 1 }  // every rollout agrees
        try t.step(); #expect(t.lastDeadGroups.isEmpty)
        try t.step(); #expect(t.lastDeadGroups.isEmpty)
        try t.step()
        // Two domains × two sexes, all in every batch.
        #expect(t.lastDeadGroups.count == 4, "\(t.lastDeadGroups)")
        #expect(t.lastDeadGroups.allSatisfy { $0.hasPrefix("site_") })
        #expect(t.lastDeadGroups.contains("site_a/F"))
        #expect(t.groupHistory.last!.allSatisfy { $0.deadSteps == 3 })
        try t.step(); #expect(t.lastDeadGroups.isEmpty)  // once per dead spell
        #expect(t.groupHistory.last!.allSatisfy { $0.deadSteps == 4 })
        // Live again (the correctness reward, an untrained policy): counts reset and warnings re-arm.
        t.reward = nil
        try t.step()
        let recovered = t.groupHistory.last!.filter { $0.livePrompts > 0 }
        #expect(!recovered.isEmpty && recovered.allSatisfy { $0.deadSteps == 0 })
        t.reward = { _, _, _ in 0 }
        try t.step(); try t.step(); #expect(t.lastDeadGroups.count == 4 - recovered.count)
        try t.step(); #expect(t.lastDeadGroups.count == recovered.count)
        // Every method loses the signal alike: GRPO reports the same groups; dead_steps = 0 never reports.
        let g = try wholeBatchTrainer(data, method: .grpo) { $0.deadStepWarning = 2 }
        g.reward = { _, _, _ in 1 }
        try g.step(); #expect(g.lastDeadGroups.isEmpty)
        try g.step()
        #expect(g.lastDeadGroups.count == 4 && g.groupHistory.last!.allSatisfy { $0.deadSteps == 2 })
        let quiet = try wholeBatchTrainer(data) { $0.deadStepWarning = 0 }
        quiet.reward = { _, _, _ in 1 }
        for _ in 0..<5 { try quiet.step(); #expect(quiet.lastDeadGroups.isEmpty) }
    }

    @Test("step() collects dead groups into one warning line at the end of the call; weights(t) and history(t) show the live columns")
    func builtins() throws {
        let s = Transcript()
        let r = s.run("""
            data = demo(n=300)
            p = policy(data, hidden=[8])
            fn same(answer, label) { return 1 }
            t = trainer(p, data, G=4, batch=300, reward=same, dead_steps=2)
            step(t, 3)
            """)
        #expect(r.status == .ok, "\(r.output)")
        let lines = logicalLines(r.output)
        let warnings = lines.filter { $0.hasPrefix("warning: ") }
        // One line for the call, after the log lines, naming how many groups, the first few and where to look.
        #expect(warnings.count == 1, "\(lines)")
        #expect(lines.last?.hasPrefix("warning: ") == true && lines.dropLast().last?.hasPrefix("step    3") == true, "\(lines)")
        let w0 = try #require(warnings.first)
        #expect(w0.contains("groups have had no live prompt for 2 steps") && w0.hasSuffix("; see weights(t) (live%, dead steps)"), "\(w0)")
        #expect(lines[0].contains("| live 0% (grad 0%)"), "\(lines[0])")
        // The same groups are not reported again while they stay dead; the call returns the last step's metrics.
        let again = s.run("m = step(t, 2)\nprint(m.step, m.reward, m.live)")
        #expect(!again.output.contains("warning"), "\(again.output)")
        #expect(again.output.hasSuffix("5 1 0\n"), "\(again.output)")
        // GRPO loses the signal the same way and says so; options(warnings=false) silences it.
        let g = s.run("""
            g = trainer(policy(data, hidden=[8]), data, method="grpo", G=4, batch=300, reward=same, dead_steps=2)
            step(g, 2)
            """)
        #expect(g.output.contains("warning: g: "), "\(g.output)")
        #expect(g.output.contains("g: step    2 |"), "lines are labelled once two trainers are stepped: \(g.output)")
        let quiet = s.run("""
            options(warnings=false)
            h = trainer(policy(data, hidden=[8]), data, method="grpo", G=4, batch=300, reward=same, dead_steps=2)
            step(h, 2)
            """)
        #expect(!quiet.output.contains("warning"), "\(quiet.output)")
        let w = s.run("print(weights(t).columns)").output
        for column in ["live_share", "live_grad_share", "dead_steps"] { #expect(w.contains("\"\(column)\"")) }
        let h = s.run("h = history(t)\nprint(h[\"live\"])\nprint(history(t, groups=true).columns)").output
        #expect(numbers(String(h.split(separator: "\n")[0])) == [0, 0, 0, 0, 0])
        #expect(h.contains("\"dead_steps\""))
    }
}

@Suite("Keeping learning alive: dynamic sampling, entropy bonus, checkpoints")
struct KeepingAliveTests {
    @Test("dynamic sampling fills the batch with live prompts when it can")
    func fillsWithLive() throws {
        let data = try separableDataset(n: 400, seed: 6)
        // Even rows: every rollout earns 1 (dead); odd rows: correctness (live unless all G agree).
        let t = try makeTrainer(data, method: .grpo, hidden: [4]) { $0.batchSize = 16; $0.dynamicSampling = true; $0.maxResample = 8 }
        t.reward = { answer, label, row in row % 2 == 0 ? 1 : (answer == label ? 1 : 0) }
        let cursor = t.cursor
        try t.step()
        let log = try #require(t.history.last)
        #expect(log.kept == 16 && log.liveShare == 1)
        #expect(log.drawn >= 32 && Int(log.drawn) % 16 == 0 && log.dropped == log.drawn - 16)
        // Every live prompt drawn counts, kept or not; about half the draws are even (dead) rows.
        #expect(log.liveDrawnShare * log.drawn >= 16 && log.liveDrawnShare < 0.75)
        #expect(t.cursor == cursor + Int(log.drawn) - 0 || t.epoch > 1)
        let prompts = Dictionary(grouping: t.lastTrace, by: \.promptID)
        #expect(prompts.count == 16)
        for (id, rows) in prompts {
            #expect(Int(id.split(separator: "-").last!)! % 2 == 1, "dead row \(id) kept")
            #expect(rows.contains { $0.reward != rows[0].reward })
        }
        // The first live prompts in draw order: the trainer drew no more batches than it needed.
        #expect(log.drawn <= 16 * 9)
    }

    @Test("dynamic sampling stops at max_resample extra batches and fills the batch with dead prompts")
    func respectsCap() throws {
        let data = try separableDataset(n: 400, seed: 6)
        for cap in [0, 2] {
            let t = try makeTrainer(data, method: .fairgrpo, hidden: [4]) { $0.batchSize = 16; $0.dynamicSampling = true; $0.maxResample = cap }
            t.reward = { _, _, _ in 1 }
            try t.step()
            let log = try #require(t.history.last)
            #expect(log.drawn == Double(16 * (cap + 1)) && log.kept == 0 && log.dropped == Double(16 * cap))
            #expect(log.liveDrawnShare == 0)
            #expect(t.cursor == 16 * (cap + 1))
            #expect(Set(t.lastTrace.map(\.promptID)).count == 16)
            #expect(t.lastTrace.allSatisfy { $0.advantage == 0 })
        }
        // Off: one batch, nothing dropped.
        let off = try makeTrainer(data, method: .grpo, hidden: [4]) { $0.batchSize = 16 }
        try off.step()
        #expect(off.history.last!.drawn == 16 && off.history.last!.dropped == 0)
    }

    @Test("the entropy bonus's gradient matches central finite differences")
    func entropyGradient() throws {
        // Logits: a 3×4 batch; T = 1.5.
        let values: [Float] = [0.3, -1.2, 2.0, 0.1, 1.5, 1.4, -0.3, 0.0, -2.0, 0.7, 0.2, 3.1]
        let temperature: Float = 1.5
        func entropy(_ z: [Double]) -> Double {
            var total = 0.0
            for i in 0..<3 {
                let row = (0..<4).map { z[i * 4 + $0] / Double(temperature) }
                let m = row.max()!
                let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
                total -= row.reduce(0) { $0 + exp($1 - lse) * ($1 - lse) }
            }
            return total / 3
        }
        let logits = try Tensor(shape: [3, 4], scalars: values).requiringGrad("z")
        let h = try EntropyBonus.meanEntropy(logits: logits, temperature: temperature)
        expectNear(Double(try h.item()), entropy(values.map(Double.init)), tolerance: 1e-6, "value")
        try h.backward()
        let grad = try #require(logits.grad).scalars
        let step = 1e-5
        for j in 0..<values.count {
            var plus = values.map(Double.init), minus = plus
            plus[j] += step; minus[j] -= step
            expectNear(Double(grad[j]), (entropy(plus) - entropy(minus)) / (2 * step), tolerance: 2e-6, "dH̄/dz[\(j)]")
        }
        // Through a policy's parameters (linear: z = xWᵀ + b), the loss term −coef·H̄ in Float, with larger steps.
        let policy = try Policy(inputs: 2, classes: 3, hidden: [], seed: 4)
        let x = try Tensor(shape: [5, 2], scalars: [0.5, -1, 1.2, 0.3, -0.7, 0.9, 2.0, -0.4, 0.1, 0.1])
        let coef: Float = 0.3
        let loss = { () throws -> Tensor in try EntropyBonus.meanEntropy(logits: try policy.logits(x), temperature: 1) * (-coef) }
        for p in policy.parameters { p.zeroGrad() }
        try loss().backward()
        for p in policy.parameters {
            let analytic = try #require(p.grad).scalars
            for j in 0..<p.value.count {
                var v = p.value.scalars
                let base = v[j]
                v[j] = base + 1e-2; p.value = try Tensor(shape: p.shape, scalars: v).requiringGrad(p.name)
                let up = Double(try Autodiff.withoutGradients { try loss().item() })
                v[j] = base - 1e-2; p.value = try Tensor(shape: p.shape, scalars: v).requiringGrad(p.name)
                let down = Double(try Autodiff.withoutGradients { try loss().item() })
                v[j] = base; p.value = try Tensor(shape: p.shape, scalars: v).requiringGrad(p.name)
                expectNear(Double(analytic[j]), (up - down) / 2e-2, tolerance: 2e-4, "\(p.name)[\(j)]")
            }
        }
    }

    @Test("a larger entropy bonus keeps the policy's entropy higher")
    func entropyKeepsDiversity() throws {
        let data = try separableDataset(n: 256, seed: 4)
        let run = { (coef: Double) throws -> Trainer in
            let t = try makeTrainer(data, method: .grpo, hidden: []) { $0.batchSize = 64; $0.numGenerations = 8; $0.learningRate = 0.05; $0.entropyCoef = coef }
            for _ in 0..<40 { try t.step() }
            return t
        }
        let entropies = try [0, 0.5, 2].map { try run($0).history.last!.entropy }
        #expect(entropies[0] < entropies[1] && entropies[1] < entropies[2], "\(entropies)")
    }

    @Test("save, load, continue = the uninterrupted run with every new option on", arguments: [TrainerConfig.Method.fairgrpo, .grpo])
    func resumeWithOptions(method: TrainerConfig.Method) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let data = try demoData(n: 600)
        let configure: (inout TrainerConfig) -> Void = {
            $0.batchSize = 64; $0.reward = .balanced; $0.dynamicSampling = true; $0.maxResample = 2
            $0.entropyCoef = 0.05; $0.temperature = 1.3; $0.deadStepWarning = 2; $0.scaleRewards = .batch
        }
        let straight = try makeTrainer(data, method: method, configure: configure)
        for _ in 0..<8 { try straight.step() }
        let first = try makeTrainer(data, method: method, configure: configure)
        for _ in 0..<4 { try first.step() }
        let path = dir.file("options.ckpt")
        try Checkpoint.save(first, to: path)
        let resumed = try Checkpoint.load(path)
        #expect(resumed.config.reward == .balanced && resumed.config.dynamicSampling && resumed.config.maxResample == 2)
        #expect(resumed.config.entropyCoef == 0.05 && resumed.config.temperature == 1.3 && resumed.config.deadStepWarning == 2)
        #expect(resumed.deadStreaks == first.deadStreaks && resumed.warnedGroups == first.warnedGroups)
        #expect(TrainerFingerprint(resumed) == TrainerFingerprint(first))
        for _ in 0..<4 { try resumed.step() }
        #expect(TrainerFingerprint(resumed) == TrainerFingerprint(straight))
        #expect(trajectoryHash(resumed) == trajectoryHash(straight))
        #expect(resumed.history.map(\.drawn) == straight.history.map(\.drawn))
        #expect(resumed.groupHistory.flatMap { $0 }.map(\.deadSteps) == straight.groupHistory.flatMap { $0 }.map(\.deadSteps))
        #expect(resumed.deadStreaks == straight.deadStreaks && resumed.warnedGroups == straight.warnedGroups)
        // A cost matrix round-trips too.
        let k = data.classNames.count
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for t in 0..<k { for p in 0..<k where p != t { matrix[t][p] = Double(1 + (t * 7 + p) % 4) } }
        let cost = try makeTrainer(data, method: method) { $0.reward = .cost(matrix) }
        try cost.step()
        try Checkpoint.save(cost, to: path)
        let loaded = try Checkpoint.load(path)
        #expect(loaded.config.reward == .cost(matrix))
        try cost.step(); try loaded.step()
        #expect(trajectoryHash(loaded) == trajectoryHash(cost))
    }

    @Test("the trainer's summary names the options that are on, and only those")
    func summary() throws {
        let s = Transcript()
        s.run("data = demo(n=200)\np = policy(data, hidden=[8])")
        let plain = s.run("print(trainer(p, data))").output
        #expect(!plain.contains("reward") && !plain.contains("dynamic"), "\(plain)")
        let on = s.run("print(trainer(p, data, reward=\"balanced\", dynamic_sampling=true, max_resample=5, entropy_coef=0.01, temperature=1.5))").output
        for part in ["reward balanced", "T 1.5", "dynamic sampling (max_resample 5)", "entropy_coef 0.01"] { #expect(on.contains(part), "\(on)") }
        #expect(s.run("trainer(p, data, max_resample=-1)").output.contains("max_resample must be"))
        #expect(s.run("trainer(p, data, entropy_coef=-1)").output.contains("entropy_coef must be"))
    }
}
