#if canImport(Glibc)
import Glibc
#endif

/// Rollouts recorded by a training run elsewhere (verl, TRL, any JSONL or
/// CSV), grouped as a GRPO trainer groups them: by prompt within each step.
public struct Rollouts: Sendable {
    /// One prompt of one step with its G rollouts.
    public struct Prompt: Sendable {
        /// The prompt's text (or JSON, for conversational prompts): what rollouts are grouped by.
        public var prompt: String
        public var domain: String
        /// The training group (`M,A3`, `A2`, `M,UNK`, …); `UNK` when no demographics were recorded.
        public var group: String
        public var rewards: [Double]
        /// The completions, when recorded (empty otherwise).
        public var completions: [String]
        /// The advantages the run logged (TRL's `advantage` column), when recorded.
        public var advantages: [Double]?
        /// The line of the prompt's first rollout.
        public var line: Int

        public init(prompt: String, domain: String, group: String, rewards: [Double], completions: [String] = [],
                    advantages: [Double]? = nil, line: Int = 0) {
            self.prompt = prompt; self.domain = domain; self.group = group; self.rewards = rewards
            self.completions = completions; self.advantages = advantages; self.line = line
        }
    }

    public struct Step: Sendable {
        public var step: Int
        public var prompts: [Prompt]
        public init(step: Int, prompts: [Prompt]) { self.step = step; self.prompts = prompts }
    }

    public var steps: [Step]
    /// Where they came from ("verl dump of 3 files", a path…).
    public var source: String
    /// Prompts whose number of rollouts differs from the step's usual G (reported, not split or padded).
    public var ragged: [String] = []
    public var notes: [String] = []

    public init(steps: [Step], source: String) {
        self.steps = steps
        self.source = source
        ragged = Rollouts.raggedReport(steps)
    }

    public var rolloutCount: Int { steps.reduce(0) { $0 + $1.prompts.reduce(0) { $0 + $1.rewards.count } } }
    public var promptCount: Int { steps.reduce(0) { $0 + $1.prompts.count } }
    public var domainNames: [String] {
        var seen = Set<String>(), out: [String] = []
        for s in steps { for p in s.prompts where seen.insert(p.domain).inserted { out.append(p.domain) } }
        return out
    }

    /// For each step: prompts with a number of rollouts other than the step's most common one.
    static func raggedReport(_ steps: [Step]) -> [String] {
        var out: [String] = []
        for s in steps {
            var counts: [Int: Int] = [:]
            for p in s.prompts { counts[p.rewards.count, default: 0] += 1 }
            guard counts.count > 1 else { continue }
            let g = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
            for p in s.prompts where p.rewards.count != g {
                let text = p.prompt.count > 40 ? String(p.prompt.prefix(37)) + "..." : p.prompt
                out.append("step \(s.step): prompt at line \(p.line) (\"\(String(text.map { $0 == "\n" ? " " : $0 }))\") has \(p.rewards.count) rollouts where the step's others have \(g)")
            }
        }
        return out
    }
}

/// Which recorded field plays which role.
public struct RolloutFields: Sendable {
    public enum Format: String, Sendable, CaseIterable { case verl, trl, jsonl, csv }
    public var format: Format
    public var prompt: String?
    /// Reward fields, summed (TRL logs one column per reward function); nil: the format's default.
    public var reward: [String]?
    public var step: String?
    public var completion: String?
    /// Keep each rollout's completion text (for `trace`); off by default, since decoding long
    /// completions costs more than everything else a load does. Naming `completion` turns it on.
    public var keepCompletions = false
    public var advantage: String?
    public var domain: String?
    /// A field holding the authors' demo strings ("sex: Male, age: 68").
    public var demo: String?
    /// Fields holding separate attributes (sex, age, …).
    public var attributes: [String] = []
    public var ageBins: [Double] = [25, 50, 75]

    public init(format: Format) { self.format = format }
}

