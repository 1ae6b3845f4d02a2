import Data
import NN
import Tensors

/// Trainer checkpoints: everything needed to continue exactly where a run
/// stopped: the training data, configuration, policy and reference
/// parameters, Adam moments, generator state, data order and cursor,
/// FairGRPO statistics, DRO weights, step count and the logged history.
///
/// Format: magic "FGRPOCKP", version u32, the payload (BinaryWriter
/// encoding), CRC-32 of everything before it. Version 2 adds named sections
/// after the history (CheckpointSections.swift); version 3 adds a "live"
/// section with the live-prompt columns of the logs and the dead-group
/// counters (CheckpointLive.swift); version 4 stores the trainer options as a
/// keyed list (TrainerOptions.swift), so a new option no longer changes the
/// format. Versions 1 to 3, whose options are positional, still load
/// (CheckpointLegacy.swift; Tests/RLTests/Fixtures keeps a file of each). Written atomically (temporary
/// file, fsync, rename). A custom reward function cannot be stored: loading
/// such a checkpoint needs the function again.
public enum Checkpoint {
    public static let magic: [UInt8] = Array("FGRPOCKP".utf8)
    public static let version: UInt32 = 4

    public static func save(_ t: Trainer, to path: String) throws {
        var w = BinaryWriter()
        w.writeBytes(magic)
        w.write(version)
        encode(t.data, &w)
        t.config.encodeOptions(&w)
        w.write(t.reward != nil)
        // Policy.
        w.write(UInt32(t.policy.inputCount)); w.write(UInt32(t.policy.classCount))
        w.write(UInt32(t.policy.hidden.count)); for h in t.policy.hidden { w.write(UInt32(h)) }
        w.write(t.policy.activation.rawValue)
        for p in t.policy.model.parameters { w.write(p.value) }
        for p in t.policy.reference.parameters { w.write(p.value) }
        // Optimizer.
        w.write(t.optimizer.stepCount)
        for m in t.optimizer.firstMoments { writeFloats(m, &w) }
        for v in t.optimizer.secondMoments { writeFloats(v, &w) }
        // Progress.
        let s = t.rng.state
        w.write(s.0); w.write(s.1); w.write(s.2); w.write(s.3)
        writeInts(t.order, &w)
        w.write(t.cursor); w.write(t.epoch); w.write(t.stepCount)
        // FairGRPO statistics and DRO weights.
        let fair = t.fair.state
        writeCells(fair.domains, &w)
        writeCells(Dictionary(uniqueKeysWithValues: fair.groups.map { (cellText($0.key), $0.value) }), &w)
        w.write(UInt32(fair.unknownHistory.count))
        for key in fair.unknownHistory.keys.sorted() {
            w.write(key)
            let vectors = fair.unknownHistory[key]!
            w.write(UInt32(vectors.count))
            for v in vectors { w.write(UInt32(v.count)); for x in v { w.write(x) } }
        }
        w.write(t.dro != nil)
        if let dro = t.dro {
            w.write(UInt32(dro.state.count))
            for key in GroupDRO.inOrder(dro.state.keys) { w.write(key.description); w.write(dro.state[key]!) }
        }
        // History.
        w.write(UInt32(t.history.count))
        // The ten columns every version has; later columns go in the "live" section.
        for log in t.history { for v in log.legacyValues { w.write(v) } }
        w.write(UInt32(t.groupHistory.count))
        for logs in t.groupHistory {
            w.write(UInt32(logs.count))
            for l in logs {
                w.write(l.step); w.write(l.domain); w.write(l.group); w.write(l.batchPrompts)
                for v in [l.nDomain, l.muDomain, l.tDomain, l.nGroup, l.muGroup, l.factor, l.weight, l.meanAbsAdvantage, l.gradientShare] { w.write(v) }
                w.write(l.livePrompts)
            }
        }
        writeSections(t, &w)
        w.write(CRC32.checksum(w.bytes))
        try FileIO.writeAtomically(w.bytes, to: path)
    }

