import Data
import Foundation
@testable import RL
import Tensors
import Testing
import TestSupport

/// Checkpoints written by earlier builds, kept as files (Tests/RLTests/Fixtures):
/// every format version the project has had must still load, hold what was
/// saved, and continue bit for bit. They were written from these runs, two
/// steps each, on the demo data (300 rows, seed 4; "masked" hides half the
/// sexes with seed 2), with makeTrainer's G 4, lr 0.01 and hidden [8]:
///
/// - v1-fairgrpo-ema-clip (format 1): fairgrpo, masked, seed 5, batch 64,
///   weight_clip 3, statistics ema 0.9, epsilon_high 0.28.
/// - v2-fairgrpo-clustering (format 2): fairgrpo, masked, seed 6, batch 64,
///   clustering on features, silhouette, kmax 4, recluster_every 2.
/// - v3-fairgrpo-rare-options (format 3): fairgrpo, masked, seed 7, batch 64,
///   a 3×3 cost matrix, dynamic sampling (max_resample 2), entropy_coef 0.05,
///   temperature 1.3, dead_steps 1, scale_rewards batch, recluster_every 3.
/// - v3-grpo-dro (format 3): grpo_dro, unmasked, seed 8, batch 64, beta 0.04,
///   num_iterations 2, dro_eta 0.05, adamw with weight decay 0.01.
@Suite("Checkpoint fixtures of every format version load and resume bit for bit")
struct CheckpointFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let fixtures: [(name: String, version: UInt8)] = [
        ("v1-fairgrpo-ema-clip", 1), ("v2-fairgrpo-clustering", 2), ("v3-fairgrpo-rare-options", 3), ("v3-grpo-dro", 3),
    ]

    /// trajectoryHash after loading each fixture and taking three more steps,
    /// recorded with the build that wrote the fixtures, per OpenBLAS core family
    /// (as ReferenceTrajectoryTests: the bits depend on the BLAS kernels).
    static let resumed: [String: [String: UInt64]] = [
        "avx512": ["v1-fairgrpo-ema-clip": 11132498744532887291, "v2-fairgrpo-clustering": 16033153680705544656,
                   "v3-fairgrpo-rare-options": 12172648227166500311, "v3-grpo-dro": 17485560027494536091],
        "Haswell": ["v1-fairgrpo-ema-clip": 11939104612988650895, "v2-fairgrpo-clustering": 16596225411176986764,
                    "v3-fairgrpo-rare-options": 15568025418582893457, "v3-grpo-dro": 8081366206713997355],
        "Prescott": ["v1-fairgrpo-ema-clip": 3127451108163763111, "v2-fairgrpo-clustering": 17848091441625648530,
                     "v3-fairgrpo-rare-options": 17986755051905315858, "v3-grpo-dro": 11498848878469007300],
    ]

    static var forThisCore: [String: UInt64]? {
        let core = BLAS.coreName
        return resumed[core == "SkylakeX" || core == "Cooperlake" ? "avx512" : core]
    }

    static func path(_ name: String) -> String { directory + "/" + name + ".ckpt" }

    @Test("each fixture holds the version it was written with and the options it was run with")
    func contents() throws {
        for (name, version) in Self.fixtures {
            #expect(try FileIO.read(Self.path(name))[8] == version, "\(name)")
        }
        let v1 = try Checkpoint.load(Self.path("v1-fairgrpo-ema-clip")).config
        #expect(v1.method == .fairgrpo && v1.seed == 5 && v1.batchSize == 64 && v1.numGenerations == 4 && v1.learningRate == 0.01)
        #expect(v1.weightClip == 3 && v1.statistics == .ema(decay: 0.9) && v1.epsilonHigh == 0.28)
        // Everything added since takes its default.
        for old in [v1, try Checkpoint.load(Self.path("v2-fairgrpo-clustering")).config] {
            #expect(old.reward == .correct && !old.dynamicSampling && old.maxResample == 3 && old.entropyCoef == 0 && old.deadStepWarning == 20)
        }
        #expect(v1.clustering == ClusteringOptions())
        let v2 = try Checkpoint.load(Self.path("v2-fairgrpo-clustering"))
        #expect(v2.config.clustering == ClusteringOptions(space: .features, k: .silhouette, kmax: 4, reclusterEvery: 2))
        #expect(v2.config.statistics == .cumulative && v2.config.weightClip == nil && v2.clusterHistory.count == 2)
        #expect(v2.history.allSatisfy { $0.liveShare.isNaN && $0.drawn.isNaN })
        let v3 = try Checkpoint.load(Self.path("v3-fairgrpo-rare-options"))
        let c = v3.config
        guard case .cost(let m) = c.reward else { Issue.record("v3: reward \(c.reward)"); return }
        #expect(m.count == v3.data.classNames.count && m[0][1] == 2 && m[1][0] == 4 && m[1][1] == 0)
        #expect(c.dynamicSampling && c.maxResample == 2 && c.entropyCoef == 0.05 && c.temperature == 1.3 && c.deadStepWarning == 1)
        #expect(c.scaleRewards == .batch && c.clustering.reclusterEvery == 3 && c.seed == 7)
        #expect(v3.history.allSatisfy { !$0.liveShare.isNaN && !$0.drawn.isNaN } && v3.history.count == 2)
        let dro = try Checkpoint.load(Self.path("v3-grpo-dro"))
        #expect(dro.config.method == .grpoDRO && dro.config.beta == 0.04 && dro.config.numIterations == 2 && dro.config.droEta == 0.05)
        #expect(dro.config.optimizer == "adamw" && dro.config.weightDecay == 0.01 && dro.dro != nil)
        // v1 has no per-prompt rows, so the history before it is not scored against the truth.
        let plain = try Checkpoint.load(Self.path("v1-fairgrpo-ema-clip"))
        #expect(plain.clusterHistory.isEmpty && plain.fair.unknownRows.values.allSatisfy { $0.allSatisfy { $0 == -1 } })
    }

    @Test("three steps after loading each fixture hash as they did with the build that wrote them",
          .enabled(if: forThisCore != nil, "no hashes recorded for this OpenBLAS core"),
          arguments: fixtures.map(\.name))
    func resumesAsBefore(name: String) throws {
        let t = try Checkpoint.load(Self.path(name))
        for _ in 0..<3 { try t.step() }
        #expect(trajectoryHash(t) == Self.forThisCore?[name], "\(name) on \(BLAS.coreName): \(trajectoryHash(t))")
    }

    @Test("saved again in today's format, each fixture loads to the same state and continues identically", arguments: fixtures.map(\.name))
    func resaved(name: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let old = try Checkpoint.load(Self.path(name))
        try Checkpoint.save(old, to: dir.file("now.ckpt"))
        #expect(try FileIO.read(dir.file("now.ckpt"))[8] == UInt8(Checkpoint.version))
        let now = try Checkpoint.load(dir.file("now.ckpt"))
        expectSameState(now, old)
        #expect(now.config.summaryText == old.config.summaryText)
        #expect(now.deadStreaks == old.deadStreaks && now.warnedGroups == old.warnedGroups)
        for _ in 0..<3 { try old.step(); try now.step() }
        expectSameState(now, old)
        #expect(trajectoryHash(now) == trajectoryHash(old))
    }
}