extension Rollouts {
    /// Loads a verl rollout dump (a directory of `<step>.jsonl` files, or one of them),
    /// TRL's logged completions (JSONL or CSV exported from the completions table),
    /// or any JSONL/CSV file with the fields named in `fields`.
    public static func load(path: String, fields f: RolloutFields) throws -> Rollouts {
        var files = [path]
        var isDirectory = false
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { isDirectory = true }
        if isDirectory {
            files = try listFiles(path, extensions: f.format == .csv ? [".csv"] : [".jsonl", ".json"])
            guard !files.isEmpty else {
                throw DataError.invalidArgument("\(path) holds no \(f.format == .csv ? ".csv" : ".jsonl") files (verl writes one <step>.jsonl per step to trainer.rollout_data_dir)")
            }
        }
        // The format's default field names.
        var promptField = f.prompt, stepField = f.step, completionField = f.completion, advantageField = f.advantage
        let keepCompletions = f.keepCompletions || f.completion != nil
        var rewardFields = f.reward
        switch f.format {
        case .verl:
            promptField = promptField ?? "input"; stepField = stepField ?? "step"; completionField = completionField ?? "output"
            rewardFields = rewardFields ?? ["score"]
        case .trl:
            promptField = promptField ?? "prompt"; stepField = stepField ?? "step"; completionField = completionField ?? "completion"
            advantageField = advantageField ?? "advantage"
        case .jsonl, .csv:
            break
        }
        guard let promptField else {
            throw DataError.invalidArgument("format \"\(f.format.rawValue)\" needs prompt= (the field holding the prompt)")
        }
        var steps: [Step] = []
        var stepIndex: [Int: Int] = [:]
        var notes: [String] = []
        for file in files {
            // Only the fields a role can use are decoded (TRL's reward columns are found by looking at every one).
            var wanted: [String]? = nil
            if f.format != .trl && f.format != .csv {
                wanted = [promptField, stepField, keepCompletions ? completionField : nil, advantageField, f.domain, f.demo].compactMap { $0 }
                    + (rewardFields ?? []) + f.attributes + ["data_source", "domain", "dataset", "demo", "demographics"]
            }
            let table = try f.format == .csv ? csvColumns(path: file) : JSONLines.read(path: file, fields: wanted)
            guard table.rowCount > 0 else { throw DataError.malformed(file: file, line: 1, column: nil, reason: "no records") }
            func required(_ name: String, _ role: String) throws -> [JSONCell] {
                guard let c = table.column(name) else {
                    let available = wanted == nil ? table.names : JSONLines.firstRecordKeys(path: file)
                    throw DataError.unknownColumn(file: file, role: role, name: name, available: available)
                }
                return c
            }
            let prompts = try required(promptField, "prompt")
            // TRL: every numeric column that is not another role is a reward function's.
            var rewardNames = rewardFields ?? []
            if rewardFields == nil {
                guard f.format == .trl else {
                    throw DataError.invalidArgument("format \"\(f.format.rawValue)\" needs reward= (the field holding each rollout's reward)")
                }
                let roles = Set([promptField, stepField, completionField, advantageField, f.domain, f.demo].compactMap { $0 } + f.attributes + ["mode", "image", "images"])
                rewardNames = table.names.filter { name in
                    !roles.contains(name) && table.column(name)!.contains { if case .number = $0 { return true }; return false }
                }
                guard !rewardNames.isEmpty else {
                    throw DataError.badFile(file: file, reason: "no reward columns found (TRL logs one numeric column per reward function); name them with reward=")
                }
                if steps.isEmpty { notes.append("reward = " + rewardNames.joined(separator: " + ")) }
            }
            let rewardColumns = try rewardNames.map { try required($0, "reward") }
            let stepColumn = try stepField.map { name -> [JSONCell] in
                if let c = table.column(name) { return c }
                // A user-named step field must exist; a format's default may be absent (one step per file).
                if f.step != nil {
                    throw DataError.unknownColumn(file: file, role: "step", name: name, available: wanted == nil ? table.names : JSONLines.firstRecordKeys(path: file))
                }
                return []
            }
            let completions = keepCompletions ? completionField.flatMap { table.column($0) } : nil
            let advantages = advantageField.flatMap { table.column($0) }
            func present(_ name: String) -> Bool { table.column(name).map { $0.contains { $0 != .missing } } ?? false }
            let domainName = f.domain ?? ["data_source", "domain", "dataset"].first(where: present)
            let domains = try domainName.map { try required($0, "domain") }
            let demoName = f.demo ?? (f.attributes.isEmpty ? ["demo", "demographics"].first(where: present) : nil)
            let demos = try demoName.map { try required($0, "demo") }
            let attributeColumns = try f.attributes.map { try required($0, "attribute") }
            let fileStep = isDirectory ? Int(baseName(file).prefix { $0.isNumber }) : nil
            // Group rows by (step, prompt), in order of first appearance. A prompt's rollouts
            // are usually consecutive, so the previous row's prompt is tried before the look-up.
            var slot: [Int: [PromptKey: Int]] = [:]
            var previous: (s: Int, q: Int, prompt: String, domain: String)?
            // Demo strings repeat (every rollout of a prompt carries one): each is parsed once.
            var demoGroups: [String: String] = [:]
            for r in 0..<table.rowCount {
                let line = table.lines[r]
                func bad(_ reason: String) -> DataError { DataError.malformed(file: file, line: line, column: nil, reason: reason) }
                guard let prompt = prompts[r].text else { throw bad("no prompt (field \"\(promptField)\" is \(describe(prompts[r])))") }
                var reward = 0.0
                for (k, column) in rewardColumns.enumerated() {
                    guard let v = column[r].number, v.isFinite else {
                        throw bad("reward field \"\(rewardNames[k])\" is \(describe(column[r])); expected a finite number")
                    }
                    reward += v
                }
                var step = fileStep ?? 1
                if !(stepColumn ?? []).isEmpty {
                    guard let v = stepColumn![r].number, v == v.rounded(), abs(v) < 1e12 else {
                        throw bad("step field \"\(stepField!)\" is \(describe(stepColumn![r])); expected a whole number")
                    }
                    step = Int(v)
                }
                let domain = domains.map { $0[r].text ?? "unknown" } ?? "all"
                let group: String
                if !attributeColumns.isEmpty {
                    group = Demographics.groupKey(attributes: zip(f.attributes, attributeColumns).map { ($0, $1[r].text) }, ageBins: f.ageBins)
                } else if let demos {
                    let text = demos[r].text ?? ""
                    if let g = demoGroups[text] { group = g } else {
                        group = Demographics.groupKey(demo: text, ageBins: f.ageBins)
                        demoGroups[text] = group
                    }
                } else {
                    group = Demographics.unknown
                }
                let s: Int
                if let i = stepIndex[step] { s = i } else { s = steps.count; stepIndex[step] = s; steps.append(Step(step: step, prompts: [])) }
                var q = -1
                if let last = previous, last.s == s, last.prompt == prompt, last.domain == domain {
                    q = last.q
                } else {
                    q = slot[s, default: [:]][PromptKey(domain: domain, prompt: prompt)] ?? -1
                }
                if q < 0 {
                    q = steps[s].prompts.count
                    slot[s, default: [:]][PromptKey(domain: domain, prompt: prompt)] = q
                    steps[s].prompts.append(Prompt(prompt: prompt, domain: domain, group: group, rewards: [], completions: [],
                                                   advantages: advantages == nil ? nil : [], line: line))
                } else if steps[s].prompts[q].group != group {
                    throw bad("this rollout of the prompt first seen on line \(steps[s].prompts[q].line) has group \(group), that one \(steps[s].prompts[q].group)")
                }
                previous = (s, q, prompt, domain)
                steps[s].prompts[q].rewards.append(reward)
                if let completions { steps[s].prompts[q].completions.append(completions[r].text ?? "") }
                if let advantages {
                    guard let a = advantages[r].number else { throw bad("advantage field is \(describe(advantages[r])); expected a number") }
                    steps[s].prompts[q].advantages?.append(a)
                }
            }
        }
        steps.sort { $0.step < $1.step }
        var rollouts = Rollouts(steps: steps, source: isDirectory ? "\(path) (\(files.count) files)" : path)
        rollouts.notes = notes
        return rollouts
    }

