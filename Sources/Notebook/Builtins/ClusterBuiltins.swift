import Render
import Cluster
import Data
import Lang
import Tensors

/// A k-means result as a language value.
public final class ClusteringObject: LangObject {
    public let result: KMeans.Result
    public init(_ result: KMeans.Result) { self.result = result }
    public var typeName: String { "clustering" }
    public func render() -> String {
        "clustering: k \(result.centroids.count) · sizes \(result.sizes) · inertia \(formatFixed(result.inertia, 4)) · \(result.iterations) iterations"
    }
    public func length() -> Int? { result.labels.count }
    public var memberNames: [String] { ["labels", "centroids", "inertia", "iterations", "sizes", "k"] }
    public func member(_ name: String) throws -> Value? {
        switch name {
        case "labels": return .list(result.labels.map { .number(Double($0)) })
        case "centroids": return .object(TensorObject(try Tensor(result.centroids.map { $0.map(Float.init) })))
        case "inertia": return .number(result.inertia)
        case "iterations": return .number(Double(result.iterations))
        case "sizes": return .list(result.sizes.map { .number(Double($0)) })
        case "k": return .number(Double(result.centroids.count))
        default: return nil
        }
    }
}

enum ClusterBuiltins {
    /// A feature matrix from a tensor, a dataset (its features) or nested lists.
    static func matrix(_ v: Value, _ what: String) throws -> Tensor {
        if case .object(let o) = v, let d = o as? DatasetObject { return d.data.features }
        let t = try TensorBuiltins.tensor(from: v, what: what)
        guard t.rank == 2 else { throw RuntimeError("\(what) must be a matrix [n, d] (or a dataset), got shape \(formatShape(t.shape))") }
        return t
    }

    /// Integer labels from a clustering, a list of numbers or strings, or a tensor. Missing (none) becomes −1.
    /// The names of text labels in the codes labels() gives them (first appearance order), or nil for numeric labels.
    static func levelNames(_ v: Value) -> [String]? {
        guard case .list(let l) = v else { return nil }
        var names: [String] = [], seen: Set<String> = []
        for case .string(let s) in l.items where seen.insert(s).inserted { names.append(s) }
        return names.isEmpty ? nil : names
    }

    static func labels(_ v: Value, _ what: String) throws -> [Int] {
        if case .object(let o) = v, let c = o as? ClusteringObject { return c.result.labels }
        let items: [Value]
        switch v {
        case .list(let l): items = l.items
        case .object(let o):
            guard let t = o as? TensorObject else { throw RuntimeError("\(what) must be labels: a clustering, a list or a tensor") }
            items = t.tensor.scalars.map { .number(Double($0)) }
        default: throw RuntimeError("\(what) must be labels: a clustering, a list or a tensor, got \(v.typeName)")
        }
        var names: [String: Int] = [:]
        return try items.map { item in
            switch item {
            case .number(let d):
                guard d == d.rounded() else { throw RuntimeError("\(what): labels must be whole numbers, got \(formatNumber(d))") }
                return Int(d)
            case .string(let s):
                if let k = names[s] { return k }
                names[s] = names.count
                return names.count - 1
            case .none: return -1
            default: throw RuntimeError("\(what): labels must be numbers or strings, found \(item.typeName)")
            }
        }
    }

