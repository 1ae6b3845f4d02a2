import Data
import Foundation
import NN
import RL
import Tensors
import Testing
import TestSupport

func demoData(n: Int, seed: UInt64 = 0) throws -> Dataset {
    var config = SynthConfig()
    config.n = n
    config.seed = seed
    return try Dataset.synthesize(config)
}

func makeTrainer(_ data: Dataset, method: TrainerConfig.Method = .fairgrpo, seed: UInt64 = 0, hidden: [Int] = [16],
                 configure: (inout TrainerConfig) -> Void = { _ in }) throws -> Trainer {
    var c = TrainerConfig()
    c.method = method
    c.numGenerations = 4
    c.batchSize = 32
    c.learningRate = 1e-2
    c.seed = seed
    configure(&c)
    return try Trainer(policy: try Policy(inputs: data.featureCount, classes: data.classNames.count, hidden: hidden, seed: seed), data: data, config: c)
}

@Suite("Trainer: checkpoints, failures, determinism, learning")
struct TrainerTests {
    @Test("save after k steps, load, continue = the uninterrupted run, bit for bit", arguments: [TrainerConfig.Method.fairgrpo, .grpoDRO, .fairgrpoND])
    func resume(method: TrainerConfig.Method) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // 600 prompts, batch 128: the 7 steps cross an epoch boundary (a reshuffle after the
        // checkpoint); the demo's 5% missing demographics keep UNK prompts in play; β > 0 uses
        // the reference policy.
        let data = try demoData(n: 600)
        let configure: (inout TrainerConfig) -> Void = { $0.batchSize = 128; $0.beta = 0.05 }
        let straight = try makeTrainer(data, method: method, configure: configure)
        for _ in 0..<7 { try straight.step() }

        let first = try makeTrainer(data, method: method, configure: configure)
        for _ in 0..<3 { try first.step() }
        let path = dir.file("run.ckpt")
        try Checkpoint.save(first, to: path)
        let resumed = try Checkpoint.load(path)
        #expect(TrainerFingerprint(resumed) == TrainerFingerprint(first))
        for _ in 0..<4 { try resumed.step() }
        #expect(resumed.epoch >= 2)
        let a = TrainerFingerprint(straight), b = TrainerFingerprint(resumed)
        #expect(a.parameters == b.parameters)
        #expect(a.firstMoments == b.firstMoments && a.secondMoments == b.secondMoments && a.adamSteps == b.adamSteps)
        #expect(a.history == b.history)
        #expect(a.fair == b.fair)
        #expect(a == b)
        #expect(resumed.lastTrace.map(\.advantage) == straight.lastTrace.map(\.advantage))
        if method != .grpoDRO { #expect(!(a.fair.unknownHistory.isEmpty)) }
    }

