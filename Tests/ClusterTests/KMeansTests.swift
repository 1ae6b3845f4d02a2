import Cluster
import Tensors
import Testing
import TestSupport

@Suite("Cluster: k-means")
struct KMeansTests {
    static let centres: [[Double]] = [[0, 0], [10, 0], [0, 10], [10, 10]]

    @Test("well-separated blobs are recovered exactly (ARI 1)")
    func blobsRecovered() throws {
        let data = shuffled(blobs(centres: Self.centres, perCluster: 50, std: 0.6, seed: 7), seed: 8)
        let result = try KMeans(k: 4, seed: 0).fit(data.points)
        #expect(try ari(result.labels, data.labels) == 1)
        #expect(result.sizes.sorted() == [50, 50, 50, 50])
        #expect(result.centroids.count == 4)
        // Each centre lies near a true one, and the inertia is the sum of squared distances to them.
        for centre in result.centroids {
            let nearest = Self.centres.map { squaredDistance($0, centre) }.min()!
            #expect(nearest < 0.1, "centre \(centre)")
        }
        var inertia = 0.0
        for (p, l) in zip(data.points, result.labels) {
            inertia += squaredDistance(p, result.centroids[l])
        }
        #expect(close(result.inertia, inertia, rtol: 1e-4, atol: 1e-6))
        #expect(result.iterations >= 1 && result.iterations <= 100)
        // The tensor entry point gives the same result.
        let viaTensor = try KMeans(k: 4, seed: 0).fit(try matrix(data.points))
        #expect(viaTensor.labels == result.labels)
        #expect(viaTensor.inertia == result.inertia)
    }

    @Test("blobs large enough to be split across two threads are recovered, deterministically")
    func largeBlobs() throws {
        // n · k · d = 15000 · 5 · 16 passes the threshold for two threads.
        var centres: [[Double]] = []
        for c in 0..<5 {
            var centre: [Double] = []
            for j in 0..<16 { centre.append(Double((c * 7 + j * 3) % 11) * 4) }
            centres.append(centre)
        }
        let data = shuffled(blobs(centres: centres, perCluster: 3000, std: 1, seed: 21), seed: 22)
        let x = try matrix(data.points)
        let first = try KMeans(k: 5, nInit: 2, seed: 4).fit(x)
        let second = try KMeans(k: 5, nInit: 2, seed: 4).fit(x)
        #expect(try ari(first.labels, data.labels) == 1)
        #expect(first.labels == second.labels)
        #expect(first.centroids == second.centroids)
        #expect(first.inertia == second.inertia)
        // Expected inertia: about n·d·σ².
        #expect(abs(first.inertia / Double(15000 * 16) - 1) < 0.05)
    }

    @Test("an initialisation that leaves a cluster empty recovers (scikit-learn's relocation)")
    func emptyClusterRecovers() throws {
        // Three groups on a line; the third starting centre is far from every point.
        let points: [[Double]] = [[0], [0.1], [0.2], [10], [10.1], [20], [20.1]]
        let truth = [0, 0, 0, 1, 1, 2, 2]
        let km = KMeans(k: 3, initialCentroids: [[0.1], [15], [1000]])
        let result = try km.fit(points)
        // Iteration 1 leaves cluster 2 empty: it takes 20.1, the point farthest from its centre.
        #expect(result.sizes == [3, 2, 2])
        #expect(try ari(result.labels, truth) == 1)
        #expect(result.labels == truth)
        #expect(close(result.centroids[0][0], 0.1, atol: 1e-5))
        #expect(close(result.centroids[1][0], 10.05, atol: 1e-5))
        #expect(close(result.centroids[2][0], 20.05, atol: 1e-5))
        #expect(close(result.inertia, 0.02 + 0.005 + 0.005, atol: 1e-5))
        #expect(result.iterations == 3)  // as scikit-learn's n_iter_
    }

