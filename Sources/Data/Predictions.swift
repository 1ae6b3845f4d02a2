import Tensors

/// A model's answers on an evaluation set, with the true answers, the data
/// source and demographics of each case, loaded from an evaluation dump so
/// the fairness report can score them (`metrics(p)`).
///
/// Answers inside `\boxed{…}` are read as the FairGRPO authors' evaluation
/// reads them: the first `\boxed{` up to the first `}`, trimmed; a text
/// without one is the answer itself when `boxed` is false. With
/// `multiLabel`, an answer is a comma-separated set of labels, compared as a
/// set (order, spaces and case do not matter): the class is the sorted set.
public struct Predictions: Sendable {
    /// Cases as a dataset without features: labels are the true answers,
    /// attributes sex and age, domains the data sources.
    public var data: Dataset
    /// Predicted class index per case (into `data.classNames`).
    public var predicted: [Int]
    public var notes: [String] = []

    public struct Fields: Sendable {
        public var prediction: String?
        public var truth: String?
        public var domain: String?
        public var demo: String?
        public var attributes: [String] = []
        public var boxed = true
        public var multiLabel = false
        /// Cases without a readable answer: scored as wrong (false) or left out (true, as the authors' script does).
        public var dropUnparsed = false
        public var ageBins: [Double] = [25, 50, 75]
        public init() {}
    }

    /// The class a prediction without a readable answer gets (never a true answer).
    public static let noAnswer = "(no answer)"

    /// The answer inside the first `\boxed{…}` (up to the first `}`), trimmed; nil when there is none.
    public static func boxedAnswer(_ text: String) -> String? {
        guard let open = text.firstRange(of: "\\boxed{") else { return nil }
        let rest = text[open.upperBound...]
        guard let close = rest.firstIndex(of: "}") else { return nil }
        return String(rest[..<close]).trimmingCharacters(in: " \t\n")
    }

    /// A label set's canonical spelling: labels split on commas, trimmed, lower-cased, sorted, joined by ", ".
    public static func labelSet(_ text: String) -> String {
        text.split(separator: ",").map { String($0).trimmingCharacters(in: " \t\n").lowercased() }.filter { !$0.isEmpty }.sorted().joined(separator: ", ")
    }

