import Data
import Fairness
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A folder of finished comparison runs, one file per run, so that a study
/// that was stopped (Ctrl-C, a killed job, a time limit) resumes where it was
/// and so that shards of a study running as separate processes (a Slurm
/// array, GNU parallel) can be assembled into one comparison.
///
/// Each run is named by a key: a 128-bit FNV-1a hash of everything that
/// decides its numbers: the training and evaluation data (every value, as a
/// checkpoint stores them), the trainer's options (method and seed among
/// them), the policy's shape and initial parameters, the number of steps, the
/// evaluation interval and the checkpoint selection. A changed setting gives
/// a new key, so old runs are never reused for it. The BLAS core is not part
/// of the key: runs trained on another CPU type may differ in the last bits.
///
/// Layout: `runs/<key>.run` (a finished run), `runs/<key>.failed` (why it
/// failed, as text), and `plan-<hash>.txt` per comparison (its methods, seeds
/// and run keys: what `fairgrpo status` counts against).
///
/// A run file: magic "FGRPORUN", version u32, key, method, seed, steps,
/// eval_every, selection, seconds, reported step, the reported policy's
/// answers on the evaluation rows, the metrics at each evaluation step
/// (BinaryWriter encoding; doubles as their bits), CRC-32 of everything
/// before it. The report is not stored: it is recomputed from the answers and
/// the evaluation data, which gives the same bits. Written atomically.
public struct ComparisonStore: Sendable {
    public let directory: String
    /// Hash input shared by every run of the comparison: data, steps, interval, selection.
    let context: [UInt8]

    public static let magic: [UInt8] = Array("FGRPORUN".utf8)
    public static let version: UInt32 = 1
    /// Bytes a run file may have at most (about 60 million evaluation rows): a bigger file is not one of ours.
    static let maximumFileBytes = 1 << 28

    /// A stored run that cannot be used: where and why.
    public struct StoreError: Error, CustomStringConvertible, Sendable {
        public let path: String, reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Opens (creating it if needed) the store at `directory` for one comparison.
    public init(directory: String, train: Dataset, evalData: Dataset, steps: Int, evalEvery: Int, select: CheckpointSelection) throws {
        self.directory = directory
        for folder in [directory, directory + "/runs"] {
            if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw StoreError(path: folder, reason: "cannot create the folder: \(String(cString: strerror(errno)))")
            }
            var s = stat()
            guard stat(folder, &s) == 0, s.st_mode & S_IFMT == S_IFDIR else {
                throw StoreError(path: folder, reason: "is not a folder")
            }
        }
        var w = BinaryWriter()
        w.write("fairgrpo comparison run 1")
        for data in [train, evalData] {
            var d = BinaryWriter()
            Checkpoint.encode(data, &d)
            w.write(FNV128.hex(d.bytes))
        }
        w.write(steps); w.write(evalEvery); w.write(select.rawValue)
        context = w.bytes
    }

    /// The key of the run `trainer` (fresh, not yet stepped) would train.
    public func key(_ trainer: Trainer) throws -> String {
        if trainer.reward != nil {
            throw RLError("results= cannot store runs trained with a custom reward function: its code is not part of a run's key")
        }
        var w = BinaryWriter()
        w.writeBytes(context)
        trainer.config.encodeOptions(&w)
        let p = trainer.policy
        w.write(p.inputCount); w.write(p.classCount); w.write(p.hidden.count)
        for h in p.hidden { w.write(h) }
        w.write(p.activation.rawValue)
        for parameter in p.model.parameters { w.write(parameter.value) }
        return FNV128.hex(w.bytes)
    }

    func runPath(_ key: String) -> String { directory + "/runs/" + key + ".run" }
    func failurePath(_ key: String) -> String { directory + "/runs/" + key + ".failed" }

    /// Stores a finished run (atomically) and forgets an earlier failure of it.
    public func save(_ run: ComparisonRun, key: String) throws {
        var w = BinaryWriter()
        w.writeBytes(Self.magic)
        w.write(Self.version)
        w.write(key)
        w.write(run.method.rawValue); w.write(run.seed)
        w.write(run.steps); w.write(run.reportedStep)
        w.write(run.seconds)
        w.write(UInt32(run.predictions.count))
        for p in run.predictions { w.write(UInt32(p)) }
        w.write(UInt32(run.points.count))
        for point in run.points {
            w.write(point.step)
            let metrics = TableMetric.allCases.filter { point.metrics[$0] != nil }
            w.write(UInt32(metrics.count))
            for m in metrics { w.write(m.rawValue); w.write(point.metrics[m]!) }
        }
        w.write(CRC32.checksum(w.bytes))
        try FileIO.writeAtomically(w.bytes, to: runPath(key))
        unlink(failurePath(key))
    }