    @Test("corrupt, truncated, foreign and missing checkpoint files are errors")
    func badCheckpoints() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let t = try makeTrainer(try demoData(n: 200))
        try t.step()
        let good = dir.file("good.ckpt")
        try Checkpoint.save(t, to: good)
        let bytes = try FileIO.read(good)
        func attempt(_ name: String, _ content: [UInt8]) -> String {
            let path = dir.file(name)
            try? FileIO.writeAtomically(content, to: path)
            do {
                _ = try Checkpoint.load(path)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        // A flipped byte in the payload: the checksum catches it.
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(attempt("flipped.ckpt", flipped).contains("checksum mismatch"))
        // Truncated at many points, including inside the header.
        for cut in [0, 3, 8, 11, 12, 16, 100, bytes.count / 3, bytes.count - 5, bytes.count - 1] {
            let message = attempt("cut\(cut).ckpt", Array(bytes.prefix(cut)))
            #expect(message != "loaded", "truncated at \(cut)")
            #expect(message.contains("not a fairgrpo checkpoint") || message.contains("checksum") || message.contains("version"), "\(cut): \(message)")
        }
        // Truncated bodies with a valid checksum appended (a writer that stopped early but
        // still sealed the file): the decoder reports what is missing instead of crashing.
        for cut in stride(from: 12, to: bytes.count - 4, by: max(1, (bytes.count - 16) / 40)) {
            var body = Array(bytes.prefix(cut))
            let crc = CRC32.checksum(body)
            withUnsafeBytes(of: crc.littleEndian) { body += $0 }
            let message = attempt("sealed\(cut).ckpt", body)
            #expect(message != "loaded", "sealed at \(cut)")
        }
        // Foreign files.
        #expect(attempt("text.ckpt", Array("step,reward\n1,0.5\n".utf8)).contains("not a fairgrpo checkpoint"))
        #expect(attempt("empty.ckpt", []).contains("not a fairgrpo checkpoint"))
        let params = ParameterFile.encode(t.policy.parameters.map { ($0.name, $0.value) })
        #expect(attempt("params.ckpt", params).contains("not a fairgrpo checkpoint"))
        // Another version.
        var future = bytes
        future[8] = 99
        #expect(attempt("future.ckpt", future).contains("version 99 is not supported"))
        // A file that is not there.
        #expect(throws: (any Error).self) { try Checkpoint.load(dir.file("missing.ckpt")) }
        // And the good one still loads.
        #expect(attempt("good-copy.ckpt", bytes) == "loaded")
    }

    @Test("a non-finite loss stops with a clear error and leaves the trainer at the last good step")
    func nonFiniteRewards() throws {
        // A reward function that returns 1e308 for correct answers from the third step on:
        // the prompt mean overflows (1e308 + 1e308 = inf), the advantages become NaN and so
        // does the loss.
        final class Counter: @unchecked Sendable { var calls = 0 }
        let counter = Counter()
        let data = try separableDataset(n: 256, seed: 2)
        let t = try makeTrainer(data, method: .grpo, hidden: [8]) { $0.batchSize = 64 }
        let perStep = 64 * 4
        t.reward = { answer, label, _ in
            counter.calls += 1
            let huge = counter.calls > 2 * perStep
            return answer == label ? (huge ? 1e308 : 1) : 0
        }
        try t.step()
        try t.step()
        let good = TrainerFingerprint(t)
        let trace = t.lastTrace.map(\.advantage)
        do {
            try t.step()
            Issue.record("the third step should have failed")
        } catch {
            let message = "\(error)"
            #expect(message.contains("step 3: the loss is nan"), "\(message)")
            #expect(message.contains("left at step 2"))
        }
        #expect(TrainerFingerprint(t) == good)
        #expect(t.stepCount == 2 && t.history.count == 2)
        #expect(t.lastTrace.map(\.advantage) == trace)
        // The same failure every time it is retried, and nothing drifts.
        #expect(throws: (any Error).self) { try t.step() }
        #expect(TrainerFingerprint(t) == good)
    }

    @Test("lr = 1e30: training stops at the first non-finite step, state of the step before it")
    func hugeLearningRate() throws {
        let data = try demoData(n: 300)
        let t = try makeTrainer(data, method: .fairgrpo) { $0.learningRate = 1e30 }
        var failure: String?
        for _ in 0..<10 {
            let before = TrainerFingerprint(t)
            do {
                try t.step()
            } catch {
                failure = "\(error)"
                #expect(TrainerFingerprint(t) == before)
                break
            }
        }
        let message = try #require(failure, "10 steps at lr 1e30 stayed finite")
        #expect(message.contains("training stopped and the trainer is left at step \(t.stepCount)"), "\(message)")
        #expect(message.contains("nan") || message.contains("inf") || message.contains("not finite"), "\(message)")
        #expect(t.policy.parameters.allSatisfy { $0.value.scalars.allSatisfy { $0.isFinite } })
    }

    @Test("an error after the update (the eval_every report) also undoes the step count and its logs")
    func failureAfterUpdate() throws {
        let data = try separableDataset(n: 128, seed: 1)
        let t = try makeTrainer(data, method: .fairgrpo, hidden: [4]) { $0.evalEvery = 2 }
        // Evaluation data the policy cannot read (23 features instead of 3).
        t.evalData = try demoData(n: 140)
        try t.step()
        let good = TrainerFingerprint(t)
        let trace = t.lastTrace.map(\.advantage)
        #expect(throws: (any Error).self) { try t.step() }
        #expect(TrainerFingerprint(t) == good)
        #expect(t.stepCount == 1 && t.history.count == 1 && t.groupHistory.count == 1 && t.evaluations.isEmpty)
        #expect(t.lastTrace.map(\.advantage) == trace)
        t.evalData = nil
        try t.step()
        #expect(t.stepCount == 2)
    }

    @Test("same seed, same run: traces and histories are identical; another seed differs")
    func determinism() throws {
        let data = try demoData(n: 400)
        let a = try makeTrainer(data, seed: 5), b = try makeTrainer(data, seed: 5), c = try makeTrainer(data, seed: 6)
        for _ in 0..<4 { try a.step(); try b.step(); try c.step() }
        let rows = { (t: Trainer) in t.lastTrace.map { "\($0.step) \($0.promptID) \($0.group) \($0.answer) \($0.reward) \($0.grpoAdvantage) \($0.factor) \($0.advantage)" } }
        #expect(rows(a) == rows(b))
        #expect(TrainerFingerprint(a) == TrainerFingerprint(b))
        #expect(rows(a) != rows(c))
    }

    @Test("GRPO learns a linearly separable two-class problem: mean reward above 0.95")
    func learnsSeparable() throws {
        let data = try separableDataset(n: 512, seed: 4)
        let t = try makeTrainer(data, method: .grpo, hidden: []) {
            $0.batchSize = 64
            $0.numGenerations = 8
            $0.learningRate = 0.1
        }
        let start = try t.step().reward
        for _ in 0..<149 { try t.step() }
        let last = t.history.suffix(10).map(\.reward)
        let mean = last.reduce(0, +) / Double(last.count)
        #expect(start < 0.8)
        #expect(mean > 0.95, "mean reward of the last 10 steps: \(mean)")
        let predictions = try t.policy.predict(data.features)
        let accuracy = Double(zip(predictions, data.labels).filter { $0 == $1 }.count) / Double(data.count)
        #expect(accuracy > 0.97)
    }
}
