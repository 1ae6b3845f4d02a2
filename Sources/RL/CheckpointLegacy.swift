import Tensors

/// Reading the configuration of checkpoint format versions 1 to 3, which
/// stored the options by position: the fixed options, then (version 2) the
/// clustering options, then (version 3) the rare-label options. Options added
/// since take their defaults. Version 4 stores options by name instead
/// (TrainerOptions.swift); nothing writes these layouts any more, and
/// Tests/RLTests/Fixtures keeps a file of each to show they still load.
extension Checkpoint {
    static func decodeLegacyConfig(_ r: inout BinaryReader, version: UInt32) throws -> TrainerConfig {
        var c = TrainerConfig()
        guard let m = TrainerConfig.Method(rawValue: try r.readString()) else { throw ArchiveError.corrupt("unknown method") }
        c.method = m
        c.numGenerations = try r.readInt(); c.batchSize = try r.readInt(); c.learningRate = try r.readDouble(); c.epsilon = try r.readDouble()
        let hasHigh = try r.readBool(); let high = try r.readDouble(); c.epsilonHigh = hasHigh ? high : nil
        c.beta = try r.readDouble(); c.numIterations = try r.readInt(); c.temperature = try r.readDouble()
        guard let s = Advantage.RewardScaling(rawValue: try r.readString()) else { throw ArchiveError.corrupt("unknown reward scaling") }
        c.scaleRewards = s
        c.maxGradNorm = try r.readDouble(); c.optimizer = try r.readString(); c.weightDecay = try r.readDouble(); c.seed = try r.readUInt64()
        c.evalEvery = try r.readInt()
        let hasClip = try r.readBool(); let clip = try r.readDouble(); c.weightClip = hasClip ? clip : nil
        let ema = try r.readBool(); let decay = try r.readDouble(); if ema { c.statistics = .ema(decay: decay) }
        c.droEta = try r.readDouble()
        if version >= 2 { c.clustering = try decodeClustering(&r) }
        if version >= 3 { try decodeRareOptions(&r, into: &c) }
        return c
    }

    /// The clustering options, at the end of the configuration (version 2).
    static func decodeClustering(_ r: inout BinaryReader) throws -> ClusteringOptions {
        guard let space = ClusteringOptions.Space(rawValue: try r.readString()) else { throw ArchiveError.corrupt("unknown clustering space") }
        guard let rule = ClusteringOptions.KRule(rawValue: try r.readString()) else { throw ArchiveError.corrupt("unknown rule for k") }
        return ClusteringOptions(space: space, k: rule, kmax: try r.readInt(), reclusterEvery: try r.readInt())
    }

    /// The rare-label options, after the clustering options (version 3).
    static func decodeRareOptions(_ r: inout BinaryReader, into c: inout TrainerConfig) throws {
        switch try r.readString("the reward option") {
        case "correct": c.reward = .correct
        case "balanced": c.reward = .balanced
        case "cost":
            let n = Int(try r.readUInt32())
            guard n <= 1024 else { throw ArchiveError.corrupt("a \(n)-row cost matrix") }
            c.reward = .cost(try (0..<n).map { _ in try readDoubles(&r) })
        case let other: throw ArchiveError.corrupt("unknown reward option '\(other)'")
        }
        c.dynamicSampling = try r.readBool(); c.maxResample = try r.readInt(); c.entropyCoef = try r.readDouble()
        c.deadStepWarning = try r.readInt()
    }
}