/// TrainerFingerprint equality, with the logs compared by bit pattern so that
/// the NaN columns of the older formats' logs compare equal.
func expectSameState(_ a: Trainer, _ b: Trainer, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    var fa = TrainerFingerprint(a), fb = TrainerFingerprint(b)
    #expect(fa.history.map { $0.map(\.bitPattern) } == fb.history.map { $0.map(\.bitPattern) }, sourceLocation: sourceLocation)
    fa.history = []; fb.history = []
    #expect(fa.parameters == fb.parameters && fa.firstMoments == fb.firstMoments && fa.rng == fb.rng, sourceLocation: sourceLocation)
    #expect(fa.fair == fb.fair && fa.dro == fb.dro && fa.groups == fb.groups, sourceLocation: sourceLocation)
    #expect(fa == fb, sourceLocation: sourceLocation)
}

extension TrainerConfig {
    /// Every option's value, for comparing configurations.
    var summaryText: String { TrainerConfig.options.map { "\($0.name)=\($0.value(in: self))" }.joined(separator: " ") }
}

@Suite("Trainer options: one table for names, defaults, checks and the checkpoint section")
struct TrainerOptionTableTests {
    /// The options as a keyed list, written by hand: name, kind byte, value.
    static func keyed(_ entries: [(String, TrainerOption.Value)]) -> BinaryReader {
        var w = BinaryWriter()
        w.write(UInt32(entries.count))
        for (name, v) in entries {
            w.write(name)
            switch v {
            case .number(let x): w.writeBytes([0]); w.write(x)
            case .integer(let n): w.writeBytes([1]); w.write(n)
            case .bool(let b): w.writeBytes([2]); w.write(b)
            case .text(let s): w.writeBytes([3]); w.write(s)
            default: Issue.record("not used here")
            }
        }
        return BinaryReader(w.bytes)
    }

