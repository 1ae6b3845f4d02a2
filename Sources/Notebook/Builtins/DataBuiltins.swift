import Render
import Data
import Lang
import Tensors

/// A dataset as a language value.
public final class DatasetObject: LangObject {
    public let data: Dataset
    public init(_ data: Dataset) { self.data = data }

    public var typeName: String { "dataset" }
    public func render() -> String { data.headline(width: Terminal.width) }
    public func length() -> Int? { data.count }

    public var memberNames: [String] {
        ["name", "count", "features", "labels", "classes", "attributes", "domains", "domain_names", "groups", "ids",
         "feature_names", "describe", "head"]
    }

    public func member(_ name: String) throws -> Value? {
        let d = data
        switch name {
        case "name": return .string(d.name)
        case "count": return .number(Double(d.count))
        case "features": return .object(TensorObject(d.features))
        case "labels": return .list(d.labels.map { .number(Double($0)) })
        case "classes": return .list(d.classNames.map { .string($0) })
        case "attributes": return .list(d.attributes.map { .string($0.name) })
        case "domains": return .list(d.domains.map { .string(d.domainNames[$0]) })
        case "domain_names": return .list(d.domainNames.map { .string($0) })
        case "groups": return .list(d.groupKeys().map { .string($0) })
        case "ids": return .list(d.ids.map { .string($0) })
        case "feature_names": return .list(d.featureNames.map { .string($0) })
        case "describe": return .function(BoundMethod("describe") { _, i in i.write(d.describe() + "\n"); return .none })
        case "head":
            return .function(BoundMethod("head", [Parameter("n", default: .number(5))]) { a, _ in
                .object(TableObject(d.head(try DataBuiltins.rowCount(a))))
            })
        default:
            // An attribute's values by name: data.sex
            if let attr = d.attributes.first(where: { $0.name == name }) {
                return .list(attr.codes.map { $0 < 0 ? .none : .string(attr.levels[$0]) })
            }
            return nil
        }
    }
}

enum DataBuiltins {
    static func dataset(_ a: Arguments, _ name: String) throws -> Dataset {
        try a.object(name, as: DatasetObject.self, "a dataset").data
    }

    /// The `n` of head(): a whole number ≥ 0.
    static func rowCount(_ a: Arguments) throws -> Int {
        let n = try a.integer("n")
        guard n >= 0 else { throw RuntimeError("head(): n must be at least 0, got \(n)") }
        return n
    }

    /// A `seed=` argument: a whole number ≥ 0.
    static func seed(_ a: Arguments) throws -> UInt64 {
        let seed = try a.integer("seed")
        guard seed >= 0 else { throw RuntimeError("\(a.callee)(): seed must be non-negative, got \(seed)") }
        return UInt64(seed)
    }

    static func strings(_ a: Arguments, _ name: String) throws -> [String] {
        try a.list(name).map { v in
            guard case .string(let s) = v else { throw RuntimeError("\(a.callee)(): '\(name)' must be a list of column names, found \(v.typeName)") }
            return s
        }
    }

    static func roles(_ a: Arguments) throws -> CSVRoles {
        var roles = CSVRoles(label: try a.string("label"))
        roles.attributes = try strings(a, "attributes")
        roles.domain = try a.optionalString("domain")
        if a.parameters.contains(where: { $0.name == "id" }) { roles.id = try a.optionalString("id") }
        roles.groupID = try a.optionalString("group_id")
        if a.parameters.contains(where: { $0.name == "features" }), !a.isNone("features") { roles.features = try strings(a, "features") }
        roles.drop = try strings(a, "drop")
        roles.ageBins = try a.list("age_bins").map { v in
            guard case .number(let x) = v else { throw RuntimeError("\(a.callee)(): age_bins must be numbers") }
            return x
        }
        guard roles.ageBins == roles.ageBins.sorted(), !roles.ageBins.isEmpty else {
            throw RuntimeError("\(a.callee)(): age_bins must be increasing upper bounds, e.g. [25, 50, 75]")
        }
        if let delimiter = try a.optionalString("delimiter") {
            let bytes = Array(delimiter.utf8)
            guard bytes.count == 1 else { throw RuntimeError("\(a.callee)(): delimiter must be one character, e.g. \",\" or \"\\t\"") }
            roles.delimiter = bytes[0]
        }
        return roles
    }

