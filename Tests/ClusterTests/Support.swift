import Cluster
import Foundation
import Lang
import Notebook
import Tensors
import Testing

// Shared helpers for the Cluster tests: the scikit-learn/NumPy reference
// fixture, synthetic data, and running builtins through a notebook session.

/// The committed reference values (Tests/ClusterTests/Fixtures), written by
/// scripts/cluster_reference.py and found from this file's location.
struct Reference: Decodable {
    struct Pair: Decodable {
        let name: String
        let a: [Int], b: [Int]
        let ari: Double, nmi: Double
        let table: [[Int]]
        let a_levels: [Int], b_levels: [Int]
    }
    struct Labeling: Decodable {
        let name: String
        let labels: [Int]
        let score: Double
    }
    struct SilhouetteSection: Decodable {
        let x: [[Double]]
        let labelings: [Labeling]
    }
    struct PCASection: Decodable {
        let x: [[Double]]
        let components: [[Double]]
        let explained_variance: [Double]
        let explained_variance_ratio: [Double]
    }
    let agreement: [Pair]
    let silhouette: SilhouetteSection
    let pca: PCASection

    static let directory: String = {
        let file = "\(#filePath)"
        return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    static func load() throws -> Reference {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/cluster_reference.json"))
        return try JSONDecoder().decode(Reference.self, from: data)
    }
}

/// A [n, d] tensor from rows of doubles (stored as Float32).
func matrix(_ rows: [[Double]]) throws -> Tensor {
    try Tensor(rows.map { $0.map(Float.init) })
}

/// Gaussian blobs: `perCluster` points around each centre with standard
/// deviation `std`, cluster by cluster; returns the points and true labels.
func blobs(centres: [[Double]], perCluster: Int, std: Double, seed: UInt64) -> (points: [[Double]], labels: [Int]) {
    var rng = SeededGenerator(seed: seed)
    var points: [[Double]] = [], labels: [Int] = []
    for (c, centre) in centres.enumerated() {
        for _ in 0..<perCluster {
            points.append(centre.map { $0 + std * rng.nextNormal() })
            labels.append(c)
        }
    }
    return (points, labels)
}

/// Points shuffled with their labels (so clusters are not in input order).
func shuffled(_ data: (points: [[Double]], labels: [Int]), seed: UInt64) -> (points: [[Double]], labels: [Int]) {
    var rng = SeededGenerator(seed: seed)
    let p = rng.permutation(data.points.count)
    return (p.map { data.points[$0] }, p.map { data.labels[$0] })
}

/// The adjusted Rand index of two labelings.
func ari(_ a: [Int], _ b: [Int]) throws -> Double { try Agreement(a, b).ari }

/// |a − b| ≤ atol + rtol·|b|.
func close(_ a: Double, _ b: Double, rtol: Double = 0, atol: Double) -> Bool {
    abs(a - b) <= atol + rtol * abs(b)
}

/// The message of a thrown ClusterError, or nil when `body` does not throw one.
func clusterErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let e as ClusterError {
        return e.description
    } catch {
        return "unexpected error \(error)"
    }
}

/// A notebook session whose printed output is collected.
final class Transcript {
    let session: Session
    private let box: Box
    private final class Box { var text = "" }

    init() {
        let box = Box()
        session = Session(sink: { box.text += $0 })
        self.box = box
    }

    /// Runs one cell and returns its status and what it printed (including
    /// errors, and with `echo` the values of expression statements, as the REPL shows them).
    @discardableResult
    func run(_ code: String, echo: Bool = false) -> (status: Session.Status, output: String) {
        let before = box.text.count
        let status = session.execute(code, echo: echo)
        return (status, String(box.text.dropFirst(before)))
    }

    func value(_ name: String) -> Value? { session.interpreter.value(of: name) }

    /// A number variable, or nil.
    func number(_ name: String) -> Double? {
        guard case .number(let d)? = value(name) else { return nil }
        return d
    }
}

/// A number with four decimals, as the builtins print it.
func fixed(_ v: Double) -> String { String(format: "%.4f", v) }

/// Σ (a − b)² of two points.
func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for (u, v) in zip(a, b) { s += (u - v) * (u - v) }
    return s
}