    @Test("every option round-trips through the keyed section; a missing one takes its default; an unknown one is refused")
    func keyedSection() throws {
        var c = TrainerConfig()
        c.method = .grpoRS; c.epsilonHigh = 0.3; c.statistics = .ema(decay: 0.8); c.reward = .cost([[0, 1], [2, 0]])
        c.dynamicSampling = true; c.clustering.reclusterEvery = 4; c.seed = 12
        var w = BinaryWriter()
        c.encodeOptions(&w)
        var r = BinaryReader(w.bytes)
        let back = try TrainerConfig.decodeOptions(&r)
        #expect(back.summaryText == c.summaryText && r.remaining == 0)
        #expect(back.statistics == .ema(decay: 0.8) && back.reward == .cost([[0, 1], [2, 0]]) && back.seed == 12)

        // A file from before an option existed: the option is absent and takes its default.
        var old = Self.keyed([("method", .text("grpo")), ("batch", .integer(16))])
        let partial = try TrainerConfig.decodeOptions(&old)
        #expect(partial.method == .grpo && partial.batchSize == 16 && partial.entropyCoef == 0 && partial.numGenerations == 8)
        // A newer build's option, a bad word and a bad value are refused by name.
        var newer = Self.keyed([("method", .text("grpo")), ("warp_factor", .number(9))])
        #expect { try TrainerConfig.decodeOptions(&newer) } throws: { "\($0)".contains("unknown trainer option \"warp_factor\"") }
        var word = Self.keyed([("cluster_on", .text("pixels"))])
        #expect { try TrainerConfig.decodeOptions(&word) } throws: { "\($0)".contains("cluster_on must be \"rewards\", \"features\" or \"embeddings\", got \"pixels\"") }
        var bad = Self.keyed([("recluster_every", .integer(0))])
        #expect { try TrainerConfig.decodeOptions(&bad) } throws: { "\($0)".contains("recluster_every must be at least 1, got 0") }
    }

    @Test("the defaults are TrainerConfig's, and trainer() offers every option with that default, in table order")
    func parametersFromTable() throws {
        let names = TrainerConfig.options.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(TrainerConfig.option(named: "G")?.defaultValue == .integer(TrainerConfig().numGenerations))
        #expect(TrainerConfig.option(named: "ema_decay")?.defaultValue == .number(0.99))
        #expect(TrainerConfig.option(named: "epsilon_high")?.defaultValue == TrainerOption.Value.none)
        let s = Transcript()
        let shown = s.session.interpreter.builtins["trainer"]?.parameters.map(\.name) ?? []
        #expect(shown == ["policy", "data"] + names.flatMap { $0 == "eval_every" ? [$0, "eval_data"] : [$0] })
        let help = s.run("help(\"trainer\")").output
        for name in names { #expect(help.contains("\n  \(name)="), "help(trainer) has no line for \(name)") }
        // help(trainer) gives each option its line of help from the table.
        #expect(help.contains(TrainerConfig.option(named: "dead_steps")!.help.prefix(40)))
    }

    @Test("validation speaks in the option's terms; trainer() adds its own name")
    func messages() throws {
        var c = TrainerConfig()
        c.maxResample = -1
        #expect(throws: TrainerOptionError(option: "max_resample", message: "max_resample must be between 0 and 1000")) { try c.validate() }
        c = TrainerConfig()
        c.clustering.kmax = 1
        #expect(throws: TrainerOptionError(option: "cluster_kmax", message: "cluster_kmax must be between 2 and 64, got 1")) { try c.validate() }
        let s = Transcript()
        s.run("d = demo(n=200)\np = policy(d, hidden=[8])")
        #expect(s.run("trainer(p, d, scale_rewards=\"row\")").output.contains("trainer(): scale_rewards must be \"group\", \"batch\" or \"none\", got \"row\""))
        #expect(s.run("trainer(p, d, method=\"ppo\")").output.contains("trainer(): unknown method \"ppo\"; methods: grpo, rloo"))
        #expect(s.run("trainer(p, d, G=0)").output.contains("trainer(): G (num_generations) must be at least 1"))
        #expect(s.run("trainer(p, d, statistics=\"ema\", ema_decay=1.5)").output.contains("trainer(): ema decay must be in (0, 1)"))
    }

    /// Found by the checkpoint fuzzer: a valid checksum over a history whose step
    /// number is -7.9e28, which once trapped converting to Int.
    @Test("a forged step number in the history is a located error, not a crash")
    func forgedHistoryStep() {
        #expect(throws: (any Error).self) { try Checkpoint.load(CheckpointFixtureTests.path("forged-history-step")) }
        do { _ = try Checkpoint.load(CheckpointFixtureTests.path("forged-history-step")) } catch {
            #expect("\(error)".contains("forged-history-step.ckpt: file is corrupt: step number"), "\(error)")
        }
    }
}