    static func describe(_ cell: JSONCell) -> String {
        switch cell {
        case .missing: return "missing"
        case .null: return "null"
        case .text(let s): return "\"\(s.count > 30 ? String(s.prefix(27)) + "..." : s)\""
        case .number(let v): return "\(v)"
        case .bool(let b): return b ? "true" : "false"
        case .json: return "an array or object"
        }
    }

    /// Files of a directory with one of the extensions, numbered names in numeric order (verl's 1.jsonl, 2.jsonl, … 10.jsonl).
    static func listFiles(_ directory: String, extensions: [String]) throws -> [String] {
        guard let dir = opendir(directory) else { throw DataError.invalidArgument("cannot open \(directory): \(String(cString: strerror(errno)))") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if extensions.contains(where: { name.hasSuffix($0) }) { names.append(name) }
        }
        names.sort(by: CSVLoader.naturalOrder)
        return names.map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
    }

    static func baseName(_ path: String) -> String { CSVLoader.baseName(path) }

    /// A CSV file as record columns (every field text; numbers are read from it when asked).
    static func csvColumns(path: String) throws -> RecordColumns {
        let reader = try CSVReader(mapping: path)
        var header: [String] = []
        var columns: [[JSONCell]] = []
        var lines: [Int] = []
        try reader.forEachRecord { line, fields in
            if header.isEmpty {
                header = fields.map { reader.text($0) }
                columns = header.map { _ in [] }
                return
            }
            guard fields.count == header.count else {
                throw DataError.malformed(file: path, line: line, column: nil, reason: "this row has \(fields.count) fields but the header has \(header.count)")
            }
            for (c, field) in fields.enumerated() { columns[c].append(reader.isMissing(field) ? .null : .text(reader.text(field))) }
            lines.append(line)
        }
        return RecordColumns(file: path, names: header, columns: columns, lines: lines)
    }
}

/// A recorded prompt within a step: its id is unique only within its domain.
private struct PromptKey: Hashable {
    var domain: String, prompt: String
}
