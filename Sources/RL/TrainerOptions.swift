import Tensors

/// One trainer option, declared once: the name users type (also its tag in
/// checkpoints), where it lives in `TrainerConfig` (whose initial value is the
/// default), what it accepts, its validation, one line of help and how the
/// trainer's summary shows it. `TrainerConfig.options` lists them all; the
/// language's `trainer()` and `compare()` parameters, their parsing, the help
/// and docs table, the summary line and the checkpoint's option section are
/// all derived from that list. Adding an option is one entry there plus its
/// implementation.
public struct TrainerOption: @unchecked Sendable {
    /// An option's value, in the few shapes options take.
    public enum Value: Equatable, Sendable {
        case number(Double), integer(Int), bool(Bool), text(String), matrix([[Double]]), none
    }

    /// What a caller may give. `choice` lists the accepted words; `optionalNumber`
    /// also accepts none; `reward` is a word, a cost matrix or (in the language
    /// only, never stored) a function.
    public enum Kind: Equatable, Sendable {
        case number, integer, bool, optionalNumber, choice([String]), reward
    }

    /// The name users type, and the option's tag in checkpoints.
    public let name: String
    public let kind: Kind
    /// One line of help.
    public let help: String
    let read: (TrainerConfig) -> Value
    let write: (inout TrainerConfig, Value) throws -> Void
    /// nil when the configuration's value is acceptable, else why not.
    let problem: (TrainerConfig) -> String?
    /// The summary's part for this option when it is not at its default (nil: not shown).
    let shown: (TrainerConfig) -> String?

    /// The value `TrainerConfig()` has: the default, written once, in the struct.
    public var defaultValue: Value { read(TrainerConfig()) }
    public func value(in config: TrainerConfig) -> Value { read(config) }
    /// How the trainer's summary shows the option, or nil when it leaves it out (at its default, or never shown).
    public func summary(of config: TrainerConfig) -> String? { shown(config) }

    /// Sets the option from a value of its kind; a value of another shape or an unknown word throws.
    public func set(_ value: Value, in config: inout TrainerConfig) throws { try write(&config, value) }

    static func mismatch(_ name: String, _ v: Value) -> TrainerOptionError {
        TrainerOptionError(option: name, message: "\(name) cannot be \(v)")
    }
}

/// A trainer option with a value it cannot take. `message` speaks of the option
/// by the name users type; whoever called adds where the value came from.
public struct TrainerOptionError: Error, CustomStringConvertible, Equatable {
    public let option: String
    public let message: String
    public var description: String { message }
}

// MARK: The table