    public enum LoadError: Error, CustomStringConvertible {
        case notACheckpoint(String), unsupportedVersion(String, UInt32), checksum(String), malformed(String, String)
        public var description: String {
            switch self {
            case .notACheckpoint(let p): return "\(p): not a fairgrpo checkpoint (wrong magic bytes)"
            case let .unsupportedVersion(p, v): return "\(p): checkpoint version \(v) is not supported (this build reads version \(Checkpoint.version))"
            case .checksum(let p): return "\(p): checksum mismatch: the checkpoint is corrupt or was modified"
            case let .malformed(p, why): return "\(p): \(why)"
            }
        }
    }

    /// Loads a trainer. `reward` must be given again if the run used a custom one.
    /// Only regular files are read (a device such as /dev/zero would never
    /// end), and every size in the file is checked against what is left of
    /// it before anything that size is allocated.
    public static func load(_ path: String, reward: ((Int, Int, Int) throws -> Double)? = nil) throws -> Trainer {
        try decode(try FileIO.read(path, regularOnly: true), path: path, reward: reward)
    }

    /// A trainer from a checkpoint's bytes; `path` names it in errors.
    static func decode(_ bytes: [UInt8], path: String, reward: ((Int, Int, Int) throws -> Double)?) throws -> Trainer {
        guard bytes.count >= magic.count + 8, Array(bytes[0..<magic.count]) == magic else { throw LoadError.notACheckpoint(path) }
        var tail = BinaryReader(Array(bytes[(bytes.count - 4)...]))
        let stored = try tail.readUInt32()
        let body = Array(bytes[0..<(bytes.count - 4)])
        var r = BinaryReader(body)
        _ = try r.readBytes(magic.count, "the magic bytes")
        let v = try r.readUInt32("the version")
        guard (1...version).contains(v) else { throw LoadError.unsupportedVersion(path, v) }
        guard CRC32.checksum(body) == stored else { throw LoadError.checksum(path) }
        do {
            let data = try decodeDataset(&r)
            let config = v >= 4 ? try TrainerConfig.decodeOptions(&r) : try decodeLegacyConfig(&r, version: v)
            let usedReward = try r.readBool("the reward flag")
            if usedReward && reward == nil {
                throw LoadError.malformed(path, "this run used a custom reward function: pass it again, load(path, reward=fn)")
            }
            let inputs = Int(try r.readUInt32()), classes = Int(try r.readUInt32())
            let hiddenCount = Int(try r.readUInt32())
            guard hiddenCount <= 64 else { throw ArchiveError.corrupt("\(hiddenCount) hidden layers") }
            var hidden: [Int] = []
            for _ in 0..<hiddenCount { hidden.append(Int(try r.readUInt32())) }
            guard let activation = Activation(rawValue: try r.readString("the activation")) else { throw ArchiveError.corrupt("unknown activation") }
            // The two copies of the parameters must fit in what is left of
            // the file before a policy of that size is made.
            guard let count = Policy.parameterCount(inputs: inputs, classes: classes, hidden: hidden),
                  count <= r.remaining / 8 else {
                throw ArchiveError.corrupt("a policy with layers \(([inputs] + hidden + [classes]).map(String.init).joined(separator: "→")) does not fit in the file")
            }
            let policy = try Policy(inputs: inputs, classes: classes, hidden: hidden, activation: activation, seed: 0)
            for p in policy.model.parameters + policy.reference.parameters {
                let t = try r.readTensor(p.name)
                guard t.shape == p.shape else { throw ArchiveError.corrupt("parameter \(p.name) has shape \(formatShape(t.shape)), expected \(formatShape(p.shape))") }
                p.value = t.requiringGrad(p.name)
            }
            let trainer = try Trainer(policy: policy, data: data, config: config)
            trainer.reward = reward
            trainer.optimizer.stepCount = try r.readInt()
            trainer.optimizer.firstMoments = try policy.parameters.map { p in try readFloats(&r, count: p.value.count) }
            trainer.optimizer.secondMoments = try policy.parameters.map { p in try readFloats(&r, count: p.value.count) }
            var rng = SeededGenerator(seed: 0)
            rng.state = (try r.readUInt64(), try r.readUInt64(), try r.readUInt64(), try r.readUInt64())
            let order = try readInts(&r)
            guard order.allSatisfy({ $0 >= 0 && $0 < data.count }) else { throw ArchiveError.corrupt("data order refers to rows outside the dataset") }
            let cursor = try r.readInt(), epoch = try r.readInt(), steps = try r.readInt()
            guard cursor >= 0, cursor <= order.count else { throw ArchiveError.corrupt("cursor \(cursor) outside the data order") }
            trainer.setProgress(rng: rng, order: order, cursor: cursor, epoch: epoch, steps: steps)
            let domainCells = try readCells(&r)
            let groupCells = Dictionary(uniqueKeysWithValues: try readCells(&r).map { (try cell($0.key), $0.value) })
            var fair = FairWeighting.State(domains: domainCells, groups: groupCells, unknownHistory: [:])
            let unknownCount = Int(try r.readUInt32())
            for _ in 0..<unknownCount {
                let key = try r.readString()
                let n = Int(try r.readUInt32())
                guard n <= r.remaining / 4 else { throw ArchiveError.corrupt("unknown-prompt history too long") }
                var vectors: [[Double]] = []
                for _ in 0..<n {
                    let m = Int(try r.readUInt32())
                    guard m <= r.remaining / 8 else { throw ArchiveError.corrupt("reward vector too long") }
                    vectors.append(try (0..<m).map { _ in try r.readDouble() })
                }
                fair.unknownHistory[key] = vectors
            }
            trainer.fair.state = fair
            if try r.readBool() {
                // DRO's groups are the data's cells; the file names them as shown.
                let known = Dictionary((trainer.dro?.state.keys).map { $0.map { ($0.description, $0) } } ?? [], uniquingKeysWith: { a, _ in a })
                var weights: [GroupKey: Double] = [:]
                let n = Int(try r.readUInt32())
                for _ in 0..<n {
                    let k = try r.readString()
                    guard let key = known[k] else { throw ArchiveError.corrupt("Group DRO weighs a group \"\(k)\" the data does not have") }
                    weights[key] = try r.readDouble()
                }
                trainer.dro?.state = weights
            }
            var history: [StepLog] = []
            let hc = Int(try r.readUInt32())
            guard hc <= r.remaining / 80 else { throw ArchiveError.corrupt("history too long") }
            for _ in 0..<hc {
                let values = try (0..<StepLog.legacyColumnCount).map { _ in try r.readDouble() }
                // The step number becomes an Int: a forged file must not make that conversion trap.
                guard values[0].isFinite, values[0] >= 0, values[0] <= Double(Int32.max) else {
                    throw ArchiveError.corrupt("step number \(values[0]) in the history")
                }
                history.append(StepLog(values: values))
            }
            var groupHistory: [[GroupLog]] = []
            let gc = Int(try r.readUInt32())
            guard gc <= r.remaining / 4 else { throw ArchiveError.corrupt("group history too long") }
            for _ in 0..<gc {
                let n = Int(try r.readUInt32())
                guard n <= r.remaining / 8 else { throw ArchiveError.corrupt("group log too long") }
                var logs: [GroupLog] = []
                for _ in 0..<n {
                    let step = try r.readInt(), domain = try r.readString(), group = try r.readString(), prompts = try r.readInt()
                    let v = try (0..<9).map { _ in try r.readDouble() }
                    logs.append(GroupLog(step: step, domain: domain, group: group, batchPrompts: prompts, nDomain: v[0], muDomain: v[1],
                                         tDomain: v[2], nGroup: v[3], muGroup: v[4], factor: v[5], weight: v[6], meanAbsAdvantage: v[7],
                                         gradientShare: v[8], livePrompts: try r.readInt()))
                }
                groupHistory.append(logs)
            }
            trainer.restoreHistory(history, groupHistory)
            if v >= 2 { try readSections(&r, into: trainer) }
            guard r.remaining == 0 else { throw ArchiveError.corrupt("\(r.remaining) unexpected bytes at the end") }
            return trainer
        } catch let e as ArchiveError {
            throw LoadError.malformed(path, e.description)
        } catch let e as RLError {
            throw LoadError.malformed(path, e.description)
        } catch let e as TrainerOptionError {
            throw LoadError.malformed(path, "trainer options: \(e.message)")
        }
    }

