import Data
import RL
import Tensors
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
    /// The bits depend on OpenBLAS's kernels (the generic Prescott ones sum in
    /// another order than the AVX2 and AVX-512 ones), so there is one set per
    /// core family; scripts/test runs the suite under Prescott and SkylakeX.
    static let recorded: [String: [TrainerConfig.Method: UInt64]] = [
        "avx512": [
            .grpo: 16246814472912505413, .fairgrpo: 17180858624884667952, .fairgrpoND: 7098308262638840730,
            .reinforcePlusPlus: 8645854122601323152, .grpoDRO: 379179972562138687, .grpoRS: 17520440019487212855,
            .rloo: 6215690527629942963,
        ],
        "Haswell": [
            .grpo: 10875834315502476789, .fairgrpo: 1743636249678648108, .fairgrpoND: 8322880115182206002,
            .reinforcePlusPlus: 2012045585126541069, .grpoDRO: 5867086454871398140, .grpoRS: 4990325377343020580,
            .rloo: 8783689276826907051,
        ],
        "Prescott": [
            .grpo: 4206939853073579624, .fairgrpo: 14260582743020486401, .fairgrpoND: 13499675963136041039,
            .reinforcePlusPlus: 5664415920250261002, .grpoDRO: 6843410283292272617, .grpoRS: 11706599820814054703,
            .rloo: 17800535222329145597,
        ],
    ]

    /// The recorded set for the core OpenBLAS loaded, if there is one.
    static var forThisCore: [TrainerConfig.Method: UInt64]? {
        let core = BLAS.coreName
        return recorded[core == "SkylakeX" || core == "Cooperlake" ? "avx512" : core]
    }

    @Test("5 steps of each method on demo data hash to the recorded values",
          .enabled(if: forThisCore != nil, "no hashes recorded for this OpenBLAS core"),
          arguments: [TrainerConfig.Method.grpo, .fairgrpo, .fairgrpoND, .reinforcePlusPlus, .grpoDRO, .grpoRS, .rloo])
    func unchanged(method: TrainerConfig.Method) throws {
        let data = try demoData(n: 400)
        let t = try makeTrainer(data, method: method, seed: 3) { $0.beta = 0.04; $0.numIterations = 2 }
        for _ in 0..<5 { try t.step() }
        let h = trajectoryHash(t)
        #expect(Self.forThisCore?[method] == h, "\(method.rawValue) on \(BLAS.coreName): \(h)")
    }
}