    @Test("two clusters empty at once each take one of the farthest points (as scikit-learn)")
    func twoEmptyClusters() throws {
        let points: [[Double]] = [[0], [1], [2], [50], [51], [52], [100], [101], [102]]
        let result = try KMeans(k: 4, initialCentroids: [[1], [51], [-1000], [-2000]]).fit(points)
        // Iteration 1 puts 50…102 in cluster 1 and leaves 2 and 3 empty: they take 102 and
        // 101, the farthest points, which leave cluster 1. scikit-learn 1.9 (same init,
        // n_init=1) ends with these labels, centres and inertia after 3 iterations.
        #expect(result.labels == [0, 0, 0, 1, 1, 1, 3, 3, 2])
        #expect(result.centroids == [[1], [51], [102], [100.5]])
        #expect(close(result.inertia, 4.5, atol: 1e-9))
        #expect(result.iterations == 3)
    }

    @Test("initial centroids must match k and d")
    func initialCentroidsValidated() {
        let points: [[Double]] = [[0, 0], [1, 1], [2, 2]]
        #expect(clusterErrorMessage { _ = try KMeans(k: 2, initialCentroids: [[0, 0]]).fit(points) }?
            .contains("initial centroids must be 2 rows of 2 numbers") == true)
        #expect(clusterErrorMessage { _ = try KMeans(k: 1, initialCentroids: [[0, 0, 0]]).fit(points) } != nil)
        #expect(clusterErrorMessage { _ = try KMeans(k: 1, initialCentroids: [[.nan, 0]]).fit(points) } != nil)
        #expect(clusterErrorMessage {
            _ = try KMeans(k: 4, initialCentroids: [[0, 0], [1, 1], [2, 2], [3, 3]]).fit(points)
        }?.contains("for only 3 points") == true)
    }

    @Test("identical points: k capped at 1, inertia 0")
    func identicalPoints() throws {
        let points = [[Double]](repeating: [1.5, -2], count: 12)
        let result = try KMeans(k: 3).fit(points)
        #expect(result.centroids == [[1.5, -2]])
        #expect(result.inertia == 0)
        #expect(result.labels == [Int](repeating: 0, count: 12))
        #expect(result.sizes == [12])
    }

    @Test("k larger than the number of distinct points is capped; each distinct point is a cluster")
    func moreClustersThanDistinctPoints() throws {
        let points: [[Double]] = [[0, 0], [5, 5], [0, 0], [9, 0], [5, 5], [0, 0]]
        let result = try KMeans(k: 5, seed: 2).fit(points)
        #expect(result.centroids.count == 3)
        #expect(result.inertia == 0)
        #expect(result.labels[0] == result.labels[2] && result.labels[2] == result.labels[5])
        #expect(result.labels[1] == result.labels[4])
        #expect(Set([result.labels[0], result.labels[1], result.labels[3]]).count == 3)
        #expect(result.sizes.sorted() == [1, 2, 3])
        // k = n of distinct points exactly, in one run.
        let single = try KMeans(k: 3, nInit: 1).fit(points)
        #expect(single.inertia == 0)
    }

    @Test("sample weights move the centres to weighted means (hand-computed)")
    func sampleWeights() throws {
        let points: [[Double]] = [[0], [1], [10], [12]]
        // Unweighted: centres 0.5 and 11, inertia 0.25 + 0.25 + 1 + 1.
        let plain = try KMeans(k: 2).fit(points)
        #expect(Set(plain.centroids.map { $0[0] }) == [0.5, 11])
        #expect(close(plain.inertia, 2.5, atol: 1e-9))
        // Weights 3, 1, 1, 3: centres (0·3 + 1)/4 = 0.25 and (10 + 12·3)/4 = 11.5;
        // inertia 3·0.25² + 0.75² + 1.5² + 3·0.5² = 3.75.
        let weighted = try KMeans(k: 2).fit(points, weights: [3, 1, 1, 3])
        #expect(Set(weighted.centroids.map { $0[0] }) == [0.25, 11.5])
        #expect(close(weighted.inertia, 3.75, atol: 1e-9))
        #expect(weighted.labels[0] == weighted.labels[1] && weighted.labels[2] == weighted.labels[3])
        // Integer weights act like repeated rows.
        let repeated = try KMeans(k: 2).fit([[0], [0], [0], [1], [10], [12], [12], [12]])
        #expect(Set(repeated.centroids.map { $0[0] }) == [0.25, 11.5])
        #expect(close(repeated.inertia, 3.75, atol: 1e-9))
        // A zero-weight point is labelled but moves no centre and adds no inertia.
        let zero = try KMeans(k: 2).fit(points + [[100]], weights: [3, 1, 1, 3, 0])
        #expect(Set(zero.centroids.map { $0[0] }) == [0.25, 11.5])
        #expect(close(zero.inertia, 3.75, atol: 1e-9))
        #expect(zero.labels[4] == zero.labels[3])
    }

    @Test("k is capped at the distinct rows that carry weight")
    func zeroWeightRowsDoNotCount() throws {
        let result = try KMeans(k: 2).fit([[0], [1]], weights: [1, 0])
        #expect(result.centroids == [[0]])
        #expect(result.labels == [0, 0])
        #expect(result.inertia == 0)
        let three = try KMeans(k: 3).fit([[0], [1], [5], [5]], weights: [1, 1, 0, 0])
        #expect(three.centroids.count == 2)
        #expect(close(three.inertia, 0, atol: 1e-12))
    }

    @Test("the same seed gives the same result; different seeds can differ")
    func seeds() throws {
        var rng = SeededGenerator(seed: 99)
        let points = (0..<300).map { _ in [rng.nextUnitDouble() * 10, rng.nextUnitDouble() * 10] }
        let a = try KMeans(k: 6, nInit: 1, seed: 5).fit(points)
        let b = try KMeans(k: 6, nInit: 1, seed: 5).fit(points)
        #expect(a.labels == b.labels)
        #expect(a.centroids == b.centroids)
        #expect(a.inertia == b.inertia)
        #expect(a.iterations == b.iterations)
        let inertias = try (0..<12).map { try KMeans(k: 6, nInit: 1, seed: UInt64($0)).fit(points).inertia }
        #expect(Set(inertias).count > 1, "12 seeds on uniform data all gave inertia \(inertias[0])")
        // More restarts never do worse than the first of them.
        let four = try KMeans(k: 6, nInit: 4, seed: 5).fit(points)
        #expect(four.inertia <= a.inertia)
    }

    @Test("tol is relative to the data's variance: scaled data give the same clustering")
    func toleranceIsRelative() throws {
        var rng = SeededGenerator(seed: 3)
        let points = (0..<200).map { _ in [rng.nextNormal(), rng.nextNormal() * 2, rng.nextNormal()] }
        let scaled = points.map { $0.map { $0 * 1024 } }
        let km = KMeans(k: 4, nInit: 2, maxIter: 300, tol: 1e-2, seed: 1)
        let small = try km.fit(points), large = try km.fit(scaled)
        #expect(small.labels == large.labels)
        #expect(small.iterations == large.iterations)
        #expect(close(large.inertia, small.inertia * 1024 * 1024, rtol: 1e-6, atol: 0))
        // A looser tolerance stops no later.
        let loose = try KMeans(k: 4, nInit: 2, maxIter: 300, tol: 0.5, seed: 1).fit(points)
        #expect(loose.iterations <= small.iterations)
    }

    @Test("max_iter bounds the iterations; labels match the returned centres")
    func maxIterations() throws {
        var rng = SeededGenerator(seed: 11)
        let points = (0..<400).map { _ in [rng.nextNormal(), rng.nextNormal()] }
        let result = try KMeans(k: 7, nInit: 1, maxIter: 1, tol: 0, seed: 2).fit(points)
        #expect(result.iterations == 1)
        for (p, l) in zip(points, result.labels) {
            let distances = result.centroids.map { squaredDistance(p, $0) }
            #expect(distances[l] <= distances.min()! + 1e-5)
        }
    }

    @Test("bad input is rejected with a message")
    func errors() throws {
        #expect(clusterErrorMessage { _ = try KMeans(k: 2).fit([[Double]]()) } == "kmeans: no points to cluster")
        #expect(clusterErrorMessage { _ = try KMeans(k: 2).fit(Tensor.zeros([0, 3])) }?
            .contains("expected a non-empty [n, d] matrix") == true)
        #expect(clusterErrorMessage { _ = try KMeans(k: 2).fit(Tensor([1, 2, 3])) }?
            .contains("expected a non-empty [n, d] matrix") == true)
        #expect(clusterErrorMessage { _ = try KMeans(k: 2).fit([[0, 1], [2]]) } == "kmeans: points have different lengths")
        #expect(clusterErrorMessage { _ = try KMeans(k: 2).fit([[0, 1], [.nan, 2]]) } == "kmeans: the data contain NaN or infinite values")
        #expect(clusterErrorMessage { _ = try KMeans(k: 2).fit([[0, 1], [.infinity, 2]]) } != nil)
        #expect(clusterErrorMessage { _ = try KMeans(k: 0).fit([[0, 1], [1, 2]]) } == "kmeans: k must be at least 1, got 0")
        #expect(clusterErrorMessage { _ = try KMeans(k: 1, nInit: 0).fit([[0, 1]]) } != nil)
        #expect(clusterErrorMessage { _ = try KMeans(k: 1, maxIter: 0).fit([[0, 1]]) } != nil)
        #expect(clusterErrorMessage { _ = try KMeans(k: 1, tol: -1).fit([[0, 1]]) } != nil)
        let weightMessage = "kmeans: sample_weight must be 2 non-negative numbers, not all zero"
        #expect(clusterErrorMessage { _ = try KMeans(k: 1).fit([[0], [1]], weights: [1]) } == weightMessage)
        #expect(clusterErrorMessage { _ = try KMeans(k: 1).fit([[0], [1]], weights: [1, -1]) } == weightMessage)
        #expect(clusterErrorMessage { _ = try KMeans(k: 1).fit([[0], [1]], weights: [0, 0]) } == weightMessage)
        #expect(clusterErrorMessage { _ = try KMeans(k: 1).fit([[0], [1]], weights: [1, .nan]) } == weightMessage)
    }
}

