import Data
import Foundation
import Lang
import Notebook
import RL
import Tensors
import Testing
import TestSupport

/// A trainer's rollouts written out as a real run would record them (a verl
/// rollout dump, TRL's completions table), loaded back and replayed: the
/// replay must compute the trainer's advantages and weights.
@Suite("Replaying recorded rollouts")
struct ReplayTests {
    /// The demo string the FairGRPO authors' data carries for a group key.
    static func demoString(_ group: String) -> String {
        guard group != "UNK" else { return "" }
        var parts: [String] = []
        for part in group.split(separator: ",") {
            switch part {
            case "M": parts.append("sex: Male")
            case "F": parts.append("sex: Female")
            case "A1": parts.append("age: 20")
            case "A2": parts.append("age: 40")
            case "A3": parts.append("age: 68")
            case "A4": parts.append("age: 81")
            default: parts.append("sex: \(part)")
            }
        }
        return parts.joined(separator: ", ")
    }

    static func json(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// Trains `steps` steps, keeping every step's trace.
    static func record(method: String, steps: Int, mask: Double) throws -> (Trainer, [[TraceRow]]) {
        var config = SynthConfig()
        config.n = 3000
        config.missing = 0
        var data = try Dataset.synthesize(config)
        if mask > 0 { data = try data.masked(attribute: "sex", fraction: mask, seed: 4) }
        let policy = try Policy(inputs: data.featureCount, classes: data.classNames.count, hidden: [16], seed: 1)
        var c = TrainerConfig()
        c.method = TrainerConfig.Method(rawValue: method)!
        c.batchSize = 32
        c.numGenerations = 6
        c.learningRate = 0.01
        c.seed = 2
        let t = try Trainer(policy: policy, data: data, config: c)
        var traces: [[TraceRow]] = []
        for _ in 0..<steps {
            try t.step()
            traces.append(t.lastTrace)
        }
        return (t, traces)
    }

    static func writeVerl(_ traces: [[TraceRow]], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for trace in traces {
            var text = ""
            for r in trace {
                text += "{\"input\": \(json("Case " + r.promptID + ": what is the diagnosis?")), \"output\": \(json("The answer is \\boxed{" + r.answer + "}")), "
                    + "\"score\": \(r.reward), \"step\": \(r.step), \"data_source\": \(json(r.domain)), \"demo\": \(json(demoString(r.group)))}\n"
            }
            try text.write(toFile: directory + "/\(trace[0].step).jsonl", atomically: true, encoding: .utf8)
        }
    }

    static func writeTRL(_ traces: [[TraceRow]], to path: String) throws {
        var text = ""
        for trace in traces {
            for r in trace {
                // Conversational prompts are lists of messages; the step is logged as a string.
                text += "{\"step\": \"\(r.step)\", \"prompt\": [{\"role\": \"user\", \"content\": \(json(r.promptID))}], \"completion\": \(json(r.answer)), "
                    + "\"accuracy\": \(r.reward), \"advantage\": \(r.advantage), \"domain\": \(json(r.domain)), \"demo\": \(json(demoString(r.group)))}\n"
            }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "fairgrpo-replay-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Replays `rollouts` and compares every step's advantages and group terms with the trainer's.
    static func compare(_ trainer: Trainer, _ traces: [[TraceRow]], _ rollouts: Rollouts, method: String) throws {
        var c = TrainerConfig()
        c.method = TrainerConfig.Method(rawValue: method)!
        c.seed = 2
        let replay = try Replay(rollouts: rollouts, config: c)
        try replay.run()
        #expect(replay.history.count == traces.count)
        for (k, trace) in traces.enumerated() {
            let replayed = try replay.trace(step: k + 1)
            #expect(replayed.count == trace.count)
            expectNear(replayed.map(\.advantage), trace.map(\.advantage), tolerance: 1e-6, "step \(k + 1) advantages")
            expectNear(replayed.map(\.reward), trace.map(\.reward), tolerance: 0, "step \(k + 1) rewards")
            if method.hasPrefix("fairgrpo") {
                expectNear(replayed.map(\.factor), trace.map(\.factor), tolerance: 1e-6, "step \(k + 1) factors")
                #expect(replayed.map(\.group) == trace.map(\.group), "step \(k + 1) groups (and cluster labels)")
            }
            let mine = try replay.weights(step: k + 1), theirs = trainer.groupHistory[k]
            let key = { (l: GroupLog) in l.domain + "/" + l.group }
            #expect(mine.map(key).sorted() == theirs.map(key).sorted())
            let byKey = Dictionary(uniqueKeysWithValues: theirs.map { (key($0), $0) })
            for l in mine {
                guard let t = byKey[key(l)] else { continue }
                let a = [l.nDomain, l.muDomain, l.tDomain, l.nGroup, l.muGroup, l.factor, l.weight, l.meanAbsAdvantage, l.gradientShare,
                         l.liveShare, l.liveGradientShare, Double(l.livePrompts), Double(l.deadSteps), Double(l.batchPrompts)]
                let b = [t.nDomain, t.muDomain, t.tDomain, t.nGroup, t.muGroup, t.factor, t.weight, t.meanAbsAdvantage, t.gradientShare,
                         t.liveShare, t.liveGradientShare, Double(t.livePrompts), Double(t.deadSteps), Double(t.batchPrompts)]
                expectNear(a, b, tolerance: 1e-6, "step \(k + 1) \(key(l))")
            }
            let h = replay.history[k], th = trainer.history[k]
            expectNear([h.reward, h.rewardStd, h.fracRewardZeroStd, h.liveShare, h.liveGradientShare],
                       [th.reward, th.rewardStd, th.fracRewardZeroStd, th.liveShare, th.liveGradientShare], tolerance: 1e-12, "step \(k + 1) log")
        }
        if method.hasPrefix("fairgrpo") {
            #expect(replay.clusterHistory.map(\.clusters) == trainer.clusterHistory.map(\.clusters))
        }
    }

    @Test("a FairGRPO run written as a verl dump replays to the trainer's weights and advantages", arguments: ["fairgrpo", "fairgrpo_nd"])
    func verlRoundTrip(method: String) throws {
        let (trainer, traces) = try ReplayTests.record(method: method, steps: 12, mask: method == "fairgrpo" ? 0.3 : 0)
        let directory = ReplayTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ReplayTests.writeVerl(traces, to: directory)
        let rollouts = try Rollouts.load(path: directory, fields: RolloutFields(format: .verl))
        #expect(rollouts.steps.count == 12)
        #expect(rollouts.ragged.isEmpty)
        #expect(rollouts.steps[0].prompts.count == 32)
        try ReplayTests.compare(trainer, traces, rollouts, method: method)
    }

    @Test("a run written as TRL completions replays to the trainer's numbers, and its logged advantages match", arguments: ["fairgrpo", "grpo", "rloo", "reinforce++"])
    func trlRoundTrip(method: String) throws {
        let (trainer, traces) = try ReplayTests.record(method: method, steps: 8, mask: 0.2)
        let directory = ReplayTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ReplayTests.writeTRL(traces, to: directory + "/completions.jsonl")
        let rollouts = try Rollouts.load(path: directory + "/completions.jsonl", fields: RolloutFields(format: .trl))
        #expect(rollouts.notes == ["reward = accuracy"])
        let logged = rollouts.steps.flatMap { $0.prompts.flatMap { $0.advantages ?? [] } }
        expectNear(logged, traces.flatMap { $0.map(\.advantage) }, tolerance: 1e-12, "logged advantages")
        try ReplayTests.compare(trainer, traces, rollouts, method: method)
    }

    @Test("a million rollouts (1,000 steps × 128 prompts × G 8) replay through FairGRPO in under 10 s in a release build")
    func speed() throws {
        var rng = SeededGenerator(seed: 9)
        let groups = ["M,A1", "M,A2", "M,A3", "M,A4", "F,A1", "F,A2", "F,A3", "F,A4"]
        var steps: [Rollouts.Step] = []
        for s in 0..<1000 {
            var prompts: [Rollouts.Prompt] = []
            for q in 0..<128 {
                let p = 0.2 + 0.6 * Double(q % 8) / 8
                prompts.append(Rollouts.Prompt(prompt: "p\(s)-\(q)", domain: q % 3 == 0 ? "a" : "b", group: groups[(q * 7 + s) % 8],
                                               rewards: (0..<8).map { _ in rng.nextUnitDouble() < p ? 1 : 0 }))
            }
            steps.append(Rollouts.Step(step: s + 1, prompts: prompts))
        }
        let rollouts = Rollouts(steps: steps, source: "synthetic")
        #expect(rollouts.rolloutCount == 1_024_000)
        let start = monotonicSeconds()
        let replay = try Replay(rollouts: rollouts, config: TrainerConfig())
        try replay.run()
        let seconds = monotonicSeconds() - start
        #expect(replay.history.count == 1000)
        #if DEBUG
        // Debug builds are several times slower; the bound is for release builds (scripts/bench/replay_bench.sh).
        #expect(seconds < 120, "replay took \(seconds) s")
        #else
        #expect(seconds < 10, "replay took \(seconds) s")
        #endif
    }

    @Test("replay's views through a session: weights(r, step=), history(r, groups=true), trace(r, step=), clusters(r), plots")
    func views() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DataTests/Fixtures/interop").path
        let s = Transcript()
        let (status, out) = s.run("""
            r = load_rollouts("\(fixtures)/verl")
            p = replay(r, method="fairgrpo")
            print(p)
            w = weights(p, step=1)
            print(len(w.rows))
            print(history(p, groups=true)["factor"])
            print(len(trace(p, step=2).rows))
            print(history(p)["reward"])
            print(len(history(p, groups=true).rows))
            print(clusters(p))
            """)
        #expect(status == .ok, "\(out)")
        #expect(out.contains("replay: fairgrpo · 2 of 2 steps · 32 rollouts"))
        // Step 1: every cell has one prompt: chexpert N_d = 2, μ_d = 0.5 → T_d = √2·0.5; F,A1 and M,A3 μ_g = 0.5 → factor = T_d·0.5.
        #expect(out.contains("0.35355339"))
        #expect(out.contains("16\n"))
        #expect(out.contains("[0.5625, 0.25]"))
        #expect(out.contains("8\n"))
        #expect(out.contains("UNK#0"))
        let failed = s.run("weights(p, step=7)")
        #expect(failed.status != .ok)
        #expect(failed.output.contains("no step 7; steps run from 1 to 2"), "\(failed.output)")
    }
}