    static func register(in session: Session) {
        let i = session.interpreter
        func value(_ d: Dataset) -> Value { .object(DatasetObject(d)) }

        i.register(BuiltinFunction(
            "demo", [Parameter("n", default: .number(20000)), Parameter("seed", default: .number(0))],
            summary: "The built-in synthetic benchmark shaped like the FairGRPO paper's seven datasets.",
            details: """
                Seven domains sized like the paper's datasets (212K : 2.5K : 20K : 33K : 10K : 2.3K : 362, \
                scaled to n), each with its own 2-3 classes; attributes sex and age bin (two domains record \
                age only); skewed group shares; minority groups shifted, noisier and with noisier labels; \
                5% of prompts without demographics. help(synth) describes every step and knob.
                """,
            example: "data = demo(); describe(data)"
        ) { a, _ in
            var config = SynthConfig()
            config.n = try a.integer("n")
            config.seed = try seed(a)
            return value(try Dataset.synthesize(config))
        })
        i.register(BuiltinFunction(
            "synth",
            [Parameter("n", default: .number(20000)), Parameter("seed", default: .number(0)),
             Parameter("male_share", default: .number(0.6)), Parameter("age_shares", default: .list([.number(0.08), .number(0.27), .number(0.45), .number(0.2)])),
             Parameter("separation", default: .number(1.5)), Parameter("noise", default: .number(1)),
             Parameter("difficulty", default: .number(1.5)), Parameter("label_noise", default: .number(0.3)),
             Parameter("missing", default: .number(0.05)), Parameter("informative", default: .number(16)),
             Parameter("concept_shift", default: .number(0)), Parameter("covariate_shift", default: .number(0)),
             Parameter("minority", default: .number(0.5)), Parameter("domains", default: .number(7))],
            summary: "The demo benchmark with every knob exposed, for teaching.",
            details: """
                Generative process:
                1. Seven domains sized 212K : 2.5K : 20K : 33K : 10K : 2.3K : 362, scaled to n (at least 20 rows each),
                   each with its own 2-3 classes ("domain/class").
                2. Sex (M with probability male_share) and age bin A1 ≤25, A2 26-50, A3 51-75, A4 >75 (age_shares),
                   independent. dermatology and ultrasound record age only. Group = intersection within the domain.
                3. Label: class c of the domain with prior weight 1/(c+1).
                4. Features: x = μ(d,c) + s(d,g) + ε over `informative` dimensions, then a one-hot of the domain.
                   μ(d,c) ~ N(0, separation²); s(d,g) has length difficulty·(1 − p_g/p_max)·separation in a random
                   direction (p_g: the group's share in its domain); ε ~ N(0, σ_g²), σ_g = noise·(1 + difficulty·(1 − p_g/p_max)).
                5. With probability label_noise·(1 − p_g/p_max) the label is redrawn uniformly: small groups are noisier.
                6. A fraction `missing` of rows lose their demographics (group UNK); the truth is kept for ARI/NMI.
                7. Minority rules (off by default). Minority groups: share below `minority` × the largest group's in
                   the domain. concept_shift=s draws a minority row of class c around (1 − s)·μ(d,c) + s·μ(d,c+1):
                   at 1 the minority's features for c are the majority's for the next class (a different decision
                   rule). covariate_shift=v moves each minority group by v·separation·√informative in its own
                   direction, so a policy can tell the rules apart by where a row lies. No label noise is added:
                   with label_noise=0 and difficulty=0 this is the case FairGRPO's weighting is designed for.
                domains=k keeps the first k of the seven domains (domains=1: chest_xray alone, 3 classes, 8 groups).
                """,
            example: "shifted = synth(n=4000, difficulty=0, label_noise=0, concept_shift=1, covariate_shift=1)"
        ) { a, _ in
            var c = SynthConfig()
            c.n = try a.integer("n")
            c.seed = try seed(a)
            c.maleShare = try a.number("male_share")
            c.ageShares = try a.list("age_shares").map { v in
                guard case .number(let x) = v else { throw RuntimeError("synth(): age_shares must be 4 numbers") }
                return x
            }
            c.separation = try a.number("separation")
            c.noise = try a.number("noise")
            c.difficulty = try a.number("difficulty")
            c.labelNoise = try a.number("label_noise")
            c.missing = try a.number("missing")
            c.informative = try a.integer("informative")
            c.conceptShift = try a.number("concept_shift")
            c.covariateShift = try a.number("covariate_shift")
            c.minorityShare = try a.number("minority")
            let domains = try a.integer("domains")
            guard (1...SynthConfig.paperDomains.count).contains(domains) else {
                throw RuntimeError("synth(): domains must be between 1 and \(SynthConfig.paperDomains.count), got \(domains)")
            }
            c.domains = Array(SynthConfig.paperDomains.prefix(domains))
            c.name = "synth"
            return value(try Dataset.synthesize(c))
        })
        let roleParameters = [
            Parameter("label"), Parameter("attributes", default: .list([])), Parameter("domain", default: Value.none),
            Parameter("group_id", default: Value.none), Parameter("drop", default: .list([])),
            Parameter("age_bins", default: .list([.number(25), .number(50), .number(75)])), Parameter("delimiter", default: Value.none),
        ]
        i.register(BuiltinFunction(
            "load_csv", [Parameter("path")] + roleParameters + [Parameter("id", default: Value.none), Parameter("features", default: Value.none)],
            summary: "Loads a CSV table as a dataset, with a role for each column.",
            details: """
                label: the class column (required). attributes: demographic columns; numeric ones (age) are binned \
                with age_bins (upper bounds: [25, 50, 75] gives ≤25, 26-50, 51-75, >75). domain: the data source \
                column (default: one domain). id: a prompt id column. group_id: a patient id, for grouped splits. \
                features: the feature columns (default: every other column not in drop). \
                RFC 4180 quoting, CRLF, a UTF-8 BOM and the delimiter (, ; tab |) are handled; missing values are \
                empty, NA, N/A, NaN, null or ?. Categorical features are one-hot encoded; numeric ones standardised \
                (refitted on the training rows by split). Rows without a label are dropped, with a note.
                """,
            example: "heart = load_csv(\"data/clinical/heart_cleveland_orange.numeric.csv\", label=\"fg_label\", attributes=[\"fg_sex\", \"fg_age\"], drop=[\"fg_age_group\"])"
        ) { a, _ in value(try CSVLoader.load(path: try a.string("path"), roles: try roles(a))) })
        i.register(BuiltinFunction(
            "load_images", [Parameter("manifest")] + roleParameters + [Parameter("path_column", default: .string("path")),
                                                                     Parameter("size", default: .number(16)), Parameter("color", default: .bool(false)),
                                                                     Parameter("allow_outside", default: .bool(false))],
            summary: "Loads PNG images listed in a manifest CSV (a path column plus label, attributes, domain).",
            details: "Paths are relative to the manifest's folder and must stay inside it (no absolute paths, no .. or links leading out) unless allow_outside=true. Each image is read in any PNG colour type and bit depth, converted to gray (or RGB with color=true), resized to size×size by area averaging, and its pixels scaled to [0, 1] become the features.",
            example: "xr = load_images(\"scans/manifest.csv\", label=\"finding\", attributes=[\"sex\"], size=16)"
        ) { a, _ in
            value(try ImageFolder.load(manifest: try a.string("manifest"), roles: try roles(a), pathColumn: try a.string("path_column"),
                                       size: try a.integer("size"), color: try a.bool("color"),
                                       allowOutside: try a.bool("allow_outside")))
        })
        i.register(BuiltinFunction(
            "dataset", [Parameter("name")],
            summary: "A real clinical table shipped with fairgrpo: " + Catalog.entries.map(\.name).joined(separator: ", ") + ".",
            details: Catalog.entries.map { "\($0.name): \($0.summary)" }.joined(separator: "\n"),
            example: "heart = dataset(\"heart_cleveland\")"
        ) { a, _ in value(try Catalog.load(try a.string("name"))) })
        i.register(BuiltinFunction(
            "describe", [Parameter("data")], summary: "Sizes and label balance per domain, training group and attribute.",
            example: "describe(demo())"
        ) { a, interp in interp.write(try dataset(a, "data").describe() + "\n"); return .none })
        i.register(BuiltinFunction(
            "head", [Parameter("data"), Parameter("n", default: .number(5))], summary: "The first n rows of a dataset (features standardised, as the policy sees them) or of a table, as a table.",
            example: "head(demo(), 3)"
        ) { a, _ in
            if case .object(let o) = a["data"], let t = o as? TableObject {
                return .object(TableObject(t.table.rows(Array(0..<min(try rowCount(a), t.table.rowCount)))))
            }
            return .object(TableObject(try dataset(a, "data").head(try rowCount(a))))
        })
        i.register(BuiltinFunction(
            "split",
            [Parameter("data"), Parameter("test", default: .number(0.2)), Parameter("seed", default: .number(0)),
             Parameter("stratify", default: .string("none")), Parameter("by", default: Value.none)],
            summary: "Splits into [train, test]; features are rescaled with the training rows' statistics.",
            details: "stratify: \"none\", \"label\" or \"group\" (each stratum split in proportion). When the dataset was loaded with group_id (a patient id), every patient's rows stay on one side, so no patient is both trained on and scored; by=\"group_id\" insists on it (an error without ids), by=\"row\" splits rows regardless (patients may then leak across).",
            example: "train, test = split(demo(), test=0.2, seed=1, stratify=\"label\")"
        ) { a, _ in
            guard let s = Dataset.Stratification(rawValue: try a.string("stratify")) else {
                throw RuntimeError("split(): stratify must be \"none\", \"label\" or \"group\"")
            }
            var grouped: Bool? = nil
            if let by = try a.optionalString("by") {
                guard by == "group_id" || by == "row" else { throw RuntimeError("split(): by must be \"group_id\" or \"row\" (default: group_id when the dataset has one)") }
                grouped = by == "group_id"
            }
            let seed = try a.integer("seed")
            guard seed >= 0 else { throw RuntimeError("split(): seed must be non-negative") }
            let (train, test) = try dataset(a, "data").split(test: try a.number("test"), seed: UInt64(seed), stratify: s, groupedByID: grouped)
            return .list([value(train), value(test)])
        })
        i.register(BuiltinFunction(
            "mask", [Parameter("data"), Parameter("attribute", default: Value.none), Parameter("fraction", default: .number(1)), Parameter("seed", default: .number(0))],
            summary: "Hides an attribute (or all, when none) for a fraction of rows; the truth is kept for ARI/NMI.",
            example: "blind = mask(demo(), \"sex\", 0.5, seed=0)"
        ) { a, _ in
            value(try dataset(a, "data").masked(attribute: try a.optionalString("attribute"), fraction: try a.number("fraction"),
                                                seed: UInt64(max(0, try a.integer("seed")))))
        })
        i.register(BuiltinFunction(
            "filter", [Parameter("data"), Parameter("domain", default: Value.none), Parameter("group", default: Value.none)],
            summary: "The rows of one domain and/or one training group.",
            example: "xr = filter(demo(), domain=\"chest_xray\", group=\"F,A1\")"
        ) { a, _ in value(try dataset(a, "data").filtered(domain: try a.optionalString("domain"), group: try a.optionalString("group"))) })
        i.register(BuiltinFunction(
            "save_csv", [Parameter("data"), Parameter("path")],
            summary: "Writes a dataset as CSV (id, domain, attributes, label, raw features), atomically.",
            example: "save_csv(demo(n=1000), \"demo.csv\")"
        ) { a, interp in
            let path = try a.string("path")
            let d = try dataset(a, "data")
            try d.saveCSV(to: path)
            interp.write("wrote \(path) (\(d.count) rows)\n")
            return .none
        })
    }
}