    // MARK: Pieces

    static func writeFloats(_ a: [Float], _ w: inout BinaryWriter) {
        w.write(UInt32(a.count))
        a.withUnsafeBufferPointer { w.write($0) }
    }

    static func readFloats(_ r: inout BinaryReader, count: Int) throws -> [Float] {
        let n = Int(try r.readUInt32("a moment vector's length"))
        guard n == count else { throw ArchiveError.corrupt("optimizer moments of length \(n), expected \(count)") }
        return try (0..<n).map { _ in try r.readFloat() }
    }

    /// A count, then the elements; lists of 8-byte values (integers, numbers).
    static func writeList<T>(_ a: [T], _ w: inout BinaryWriter, _ write: (T, inout BinaryWriter) -> Void) {
        w.write(UInt32(a.count))
        for x in a { write(x, &w) }
    }

    /// A list written by `writeList` whose elements take 8 bytes each, checked to fit in what is left.
    static func readList<T>(_ r: inout BinaryReader, of what: String, _ read: (inout BinaryReader) throws -> T) throws -> [T] {
        let n = Int(try r.readUInt32())
        guard n <= r.remaining / 8 else { throw ArchiveError.corrupt("a list of \(n) \(what) does not fit in the file") }
        return try (0..<n).map { _ in try read(&r) }
    }