    /// Records why a run failed (for `fairgrpo status`); it is tried again next time.
    public func saveFailure(key: String, method: TrainerConfig.Method, seed: UInt64, message: String) throws {
        let text = "\(method.rawValue) \(seed)\n" + message.prefix(4000) + "\n"
        try FileIO.writeAtomically(Array(text.utf8), to: failurePath(key))
    }

    /// Writes the comparison's plan: its methods, seeds and every run's key, in run order.
    public func writePlan(methods: [TrainerConfig.Method], seeds: [UInt64], keys: [String]) throws {
        var lines = ["fairgrpo comparison plan 1", "methods " + methods.map(\.rawValue).joined(separator: " "),
                     "seeds " + seeds.map(String.init).joined(separator: " ")]
        var i = 0
        for m in methods {
            for s in seeds { lines.append("\(keys[i]) \(m.rawValue) \(s)"); i += 1 }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let path = directory + "/plan-" + String(FNV128.hex(Array(text.utf8)).prefix(16)) + ".txt"
        if let existing = try? FileIO.read(path, regularOnly: true), existing == Array(text.utf8) { return }
        try FileIO.writeAtomically(Array(text.utf8), to: path)
    }

    /// The stored run with this key, or nil when there is none. A file that is
    /// not a valid run of this key (truncated, corrupt, forged, another run's)
    /// is a `StoreError`; the caller trains the run again.
    public func load(key: String, method: TrainerConfig.Method, seed: UInt64, evalData: Dataset) throws -> ComparisonRun? {
        let path = runPath(key)
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        let record = try Self.decode(path: path, expectedKey: key)
        guard record.method == method, record.seed == seed else {
            throw StoreError(path: path, reason: "holds \(record.method.rawValue) seed \(record.seed), not \(method.rawValue) seed \(seed)")
        }
        guard record.predictions.count == evalData.count else {
            throw StoreError(path: path, reason: "holds answers for \(record.predictions.count) evaluation rows, not \(evalData.count)")
        }
        guard record.predictions.allSatisfy({ $0 < evalData.classNames.count }) else {
            throw StoreError(path: path, reason: "holds an answer outside the \(evalData.classNames.count) classes")
        }
        let report: FairnessReport
        do { report = try FairnessReport.evaluate(truth: evalData.labels, predictions: record.predictions, data: evalData) } catch {
            throw StoreError(path: path, reason: "its answers cannot be scored: \(error)")
        }
        return ComparisonRun(method: method, seed: seed, steps: record.steps, seconds: record.seconds, report: report,
                             predictions: record.predictions, reportedStep: record.reportedStep, points: record.points,
                             collapsed: ComparisonRun.collapse(predictions: record.predictions, data: evalData))
    }

    /// A run file's contents, checked: magic, version, checksum, key, and every size against the bytes left.
    struct Record {
        var key: String, method: TrainerConfig.Method, seed: UInt64, steps: Int, reportedStep: Int, seconds: Double
        var predictions: [Int], points: [ComparisonRun.Point]
    }

    static func decode(path: String, expectedKey: String?) throws -> Record {
        func corrupt(_ why: String) -> StoreError { StoreError(path: path, reason: why) }
        var s = stat()
        guard stat(path, &s) == 0 else { throw corrupt("cannot be read: \(String(cString: strerror(errno)))") }
        guard s.st_mode & S_IFMT == S_IFREG else { throw corrupt("is not a regular file") }
        guard Int(s.st_size) <= maximumFileBytes else { throw corrupt("is \(s.st_size) bytes, more than a run file can be") }
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, regularOnly: true) } catch { throw corrupt("cannot be read: \(error)") }
        guard bytes.count >= magic.count + 8, Array(bytes[0..<magic.count]) == magic else { throw corrupt("not a fairgrpo run file (wrong magic bytes)") }
        var tail = BinaryReader(Array(bytes[(bytes.count - 4)...]))
        let body = Array(bytes[0..<(bytes.count - 4)])
        var r = BinaryReader(body)
        do {
            _ = try r.readBytes(magic.count, "the magic bytes")
            let v = try r.readUInt32("the version")
            guard v == version else { throw corrupt("run file version \(v) is not supported (this build reads version \(version))") }
            guard CRC32.checksum(body) == (try tail.readUInt32()) else { throw corrupt("checksum mismatch: the file is corrupt or was modified") }
            let key = try r.readString("the key", maxLength: 64)
            if let expectedKey, key != expectedKey { throw corrupt("is the run \(key), not \(expectedKey) (renamed or copied file)") }
            let methodName = try r.readString("the method", maxLength: 64)
            guard let method = TrainerConfig.Method(rawValue: methodName) else { throw corrupt("unknown method \"\(methodName)\"") }
            let seed = try r.readUInt64("the seed")
            let steps = try r.readInt("the steps"), reportedStep = try r.readInt("the reported step")
            guard steps >= 1, (0...steps).contains(reportedStep) else { throw corrupt("steps \(steps) and reported step \(reportedStep) do not fit") }
            let seconds = try r.readDouble("the seconds")
            guard seconds.isFinite, seconds >= 0 else { throw corrupt("run time \(seconds) s is not a duration") }
            let count = Int(try r.readUInt32("the number of answers"))
            guard count <= r.remaining / 4 else { throw corrupt("claims \(count) answers but only \(r.remaining) bytes remain") }
            var predictions: [Int] = []
            predictions.reserveCapacity(count)
            for _ in 0..<count { predictions.append(Int(try r.readUInt32("an answer"))) }
            let pointCount = Int(try r.readUInt32("the number of evaluation steps"))
            guard pointCount <= r.remaining / 12 else { throw corrupt("claims \(pointCount) evaluation steps but only \(r.remaining) bytes remain") }
            var points: [ComparisonRun.Point] = []
            for _ in 0..<pointCount {
                let step = try r.readInt("an evaluation step")
                guard (0...steps).contains(step), step > (points.last?.step ?? -1) else { throw corrupt("evaluation step \(step) is out of order") }
                let n = Int(try r.readUInt32("the number of metrics"))
                guard n <= TableMetric.allCases.count else { throw corrupt("claims \(n) metrics at step \(step)") }
                var metrics: [TableMetric: Double] = [:]
                for _ in 0..<n {
                    let name = try r.readString("a metric name", maxLength: 64)
                    guard let m = TableMetric(rawValue: name) else { throw corrupt("unknown metric \"\(name)\"") }
                    let value = try r.readDouble("the value of \(name)")
                    guard value.isFinite else { throw corrupt("\(name) at step \(step) is \(value)") }
                    metrics[m] = value
                }
                points.append(.init(step: step, metrics: metrics))
            }
            guard r.remaining == 0 else { throw corrupt("\(r.remaining) bytes follow the run") }
            return Record(key: key, method: method, seed: seed, steps: steps, reportedStep: reportedStep, seconds: seconds,
                          predictions: predictions, points: points)
        } catch let e as ArchiveError {
            throw corrupt(e.description)
        }
    }
}