extension TrainerConfig {
    /// Every option, in the order trainer() takes them.
    public static let options: [TrainerOption] = [
        .choice("method", \.method, help: "grpo, rloo, reinforce++, fairgrpo, fairgrpo_nd (no demographics), grpo_rs or grpo_dro",
                unknown: { v, all in "unknown method \"\(v)\"; methods: \(all.joined(separator: ", "))" }),
        .integer("G", \.numGenerations, help: "answers sampled per prompt (TRL's num_generations)",
                 check: { $0 >= 1 ? nil : "G (num_generations) must be at least 1" }),
        .integer("batch", \.batchSize, help: "prompts per step", check: { $0 >= 1 ? nil : "batch must be at least 1" }),
        .number("lr", \.learningRate, help: "learning rate", check: { $0 > 0 && $0.isFinite ? nil : "lr must be positive" }),
        .number("epsilon", \.epsilon, help: "PPO clip: the ratio is kept in [1 − epsilon, 1 + epsilon_high]",
                problem: { $0.epsilon >= 0 && $0.clipHigh >= 0 ? nil : "epsilon and epsilon_high must be non-negative" }),
        .optionalNumber("epsilon_high", \.epsilonHigh, help: "upper clip (none: epsilon)"),
        .number("beta", \.beta, help: "weight of the k3 KL penalty to the frozen reference policy",
                check: { $0 >= 0 ? nil : "beta must be non-negative" }),
        .integer("num_iterations", \.numIterations, help: "optimisation passes over each batch of rollouts",
                 check: { $0 >= 1 ? nil : "num_iterations must be at least 1" }),
        .number("temperature", \.temperature, help: "sample from softmax(logits/T); above 1, more varied rollouts",
                check: { $0 > 0 && $0.isFinite ? nil : "temperature must be positive" }, shown: { $0 != 1 ? "T \($0)" : nil }),
        .choice("scale_rewards", \.scaleRewards, help: "\"group\", \"batch\" or \"none\": divide advantages by that reward std, or not"),
        .number("max_grad_norm", \.maxGradNorm, help: "clip the gradient's global norm to this", check: { $0 > 0 ? nil : "max_grad_norm must be positive" }),
        .choice("optimizer", \.optimizer, among: ["adam", "adamw"], help: "\"adam\" (L2 weight decay) or \"adamw\" (decoupled weight decay)"),
        .number("weight_decay", \.weightDecay, help: "weight decay of the optimizer"),
        .integer("seed", \.seedNumber, help: "seed of sampling and data order"),
        .integer("eval_every", \.evalEvery, help: "record a fairness report on eval_data every that many steps (0: never)"),
        .optionalNumber("weight_clip", \.weightClip, help: "cap FairGRPO weights at this multiple of the batch median (none: no cap)",
                        check: { $0 > 0 ? nil : "weight_clip must be positive" }),
        .choice("statistics", \.statisticsKind, help: "\"cumulative\" (the paper's per-(domain, group) statistics) or \"ema\""),
        .number("ema_decay", \.emaDecay, help: "decay of the \"ema\" statistics",
                problem: { $0.statisticsKind == .ema && !($0.emaDecay > 0 && $0.emaDecay < 1) ? "ema decay must be in (0, 1)" : nil }),
        .number("dro_eta", \.droEta, help: "step size of grpo_dro's group weights"),
        TrainerOption(name: "reward", kind: .reward, help: "\"correct\" (1 if right; none means this), \"balanced\" (rare classes earn more), a K×K cost matrix, or fn(answer, label[, row])",
                      read: { $0.reward.optionValue }, write: { c, v in c.reward = try RewardOption(v) }, problem: { _ in nil },
                      shown: { $0.reward != .correct ? "reward \($0.reward.name)" : nil }),
        .bool("dynamic_sampling", \.dynamicSampling, help: "drop prompts whose rollouts all earn the same reward and draw more (as DAPO)",
              shown: { $0.dynamicSampling ? "dynamic sampling (max_resample \($0.maxResample))" : nil }),
        .integer("max_resample", \.maxResample, help: "most extra batches dynamic sampling draws in one step",
                 check: { $0 >= 0 && $0 <= 1000 ? nil : "max_resample must be between 0 and 1000" }),
        .number("entropy_coef", \.entropyCoef, help: "adds this × mean entropy of the answers to the objective",
                check: { $0 >= 0 && $0.isFinite ? nil : "entropy_coef must be finite and non-negative" },
                shown: { $0 > 0 ? "entropy_coef \($0)" : nil }),
        .integer("dead_steps", \.deadStepWarning, help: "warn when a (domain, group) has had no live prompt for this many steps (0: never)",
                 check: { $0 >= 0 ? nil : "dead_steps must be non-negative (0: no warning)" }),
        .choice("cluster_on", \.clustering.space, help: "what prompts without demographics are clustered on: \"rewards\", \"features\" or \"embeddings\""),
        .choice("cluster_k", \.clustering.k, help: "how k is chosen: \"elbow\" (the reference's rule) or \"silhouette\""),
        .integer("cluster_kmax", \.clustering.kmax, help: "the largest k tried",
                 check: { (2...64).contains($0) ? nil : "cluster_kmax must be between 2 and 64, got \($0)" }),
        .integer("recluster_every", \.clustering.reclusterEvery, help: "re-cluster the whole history every N steps; new prompts join the nearest centroid between",
                 check: { $0 >= 1 ? nil : "recluster_every must be at least 1, got \($0)" }),
        .optionalNumber("cluster_quantize", \.clustering.quantize,
                        help: "round rewards to multiples of this step before clustering them (continuous rewards; none: as they are)",
                        check: { $0 > 0 && $0.isFinite ? nil : "cluster_quantize must be a positive step, got \($0)" }),
        .bool("cluster_distinct", \.clustering.distinct,
              help: "cluster the history's distinct reward vectors weighted by their counts (the same clusters as every row, at a flat cost); false: every row",
              shown: { _ in nil }),
    ]