@Suite("Cluster: choosing k")
struct ElbowTests {
    @Test("k_cap below 3: one inertia → 1, two → 2, none → 1")
    func smallCaps() {
        #expect(Elbow.referenceK(inertias: []) == 1)
        #expect(Elbow.referenceK(inertias: [42]) == 1)
        #expect(Elbow.referenceK(inertias: [0]) == 1)
        #expect(Elbow.referenceK(inertias: [10, 4]) == 2)
        #expect(Elbow.referenceK(inertias: [10, 10]) == 2)
    }

    @Test("three inertias: D2 < 0.10·D1 → 2, else 3")
    func threeInertias() {
        // D1 = 90, D2 = 0.5 < 9.
        #expect(Elbow.referenceK(inertias: [100, 10, 9.5]) == 2)
        // D1 = 50, D2 = 30 ≥ 5.
        #expect(Elbow.referenceK(inertias: [100, 50, 20]) == 3)
        // D1 = 100, D2 = 9.99 just under 10.
        #expect(Elbow.referenceK(inertias: [200, 100, 90.01]) == 2)
        // D2 larger than D1.
        #expect(Elbow.referenceK(inertias: [100, 95, 10]) == 3)
        // Nothing left to explain after k = 2: D2 = 0 < 0.1·D1.
        #expect(Elbow.referenceK(inertias: [8, 0, 0]) == 2)
        // No drop at all: D2 = 0 is not below 0.1·0.
        #expect(Elbow.referenceK(inertias: [5, 5, 5]) == 3)
    }