/// What a results folder holds, per comparison planned in it (`fairgrpo status`).
public struct StoreStatus: Sendable {
    public struct Plan: Sendable {
        public var file: String
        public var methods: [String], seeds: [String]
        public var runs: Int
        public var stored: [String] = []
        public var failed: [(run: String, message: String)] = []
        /// Run files that exist but cannot be used (trained again on the next run).
        public var unusable: [(run: String, reason: String)] = []
        public var remaining: [String] = []
    }
    public var plans: [Plan] = []
    /// Run files no plan names (from a comparison whose settings changed).
    public var unplanned = 0

    /// Reads the plans in `directory` and counts their runs.
    public static func read(_ directory: String) throws -> StoreStatus {
        func fail(_ why: String) -> ComparisonStore.StoreError { ComparisonStore.StoreError(path: directory, reason: why) }
        guard let names = FileIO.entries(of: directory) else { throw fail("cannot be read: \(String(cString: strerror(errno)))") }
        var status = StoreStatus()
        var planned = Set<String>()
        for name in names.sorted() where name.hasPrefix("plan-") && name.hasSuffix(".txt") {
            let path = directory + "/" + name
            var s = stat()
            guard stat(path, &s) == 0, s.st_mode & S_IFMT == S_IFREG, s.st_size <= 1 << 26 else { throw fail("\(name) is not a plan file") }
            let text = String(decoding: try FileIO.read(path, regularOnly: true), as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            guard lines.count >= 3, lines[0] == "fairgrpo comparison plan 1", lines[1].hasPrefix("methods "), lines[2].hasPrefix("seeds ") else {
                throw fail("\(name) is not a plan file (line 1 should be \"fairgrpo comparison plan 1\")")
            }
            var plan = Plan(file: name, methods: lines[1].split(separator: " ").dropFirst().map(String.init),
                            seeds: lines[2].split(separator: " ").dropFirst().map(String.init), runs: lines.count - 3)
            for (n, line) in lines.dropFirst(3).enumerated() {
                let words = line.split(separator: " ").map(String.init)
                guard words.count == 3, words[0].count == 32, words[0].allSatisfy(\.isHexDigit) else {
                    throw fail("\(name):\(n + 4): expected \"<key> <method> <seed>\", got \"\(line.prefix(60))\"")
                }
                let key = words[0], run = words[1] + " seed " + words[2]
                planned.insert(key)
                let store = directory + "/runs/" + key
                if access(store + ".run", F_OK) == 0 {
                    do {
                        _ = try ComparisonStore.decode(path: store + ".run", expectedKey: key)
                        plan.stored.append(run)
                        continue
                    } catch let e as ComparisonStore.StoreError { plan.unusable.append((run, e.reason)) }
                }
                if access(store + ".failed", F_OK) == 0 {
                    let raw = (try? FileIO.read(store + ".failed", regularOnly: true)) ?? []
                    let message = String(decoding: raw.prefix(4000), as: UTF8.self).split(separator: "\n").dropFirst().joined(separator: " ")
                    plan.failed.append((run, message))
                } else {
                    plan.remaining.append(run)
                }
            }
            status.plans.append(plan)
        }
        for name in FileIO.entries(of: directory + "/runs") ?? [] where name.hasSuffix(".run") && !planned.contains(String(name.dropLast(4))) {
            status.unplanned += 1
        }
        return status
    }
}

/// 128-bit FNV-1a: a stable hash (the same on every machine and in every
/// version) for naming stored runs. Not a defence against deliberate
/// collisions; every stored file is also checked against its own key.
enum FNV128 {
    static let offset: UInt128 = 0x6c62272e07bb014262b821756295c58d
    static let prime: UInt128 = 0x0000000001000000000000000000013B