    public static func option(named name: String) -> TrainerOption? { options.first { $0.name == name } }

    /// The first option whose value is not acceptable, in table order.
    public func validate() throws {
        for o in Self.options { if let why = o.problem(self) { throw TrainerOptionError(option: o.name, message: why) } }
    }

    /// How `statistics` is chosen; with `emaDecay` it makes `statistics`.
    public enum StatisticsKind: String, CaseIterable, Sendable { case cumulative, ema }

    public var statistics: FairWeighting.Statistics {
        get { statisticsKind == .ema ? .ema(decay: emaDecay) : .cumulative }
        set {
            switch newValue {
            case .cumulative: statisticsKind = .cumulative
            case .ema(let d): statisticsKind = .ema; emaDecay = d
            }
        }
    }

    /// The seed as the language gives it (a whole number ≥ 0; negatives count as 0).
    var seedNumber: Int {
        get { Int(truncatingIfNeeded: seed) }
        set { seed = UInt64(max(0, newValue)) }
    }
}

// MARK: Entry builders

extension TrainerOption {
    typealias Path<T> = WritableKeyPath<TrainerConfig, T>

    static func number(_ name: String, _ path: Path<Double>, help: String, check: @escaping (Double) -> String? = { _ in nil },
                       problem: ((TrainerConfig) -> String?)? = nil, shown: @escaping (Double) -> String? = { _ in nil }) -> TrainerOption {
        TrainerOption(
            name: name, kind: .number, help: help, read: { .number($0[keyPath: path]) },
            write: { c, v in
                switch v {
                case .number(let x): c[keyPath: path] = x
                case .integer(let n): c[keyPath: path] = Double(n)
                default: throw mismatch(name, v)
                }
            },
            problem: problem ?? { check($0[keyPath: path]) }, shown: { shown($0[keyPath: path]) })
    }

    static func optionalNumber(_ name: String, _ path: Path<Double?>, help: String,
                               check: @escaping (Double) -> String? = { _ in nil }) -> TrainerOption {
        TrainerOption(
            name: name, kind: .optionalNumber, help: help, read: { c in c[keyPath: path].map { .number($0) } ?? .none },
            write: { c, v in
                switch v {
                case .number(let x): c[keyPath: path] = x
                case .integer(let n): c[keyPath: path] = Double(n)
                case .none: c[keyPath: path] = nil
                default: throw mismatch(name, v)
                }
            },
            problem: { c in c[keyPath: path].flatMap(check) }, shown: { _ in nil })
    }

    static func integer(_ name: String, _ path: Path<Int>, help: String, check: @escaping (Int) -> String? = { _ in nil }) -> TrainerOption {
        TrainerOption(
            name: name, kind: .integer, help: help, read: { .integer($0[keyPath: path]) },
            write: { c, v in
                guard case .integer(let n) = v else { throw mismatch(name, v) }
                c[keyPath: path] = n
            },
            problem: { check($0[keyPath: path]) }, shown: { _ in nil })
    }

    static func bool(_ name: String, _ path: Path<Bool>, help: String, shown: @escaping (TrainerConfig) -> String?) -> TrainerOption {
        TrainerOption(
            name: name, kind: .bool, help: help, read: { .bool($0[keyPath: path]) },
            write: { c, v in
                guard case .bool(let b) = v else { throw mismatch(name, v) }
                c[keyPath: path] = b
            },
            problem: { _ in nil }, shown: shown)
    }

    /// A word from a fixed list, stored as text.
    static func choice(_ name: String, _ path: Path<String>, among words: [String], help: String) -> TrainerOption {
        choice(name, help: help, words: words, unknown: nil, get: { $0[keyPath: path] }, set: { c, w in c[keyPath: path] = w })
    }

    /// A word naming a case of an enumeration.
    static func choice<E: RawRepresentable & CaseIterable>(
        _ name: String, _ path: Path<E>, help: String, unknown: ((String, [String]) -> String)? = nil
    ) -> TrainerOption where E.RawValue == String {
        choice(name, help: help, words: E.allCases.map(\.rawValue), unknown: unknown,
               get: { $0[keyPath: path].rawValue }, set: { c, w in c[keyPath: path] = E(rawValue: w)! })
    }

