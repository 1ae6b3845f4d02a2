import Cluster
import Tensors
import Testing

@Suite("Clustering: the reference elbow rule and k-means")
struct ClusterTests {
    @Test("elbow rule on hand-made inertia sequences")
    func referenceK() {
        // One fit (all vectors identical): k = 1.
        #expect(Elbow.referenceK(inertias: [0]) == 1)
        #expect(Elbow.referenceK(inertias: []) == 1)
        // Two distinct vectors: k_cap = 2 and no second drop to compare: 2.
        #expect(Elbow.referenceK(inertias: [4, 0]) == 2)
        // D1 = 8, D2 = 0.5 < 0.8 → 2.
        #expect(Elbow.referenceK(inertias: [10, 2, 1.5]) == 2)
        // D1 = 5, D2 = 4 ≥ 0.5 → k_cap = 3.
        #expect(Elbow.referenceK(inertias: [10, 5, 1]) == 3)
        // The boundary: D1 = 8, D2 = 0.8 is not < 0.8 → 3; just below → 2.
        #expect(Elbow.referenceK(inertias: [10, 2, 1.2]) == 3)
        #expect(Elbow.referenceK(inertias: [10, 2, 1.2000001]) == 2)
        // No improvement at all from k = 2 to 3 (D2 = 0 < 0.1·D1) → 2.
        #expect(Elbow.referenceK(inertias: [3, 1, 1]) == 2)
        // Flat: D1 = D2 = 0, 0 < 0 is false → k_cap.
        #expect(Elbow.referenceK(inertias: [1, 1, 1]) == 3)
        // A different tolerance.
        #expect(Elbow.referenceK(inertias: [10, 2, 1.5], tolerance: 0.05) == 3)
    }

    @Test("clusterReference: k = 1 for identical vectors, 2 for two distinct, elbow beyond")
    func clusterReference() throws {
        let same = try Elbow.clusterReference([[1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 1, 0]], seed: 0)
        #expect(same.centroids.count == 1 && same.labels == [0, 0, 0])
        let two = try Elbow.clusterReference([[1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]], seed: 0)
        #expect(two.centroids.count == 2 && two.sizes.sorted() == [1, 2])
        // Three well-separated reward patterns → D2 is a large drop too → k = 3.
        var three: [[Double]] = []
        for _ in 0..<5 { three += [[1, 1, 1, 1], [0, 0, 0, 0], [1, 0, 1, 0]] }
        let r3 = try Elbow.clusterReference(three, seed: 0)
        #expect(r3.centroids.count == 3 && r3.sizes == [5, 5, 5])
        // Two tight groups plus a small perturbation inside one → 2.
        let tight: [[Double]] = [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 0.875], [0, 0, 0, 0], [0, 0, 0, 0]]
        let r2 = try Elbow.clusterReference(tight, seed: 0)
        #expect(r2.centroids.count == 2 && r2.sizes.sorted() == [2, 3])
        // Empty input is an error, not a crash.
        #expect(throws: ClusterError.self) { try Elbow.clusterReference([], seed: 0) }
    }

    @Test("k-means recovers three well-separated blobs, seeded and deterministic")
    func blobs() throws {
        var rng = SeededGenerator(seed: 7)
        let centres: [[Double]] = [[0, 0], [10, 0], [0, 10]]
        var points: [[Double]] = [], truth: [Int] = []
        for i in 0..<150 {
            let c = i % 3
            points.append([centres[c][0] + 0.5 * rng.nextNormal(), centres[c][1] + 0.5 * rng.nextNormal()])
            truth.append(c)
        }
        let fit = try KMeans(k: 3, seed: 1).fit(points)
        #expect(try Agreement(fit.labels, truth).ari == 1)
        #expect(fit.sizes == [50, 50, 50])
        // Each centroid is within 0.3 of a true centre.
        for c in fit.centroids {
            #expect(centres.contains { abs($0[0] - c[0]) < 0.3 && abs($0[1] - c[1]) < 0.3 })
        }
        let again = try KMeans(k: 3, seed: 1).fit(points)
        #expect(again.labels == fit.labels && again.inertia == fit.inertia)
        // The elbow table falls steeply to k = 3 and then flattens.
        let table = try Elbow.table(try Tensor(shape: [150, 2], scalars: points.flatMap { $0.map(Float.init) }), kmax: 4, seed: 0)
        #expect(table.map(\.k) == [1, 2, 3, 4])
        #expect(table[1].inertia - table[2].inertia > 10 * (table[2].inertia - table[3].inertia))
    }
}
