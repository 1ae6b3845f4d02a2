import Data
import RL
import Testing

/// FNV-1a over the bit patterns of a run's numbers: the policy parameters,
/// every rollout of the last step (answer, reward, advantages) and the
/// history (wall time excepted). Any change in the arithmetic changes it.
func trajectoryHash(_ t: Trainer) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    func mix(_ x: UInt64) { for i in 0..<8 { h ^= (x >> (8 * UInt64(i))) & 0xff; h = h &* 0x100000001b3 } }
    for p in t.policy.parameters { for v in p.value.scalars { mix(UInt64(v.bitPattern)) } }
    for r in t.lastTrace {
        for c in r.answer.utf8 { mix(UInt64(c)) }
        mix(r.reward.bitPattern); mix(r.grpoAdvantage.bitPattern); mix(r.advantage.bitPattern)
        mix(r.factor.isNaN ? 0 : r.factor.bitPattern)
    }
    // The columns the trainer logged before the rare-positive diagnostics existed.
    for log in t.history {
        for v in [Double(log.step), log.reward, log.rewardStd, log.fracRewardZeroStd, log.kl, log.clipRatio, log.entropy, log.gradNorm, log.loss] {
            mix(v.bitPattern)
        }
    }
    return h
}

@Suite("Default options reproduce the reference trajectory bit for bit")
struct ReferenceTrajectoryTests {
    /// Hashes recorded with the trainer as it was before reward options,
    /// dynamic sampling and the entropy bonus were added: with those options
    /// at their defaults, every method must still follow the same trajectory.
    static let recorded: [TrainerConfig.Method: UInt64] = [
        .grpo: 16246814472912505413, .fairgrpo: 17180858624884667952, .fairgrpoND: 7098308262638840730,
        .reinforcePlusPlus: 8645854122601323152, .grpoDRO: 379179972562138687, .grpoRS: 17520440019487212855,
        .rloo: 6215690527629942963,
    ]

    @Test("5 steps of each method on demo data hash to the recorded values",
          arguments: [TrainerConfig.Method.grpo, .fairgrpo, .fairgrpoND, .reinforcePlusPlus, .grpoDRO, .grpoRS, .rloo])
    func unchanged(method: TrainerConfig.Method) throws {
        let data = try demoData(n: 400)
        let t = try makeTrainer(data, method: method, seed: 3) { $0.beta = 0.04; $0.numIterations = 2 }
        for _ in 0..<5 { try t.step() }
        let h = trajectoryHash(t)
        #expect(Self.recorded[method] == h, "\(method.rawValue): \(h)")
    }
}