    private static func choice(_ name: String, help: String, words: [String], unknown: ((String, [String]) -> String)?,
                               get: @escaping (TrainerConfig) -> String, set: @escaping (inout TrainerConfig, String) -> Void) -> TrainerOption {
        TrainerOption(
            name: name, kind: .choice(words), help: help, read: { .text(get($0)) },
            write: { c, v in
                guard case .text(let w) = v else { throw mismatch(name, v) }
                guard words.contains(w) else {
                    let quoted = words.map { "\"\($0)\"" }
                    let list = quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + " or " + quoted.last! : quoted.joined()
                    throw TrainerOptionError(option: name, message: unknown?(w, words) ?? "\(name) must be \(list), got \"\(w)\"")
                }
                set(&c, w)
            },
            problem: { _ in nil }, shown: { _ in nil })
    }
}

extension RewardOption {
    public var optionValue: TrainerOption.Value {
        switch self {
        case .correct: return .text("correct")
        case .balanced: return .text("balanced")
        case .cost(let m): return .matrix(m)
        }
    }

    init(_ v: TrainerOption.Value) throws {
        switch v {
        case .text("correct"), .none: self = .correct
        case .text("balanced"): self = .balanced
        case .matrix(let m): self = .cost(m)
        default: throw TrainerOptionError(option: "reward", message: "reward must be \"correct\", \"balanced\" or a cost matrix")
        }
    }
}

// MARK: Checkpoints

extension TrainerConfig {
    /// The options as a keyed list (u32 count; each: name, kind byte, value), so
    /// an option added later is simply absent from older files (it takes its
    /// default) and never changes the format.
    func encodeOptions(_ w: inout BinaryWriter) {
        w.write(UInt32(Self.options.count))
        for o in Self.options {
            w.write(o.name)
            switch o.read(self) {
            case .number(let x): w.writeBytes([0]); w.write(x)
            case .integer(let n): w.writeBytes([1]); w.write(n)
            case .bool(let b): w.writeBytes([2]); w.write(b)
            case .text(let s): w.writeBytes([3]); w.write(s)
            case .matrix(let m):
                w.writeBytes([4]); w.write(UInt32(m.count))
                for row in m { w.write(UInt32(row.count)); for x in row { w.write(x) } }
            case .none: w.writeBytes([5])
            }
        }
    }

    static func decodeOptions(_ r: inout BinaryReader) throws -> TrainerConfig {
        let n = Int(try r.readUInt32("the number of options"))
        guard n <= 4096 else { throw ArchiveError.corrupt("\(n) trainer options") }
        var stored: [String: TrainerOption.Value] = [:]
        for _ in 0..<n {
            let name = try r.readString("an option name")
            let value: TrainerOption.Value
            switch try r.readBytes(1, "the kind of option \(name)")[0] {
            case 0: value = .number(try r.readDouble())
            case 1: value = .integer(try r.readInt())
            case 2: value = .bool(try r.readBool())
            case 3: value = .text(try r.readString())
            case 4:
                let rows = Int(try r.readUInt32())
                guard rows <= 1024 else { throw ArchiveError.corrupt("a \(rows)-row matrix for option \(name)") }
                value = .matrix(try (0..<rows).map { _ in
                    let m = Int(try r.readUInt32())
                    guard m <= r.remaining / 8 else { throw ArchiveError.corrupt("a matrix row too long for option \(name)") }
                    return try (0..<m).map { _ in try r.readDouble() }
                })
            case 5: value = .none
            case let k: throw ArchiveError.corrupt("option \(name) has an unknown kind \(k)")
            }
            guard stored.updateValue(value, forKey: name) == nil else { throw ArchiveError.corrupt("option \(name) is stored twice") }
        }
        if let unknown = stored.keys.first(where: { option(named: $0) == nil }) {
            throw ArchiveError.corrupt("unknown trainer option \"\(unknown)\" (written by a newer build?)")
        }
        // In table order, so options read in the order trainer() reads them.
        var c = TrainerConfig()
        do {
            for o in options { if let v = stored[o.name] { try o.write(&c, v) } }
            try c.validate()
        } catch let e as TrainerOptionError {
            throw ArchiveError.corrupt("trainer options: \(e.message)")
        }
        return c
    }
}