    static func writeInts(_ a: [Int], _ w: inout BinaryWriter) { writeList(a, &w) { $1.write($0) } }
    static func readInts(_ r: inout BinaryReader) throws -> [Int] { try readList(&r, of: "integers") { try $0.readInt() } }

    /// How the file names a (domain, group) cell in FairGRPO's statistics and
    /// the dead-group counters: "domain\u{1}group" (Group DRO's weights use the
    /// shown "domain/group"). Text only here, so every earlier file still loads.
    static func cellText(_ key: GroupKey) -> String { key.domain + "\u{1}" + key.group }

    static func cell(_ text: String) throws -> GroupKey {
        guard let split = text.firstIndex(of: "\u{1}") else { throw ArchiveError.corrupt("\"\(text)\" does not name a (domain, group) cell") }
        return GroupKey(String(text[..<split]), String(text[text.index(after: split)...]))
    }

    static func writeCells(_ cells: [String: FairWeighting.Cell], _ w: inout BinaryWriter) {
        w.write(UInt32(cells.count))
        for key in cells.keys.sorted() {
            let c = cells[key]!
            w.write(key); w.write(c.prompts); w.write(c.rewardSum); w.write(c.rewardCount)
        }
    }

    static func readCells(_ r: inout BinaryReader) throws -> [String: FairWeighting.Cell] {
        let n = Int(try r.readUInt32())
        guard n <= r.remaining / 28 else { throw ArchiveError.corrupt("statistics table too long") }
        var out: [String: FairWeighting.Cell] = [:]
        for _ in 0..<n {
            let key = try r.readString()
            out[key] = FairWeighting.Cell(prompts: try r.readDouble(), rewardSum: try r.readDouble(), rewardCount: try r.readDouble())
        }
        return out
    }

    static func writeStrings(_ a: [String], _ w: inout BinaryWriter) { w.write(UInt32(a.count)); for s in a { w.write(s) } }
    static func readStrings(_ r: inout BinaryReader) throws -> [String] {
        let n = Int(try r.readUInt32())
        guard n <= r.remaining / 4 else { throw ArchiveError.corrupt("a list of \(n) strings does not fit in the file") }
        return try (0..<n).map { _ in try r.readString() }
    }