    static func hash(_ bytes: [UInt8]) -> UInt128 {
        var h = offset
        for b in bytes { h = (h ^ UInt128(b)) &* prime }
        return h
    }

    /// The hash as 32 lowercase hex digits.
    static func hex(_ bytes: [UInt8]) -> String {
        let h = hash(bytes)
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 32 - s.count) + s
    }
}

/// One share of a study run as several processes (`fairgrpo run --shard i/n`,
/// a Slurm array task): of every comparison, the runs whose method-major
/// index is i modulo n. Round robin, so that each shard gets a mix of methods
/// (they differ several-fold in cost).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int, count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw RLError("--shard: the number of shards must be at least 1, got \(count)") }
        guard (0..<count).contains(index) else { throw RLError("--shard: shard \(index) of \(count) does not exist (shards are numbered 0 to \(count - 1))") }
        self.index = index; self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    public func includes(_ run: Int) -> Bool { run % count == index }

    /// "i/n", shards numbered from 0 as Slurm array tasks are.
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw RLError("--shard expects i/n (shard i of n, numbered from 0, e.g. 0/4), got '\(text)'")
        }
        return try Shard(index: i, count: n)
    }

    /// The shard of a Slurm array task (SLURM_ARRAY_TASK_ID, _COUNT, _MIN and
    /// _STEP, so --array=1-8 or 0-14:2 work too), or nil outside an array job.
    public static func fromSlurm(_ environment: [String: String]) throws -> Shard? {
        guard let idText = environment["SLURM_ARRAY_TASK_ID"], let countText = environment["SLURM_ARRAY_TASK_COUNT"] else { return nil }
        guard let id = Int(idText), let count = Int(countText) else {
            throw RLError("SLURM_ARRAY_TASK_ID=\(idText) and SLURM_ARRAY_TASK_COUNT=\(countText) are not whole numbers")
        }
        let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap { Int($0) } ?? 0
        let step = max(1, environment["SLURM_ARRAY_TASK_STEP"].flatMap { Int($0) } ?? 1)
        guard (id - minimum) % step == 0 else {
            throw RLError("SLURM_ARRAY_TASK_ID=\(id) is not on the array's grid (minimum \(minimum), step \(step))")
        }
        let index = (id - minimum) / step
        guard count >= 1, (0..<count).contains(index) else {
            throw RLError("Slurm array task \(id) is not one of \(count) tasks numbered from \(minimum) in steps of \(step)")
        }
        return try Shard(index: index, count: count)
    }
}