    @Test("exactly at the threshold (D2 = 0.10·D1) is not below it → 3")
    func atThreshold() {
        // D1 = 10, D2 = 1, and 0.10 · 10 == 1.0 exactly in floating point.
        #expect(0.10 * 10.0 == 1.0)
        #expect(Elbow.referenceK(inertias: [20, 10, 9]) == 3)
        // Just below and just above.
        #expect(Elbow.referenceK(inertias: [20, 10, 9.0000001]) == 2)
        #expect(Elbow.referenceK(inertias: [20, 10, 8.9999999]) == 3)
        // Another tolerance.
        #expect(Elbow.referenceK(inertias: [20, 10, 5], tolerance: 0.5) == 3)
        #expect(Elbow.referenceK(inertias: [20, 10, 5.5], tolerance: 0.5) == 2)
    }

    @Test("clusterReference picks k from the reward vectors")
    func clusterReference() throws {
        // Two tight groups: D2 is tiny next to D1.
        let two = blobs(centres: [[0, 0], [1, 1]], perCluster: 10, std: 0.01, seed: 1)
        let fitTwo = try Elbow.clusterReference(two.points, seed: 0)
        #expect(fitTwo.centroids.count == 2)
        #expect(try ari(fitTwo.labels, two.labels) == 1)
        // Three groups, evenly spread: k = 3.
        let three = blobs(centres: [[0, 0], [1, 0], [0, 1]], perCluster: 8, std: 0.01, seed: 2)
        let fitThree = try Elbow.clusterReference(three.points, seed: 0)
        #expect(fitThree.centroids.count == 3)
        #expect(try ari(fitThree.labels, three.labels) == 1)
        // One distinct vector: k = 1. Two distinct vectors: k = 2.
        #expect(try Elbow.clusterReference([[Double]](repeating: [0.5, 0.5], count: 6), seed: 0).centroids.count == 1)
        let pair = try Elbow.clusterReference([[0, 1], [1, 0], [0, 1]], seed: 0)
        #expect(pair.centroids.count == 2)
        #expect(pair.inertia == 0)
    }

