import Cluster
import Foundation
import Lang
import Notebook
import Tensors
import Testing
import TestSupport

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


/// Σ (a − b)² of two points.
func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for (u, v) in zip(a, b) { s += (u - v) * (u - v) }
    return s
}
