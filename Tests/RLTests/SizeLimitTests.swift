import Data
import Foundation
import NN
@testable import RL
import Tensors
import Testing
import TestSupport

/// Sizes a script or a file decides are checked before anything that size
/// is allocated: a label with 100,000 classes, a policy of 2^40 weights, a
/// checkpoint whose header claims layers larger than the file.
@Suite("Sizes checked before allocating")
struct SizeLimitTests {
    func manyClasses(_ k: Int) throws -> Dataset {
        try makeDataset(features: (0..<k).map { [Float($0), 1] }, labels: Array(0..<k), classes: (0..<k).map { "c\($0)" },
                        sex: [Int](repeating: 0, count: k), domains: [Int](repeating: 0, count: k), domainNames: ["d"])
    }

    @Test("a label with more classes than the limit is a clear error from trainer()",
          arguments: [Dataset.maximumClasses + 1, 100_000])
    func tooManyClasses(k: Int) throws {
        let data = try manyClasses(k)
        let policy = try Policy(inputs: 2, classes: k, hidden: [], seed: 0)
        let start = Date()
        let error = #expect(throws: RLError.self) { _ = try Trainer(policy: policy, data: data, config: TrainerConfig()) }
        #expect(error?.description == "the label has \(k) classes; at most \(Dataset.maximumClasses) are supported (is the label column an id or a continuous value?)")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("the limit itself is accepted, for every reward option", arguments: ["correct", "balanced"])
    func classesAtTheLimit(reward: String) throws {
        let k = Dataset.maximumClasses
        var config = TrainerConfig()
        config.reward = reward == "balanced" ? .balanced : .correct
        let t = try Trainer(policy: try Policy(inputs: 2, classes: k, hidden: [], seed: 0), data: try manyClasses(k), config: config)
        #expect(t.rewardTable.count == k)
    }

    @Test("G × batch beyond the limit is a clear error from trainer(), not a failed allocation in step()",
          arguments: [(1_000_000_000, 4), (2, 1_000_000_000_000), (Int.max / 2, 3), (1 << 11, 1 << 11 + 1)])
    func tooManyRollouts(g: Int, batch: Int) throws {
        var config = TrainerConfig()
        config.numGenerations = g
        config.batchSize = batch
        let data = try separableDataset(n: 20, seed: 1)
        let error = #expect(throws: RLError.self) {
            _ = try Trainer(policy: try Policy(inputs: 3, classes: 2, hidden: [], seed: 0), data: data, config: config)
        }
        #expect(error?.description.hasSuffix("rollouts per step; at most \(Trainer.maximumRolloutsPerStep) are supported") == true)
    }

    @Test("a policy too large to hold is refused before it is allocated",
          arguments: [(1 << 20, 1 << 20, [Int]()), (10, 2, [1 << 30]), (Int.max / 2, 4, [Int]()), (3, 2, [Int.max, Int.max])])
    func policyTooLarge(inputs: Int, classes: Int, hidden: [Int]) {
        #expect(throws: RLError.self) { _ = try Policy(inputs: inputs, classes: classes, hidden: hidden, seed: 0) }
    }

    @Test("parameter counts: exact, and nil on overflow")
    func parameterCounts() {
        #expect(Policy.parameterCount(inputs: 3, classes: 2, hidden: [4]) == 3 * 4 + 4 + 4 * 2 + 2)
        #expect(Policy.parameterCount(inputs: Int.max, classes: 2, hidden: []) == nil)
        #expect(Policy.parameterCount(inputs: 2, classes: 3, hidden: [Int.max / 2, 3]) == nil)
    }

    /// A checkpoint with a valid checksum whose policy header claims `inputs`
    /// × `classes` with `hidden` layers, followed by `extra` bytes.
    func forgedCheckpoint(inputs: UInt32, classes: UInt32, hidden: [UInt32], extra: Int) throws -> [UInt8] {
        let data = try separableDataset(n: 8, seed: 1)
        var w = BinaryWriter()
        w.writeBytes(Checkpoint.magic)
        w.write(Checkpoint.version)
        Checkpoint.encode(data, &w)
        TrainerConfig().encodeOptions(&w)
        w.write(false)
        w.write(inputs); w.write(classes)
        w.write(UInt32(hidden.count)); for h in hidden { w.write(h) }
        w.write("relu")
        w.writeBytes([UInt8](repeating: 0, count: extra))
        w.write(CRC32.checksum(w.bytes))
        return w.bytes
    }

    @Test("a checkpoint whose layers do not fit in the file fails at once, without allocating them",
          arguments: [(UInt32(3), UInt32(1 << 31), [UInt32]()), (3, 2, [UInt32.max]), (UInt32.max, UInt32.max, [UInt32.max, UInt32.max]), (3, 2, [1 << 20])])
    func forgedPolicyHeader(inputs: UInt32, classes: UInt32, hidden: [UInt32]) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.path + "/forged.ckpt"
        try FileIO.writeAtomically(try forgedCheckpoint(inputs: inputs, classes: classes, hidden: hidden, extra: 1000), to: path)
        let start = Date()
        let error = #expect(throws: Checkpoint.LoadError.self) { _ = try Checkpoint.load(path) }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect("\(error.map { "\($0)" } ?? "")".contains("does not fit in the file"), "\(String(describing: error))")
    }

    @Test("checkpoints and parameter files are read from regular files only", arguments: ["/dev/zero", "/dev/urandom"])
    func devicesAreNotCheckpoints(path: String) throws {
        let start = Date()
        #expect(throws: FileError(path: path, reason: "is not a regular file (a character device); only files can be read here")) {
            _ = try Checkpoint.load(path)
        }
        var rng = SeededGenerator(seed: 0)
        let layer = Linear(2, 2, using: &rng)
        #expect(throws: FileError.self) { try ParameterFile.load(layer, from: path) }
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