    @Test("the elbow table lists the k-means inertia for k = 1…kmax")
    func table() throws {
        let data = blobs(centres: [[0, 0], [6, 0], [0, 6]], perCluster: 30, std: 0.5, seed: 4)
        let x = try matrix(data.points)
        let rows = try Elbow.table(x, kmax: 5, seed: 3)
        #expect(rows.map(\.k) == [1, 2, 3, 4, 5])
        for row in rows {
            #expect(row.inertia == (try KMeans(k: row.k, nInit: 4, seed: 3).fit(x).inertia))
        }
        for j in 1..<rows.count { #expect(rows[j].inertia <= rows[j - 1].inertia) }
        // The big drops stop at k = 3.
        #expect(Elbow.referenceK(inertias: rows.prefix(3).map(\.inertia)) == 3)
        #expect(clusterErrorMessage { _ = try Elbow.table(x, kmax: 0, seed: 0) } == "elbow: kmax must be at least 1")
    }
}

@Suite("Cluster: k-means with many centres in many dimensions (BLAS assignment)")
struct KMeansProductTests {
    /// 64 well-separated centres in 40 dimensions: the path that finds nearest
    /// centres through sgemm. Its labels must be the directly computed nearest
    /// centres, its inertia the directly computed sum, and the blobs recovered.
    @Test("the BLAS path recovers blobs and agrees with direct distances")
    func productsAgreeWithDirectDistances() throws {
        var rng = SeededGenerator(seed: 11)
        let k = 64, d = 40
        let centres: [[Double]] = (0..<k).map { _ in (0..<d).map { _ in Double.random(in: -20...20, using: &rng) } }
        let data = shuffled(blobs(centres: centres, perCluster: 30, std: 1.0, seed: 12), seed: 13)
        let result = try KMeans(k: k, nInit: 1, seed: 0).fit(data.points)
        #expect(try ari(result.labels, data.labels) == 1)
        var inertia = 0.0
        for (p, l) in zip(data.points, result.labels) {
            let distances = result.centroids.map { squaredDistance(p, $0) }
            let nearest = distances.indices.min { distances[$0] < distances[$1] }!
            #expect(nearest == l)
            inertia += distances[l]
        }
        #expect(close(result.inertia, inertia, rtol: 1e-4, atol: 1e-6))
        // Same seed, same result.
        let again = try KMeans(k: k, nInit: 1, seed: 0).fit(data.points)
        #expect(again.labels == result.labels && again.inertia == result.inertia)
    }
}