    public static func load(path: String, fields f: Fields) throws -> Predictions {
        let table: RecordColumns
        if path.hasSuffix(".csv") || path.hasSuffix(".tsv") {
            table = try Rollouts.csvColumns(path: path)
        } else if path.hasSuffix(".json") {
            table = try JSONLines.readDocument(path: path)
        } else {
            table = try JSONLines.read(path: path)
        }
        let file = table.file
        func pick(_ given: String?, _ defaults: [String], _ role: String) throws -> (String, [JSONCell])? {
            if let given {
                guard let c = table.column(given) else { throw DataError.unknownColumn(file: file, role: role, name: given, available: table.names) }
                return (given, c)
            }
            for name in defaults { if let c = table.column(name) { return (name, c) } }
            return nil
        }
        guard let (_, predictionColumn) = try pick(f.prediction, ["prediction", "predictions", "output", "response", "completion"], "prediction") else {
            throw DataError.invalidArgument("\(file) has no prediction field (looked for prediction, predictions, output, response, completion); name it with prediction=")
        }
        guard let (_, truthColumn) = try pick(f.truth, ["ground_truth", "ground_truths", "truth", "answer", "label", "gts"], "truth") else {
            throw DataError.invalidArgument("\(file) has no true-answer field (looked for ground_truth(s), truth, answer, label, gts); name it with truth=")
        }
        let domainColumn = try pick(f.domain, ["dataset", "datasets", "data_source", "domain"], "domain")?.1
        let demoColumn = f.attributes.isEmpty ? try pick(f.demo, ["demo", "demographics"], "demo")?.1 : nil
        let attributeColumns = try f.attributes.map { name -> [JSONCell] in
            guard let c = table.column(name) else { throw DataError.unknownColumn(file: file, role: "attribute", name: name, available: table.names) }
            return c
        }
        func canonical(_ s: String) -> String { f.multiLabel ? labelSet(s) : s.trimmingCharacters(in: " \t\n") }
        var truths: [String] = [], answers: [String] = [], domains: [String] = [], rows: [Int] = []
        var unparsed = 0
        for r in 0..<table.rowCount {
            guard let truthText = truthColumn[r].text else {
                throw DataError.malformed(file: file, line: table.lines[r], column: nil, reason: "no true answer (\(Rollouts.describe(truthColumn[r])))")
            }
            let truth = canonical(f.boxed ? (boxedAnswer(truthText) ?? truthText) : truthText)
            let raw = predictionColumn[r].text ?? ""
            var answer: String? = f.boxed ? boxedAnswer(raw) : raw
            if let a = answer, canonical(a).isEmpty { answer = nil }
            if answer == nil {
                unparsed += 1
                if f.dropUnparsed { continue }
            }
            truths.append(truth)
            answers.append(answer.map(canonical) ?? noAnswer)
            domains.append(domainColumn?[r].text ?? "all")
            rows.append(r)
        }
        guard !rows.isEmpty else { throw DataError.invalidArgument("\(file): no case has a readable answer") }
        // Classes: the true answers, then predicted answers that are never true, in sorted order.
        var classNames = Array(Set(truths)).sorted()
        let extra = Array(Set(answers).subtracting(classNames)).sorted()
        classNames += extra
        let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        let (domainNames, domainCodes) = CSVLoader.encodeLevels(domains, numericOrder: false)
        // Attributes: sex and age from demo strings, or the named fields.
        var attributes: [Attribute] = []
        if let demoColumn {
            let parsed = rows.map { Demographics.parse(demo: demoColumn[$0].text ?? "", ageBins: f.ageBins) }
            let sexes = parsed.map { $0.sex ?? "" }
            let (levels, codes) = CSVLoader.encodeLevels(sexes, numericOrder: false)
            if !levels.isEmpty { attributes.append(Attribute(name: "sex", levels: levels, codes: codes)) }
            // The bin names "A1"… index the same levels load_csv gives a binned age.
            var age = CSVLoader.binned(name: "age", values: [], bins: f.ageBins)
            age.codes = parsed.map { p -> Int in
                guard let a = p.age, a.hasPrefix("A"), let k = Int(a.dropFirst()) else { return -1 }
                return k - 1
            }
            if age.codes.contains(where: { $0 >= 0 }) { attributes.append(age) }
        } else {
            for (name, column) in zip(f.attributes, attributeColumns) {
                let values = rows.map { column[$0] }
                let lower = name.lowercased()
                if lower.contains("age"), values.allSatisfy({ $0.number != nil || $0.text == nil }) {
                    attributes.append(CSVLoader.binned(name: name, values: values.map { $0.number ?? .nan }, bins: f.ageBins))
                } else {
                    let (levels, codes) = CSVLoader.encodeLevels(values.map { $0.text ?? "" }, numericOrder: false)
                    attributes.append(Attribute(name: name, levels: levels, codes: codes))
                }
            }
        }
        let n = rows.count
        var data = Dataset(name: CSVLoader.baseName(file), rawFeatures: try Tensor(shape: [n, 0], scalars: []), featureNames: [], numeric: [],
                           labels: truths.map { index[$0]! }, classNames: classNames, attributes: attributes, domains: domainCodes,
                           domainNames: domainNames, ids: rows.map { String(table.lines[$0]) }, groupIDs: nil)
        var notes: [String] = []
        if unparsed > 0 {
            notes.append(f.dropUnparsed ? "\(unparsed) cases without a readable answer left out"
                                        : "\(unparsed) cases without a readable answer count as wrong (drop_unparsed=true: left out)")
        }
        let never = extra.filter { $0 != noAnswer }
        if !never.isEmpty { notes.append("answers never true: " + never.prefix(5).joined(separator: "; ") + (never.count > 5 ? "; …" : "")) }
        data.notes = notes
        var p = Predictions(data: data, predicted: answers.map { index[$0]! })
        p.notes = notes
        return p
    }
}