    static func register(in session: Session) {
        let i = session.interpreter
        i.register(BuiltinFunction(
            "kmeans",
            [Parameter("x"), Parameter("k"), Parameter("seed", default: .number(0)), Parameter("n_init", default: .number(4)),
             Parameter("max_iter", default: .number(100)), Parameter("tol", default: .number(1e-4)), Parameter("sample_weight", default: Value.none)],
            summary: "k-means as scikit-learn's KMeans (k-means++ init, n_init restarts, Lloyd); x is a tensor or a dataset.",
            example: "c = kmeans(pca(data.features, 2), k=4, seed=0); c.sizes"
        ) { a, _ in
            var weights: [Double]?
            if !a.isNone("sample_weight") {
                weights = try a.list("sample_weight").map { v in
                    guard case .number(let w) = v else { throw RuntimeError("kmeans(): sample_weight must be numbers") }
                    return w
                }
            }
            let km = KMeans(k: try a.integer("k"), nInit: try a.integer("n_init"), maxIter: try a.integer("max_iter"),
                            tol: try a.number("tol"), seed: UInt64(max(0, try a.integer("seed"))))
            return .object(ClusteringObject(try km.fit(try matrix(a["x"], "x"), weights: weights)))
        })
        i.register(BuiltinFunction(
            "elbow", [Parameter("x"), Parameter("kmax", default: .number(8)), Parameter("seed", default: .number(0))],
            summary: "Inertia for k = 1…kmax and the FairGRPO reference's pick (k ≤ 3, tolerance 0.10).",
            example: "elbow(data, kmax=6)"
        ) { a, _ in
            let x = try matrix(a["x"], "x")
            let rows = try Elbow.table(x, kmax: try a.integer("kmax"), seed: UInt64(max(0, try a.integer("seed"))))
            let pick = Elbow.referenceK(inertias: Array(rows.prefix(3)).map(\.inertia))
            let table = DataTable([Column("k", integers: rows.map(\.k)), Column("inertia", numbers: rows.map(\.inertia)),
                                   Column("drop", numbers: rows.indices.map { j in j == 0 ? nil : rows[j - 1].inertia - rows[j].inertia })],
                                  title: "reference elbow rule picks k = \(pick)", kind: "elbow")
            return .object(TableObject(table))
        })
        i.register(BuiltinFunction(
            "silhouette", [Parameter("x"), Parameter("labels"), Parameter("sample", default: .number(10000)), Parameter("seed", default: .number(0))],
            summary: "Mean silhouette coefficient of a labeling (Euclidean), on a seeded sample of points when n is large.",
            example: "silhouette(x, kmeans(x, k=3).labels)"
        ) { a, _ in
            .number(try Silhouette.score(try matrix(a["x"], "x"), labels: try labels(a["labels"], "labels"),
                                         sampleSize: try a.integer("sample"), seed: UInt64(max(0, try a.integer("seed")))))
        })
        i.register(BuiltinFunction(
            "align", [Parameter("a"), Parameter("b")],
            summary: "How well two labelings agree: adjusted Rand index, normalised mutual information (arithmetic) and the contingency table.",
            details: "Typical use: discovered clusters against the true (masked) groups. Items missing in either labeling are left out. The result prints as ARI, NMI and the contingency table, and has members ari, nmi and table (the contingency table, rows a's labels, columns b's; heatmap(align(a, b).table) draws it).",
            example: "align(c, data.sex)"
        ) { a, _ in
            let agreement = try Agreement(try labels(a["a"], "a"), try labels(a["b"], "b"))
            // Text labels (data.sex) keep their names in the table instead of their codes.
            let aNames = levelNames(a["a"]), bNames = levelNames(a["b"])
            func name(_ level: Int, _ names: [String]?) -> String { names.flatMap { level >= 0 && level < $0.count ? $0[level] : nil } ?? String(level) }
            let table = DataTable([Column("a", label: "a \\ b", texts: agreement.aLevels.map { name($0, aNames) })]
                                    + agreement.bLevels.enumerated().map { j, level in
                                        Column(name(level, bNames), integers: agreement.table.map { $0[j] })
                                    },
                                  title: "contingency table", kind: "contingency", keys: ["a"])
            return .object(AlignmentObject(ari: agreement.ari, nmi: agreement.nmi, table: table))
        })
        i.register(BuiltinFunction(
            "pca", [Parameter("x"), Parameter("components", default: .number(2))],
            summary: "Projection onto the leading principal components (through BLAS), for plotting clusters.",
            example: "xy = pca(data, 2)"
        ) { a, _ in
            .object(TensorObject(try PCA.fit(try matrix(a["x"], "x"), components: try a.integer("components")).projection))
        })
        ClusterViews.register(in: session)
    }
}

/// What align() returns: prints as the scores and the contingency table (so
/// `a = align(...)` prints nothing and `a` shows it), with the numbers as members.
final class AlignmentObject: LangObject {
    let ari: Double, nmi: Double
    let table: DataTable
    init(ari: Double, nmi: Double, table: DataTable) { self.ari = ari; self.nmi = nmi; self.table = table }

    var typeName: String { "alignment" }
    func render() -> String {
        var untitled = table
        untitled.title = nil
        return "ARI \(formatFixed(ari, 4)) · NMI \(formatFixed(nmi, 4))\n" + untitled.text
    }
    var memberNames: [String] { ["ari", "nmi", "table"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "ari": return .number(ari)
        case "nmi": return .number(nmi)
        case "table": return .object(TableObject(table))
        default: return nil
        }
    }
}