    static func encode(_ d: Dataset, _ w: inout BinaryWriter) {
        w.write(d.name)
        w.write(d.rawFeatures)
        writeStrings(d.featureNames, &w)
        w.write(UInt32(d.scaler.numeric.count))
        for (i, isNumeric) in d.scaler.numeric.enumerated() { w.write(isNumeric); w.write(d.scaler.means[i]); w.write(d.scaler.stds[i]) }
        w.write(d.scaler.fittedRows)
        writeInts(d.labels, &w)
        writeStrings(d.classNames, &w)
        w.write(UInt32(d.attributes.count))
        for a in d.attributes {
            w.write(a.name); writeStrings(a.levels, &w); writeStrings(a.shortNames, &w); writeInts(a.codes, &w)
            w.write(a.trueCodes != nil)
            if let t = a.trueCodes { writeInts(t, &w) }
        }
        writeInts(d.domains, &w)
        writeStrings(d.domainNames, &w)
        writeStrings(d.ids, &w)
        w.write(d.groupIDs != nil)
        if let g = d.groupIDs { writeStrings(g, &w) }
        writeStrings(d.notes, &w)
    }

    static func decodeDataset(_ r: inout BinaryReader) throws -> Dataset {
        let name = try r.readString()
        let raw = try r.readTensor("the training features")
        guard raw.rank == 2 else { throw ArchiveError.corrupt("features are not a matrix") }
        let featureNames = try readStrings(&r)
        let d = Int(try r.readUInt32())
        guard d == raw.shape[1], featureNames.count == d else { throw ArchiveError.corrupt("feature columns disagree") }
        var numeric: [Bool] = [], means: [Double] = [], stds: [Double] = []
        for _ in 0..<d { numeric.append(try r.readBool()); means.append(try r.readDouble()); stds.append(try r.readDouble()) }
        let fitted = try r.readInt()
        let labels = try readInts(&r)
        let classNames = try readStrings(&r)
        let n = raw.shape[0]
        guard labels.count == n, labels.allSatisfy({ $0 >= 0 && $0 < classNames.count }) else { throw ArchiveError.corrupt("labels disagree with the features") }
        var attributes: [Attribute] = []
        let ac = Int(try r.readUInt32())
        guard ac <= 64 else { throw ArchiveError.corrupt("\(ac) attributes") }
        for _ in 0..<ac {
            let aname = try r.readString(), levels = try readStrings(&r), short = try readStrings(&r), codes = try readInts(&r)
            guard codes.count == n, short.count == levels.count, codes.allSatisfy({ $0 >= -1 && $0 < levels.count }) else {
                throw ArchiveError.corrupt("attribute \(aname) is inconsistent")
            }
            var a = Attribute(name: aname, levels: levels, shortNames: short, codes: codes)
            if try r.readBool() {
                let t = try readInts(&r)
                guard t.count == n, t.allSatisfy({ $0 >= -1 && $0 < levels.count }) else { throw ArchiveError.corrupt("attribute \(aname) truth is inconsistent") }
                a.trueCodes = t
            }
            attributes.append(a)
        }
        let domains = try readInts(&r), domainNames = try readStrings(&r), ids = try readStrings(&r)
        guard domains.count == n, domains.allSatisfy({ $0 >= 0 && $0 < domainNames.count }), ids.count == n else {
            throw ArchiveError.corrupt("domains or ids disagree with the features")
        }
        var groupIDs: [String]?
        if try r.readBool() { groupIDs = try readStrings(&r) }
        var data = Dataset(name: name, rawFeatures: raw, featureNames: featureNames, numeric: numeric, labels: labels, classNames: classNames,
                           attributes: attributes, domains: domains, domainNames: domainNames, ids: ids, groupIDs: groupIDs)
        data.rescale(with: Scaler(numeric: numeric, means: means, stds: stds, fittedRows: fitted))
        data.notes = try readStrings(&r)
        return data
    }
}
