import Cluster
import Tensors
import Testing
import TestSupport

@Suite("Cluster: agreement, silhouette and PCA")
struct MeasuresTests {
    @Test("agreement of hand-made labelings")
    func agreementByHand() throws {
        let same = try Agreement([0, 0, 1, 1, 2], [5, 5, 3, 3, 9])
        #expect(same.ari == 1 && same.nmi == 1)
        #expect(same.table == [[0, 2, 0], [2, 0, 0], [0, 0, 1]])
        #expect(same.aLevels == [0, 1, 2] && same.bLevels == [3, 5, 9])
        let opposite = try Agreement([0, 0, 1, 1], [0, 1, 0, 1])
        #expect(close(opposite.ari, -0.5, atol: 1e-12))
        #expect(close(opposite.nmi, 0, atol: 1e-12))
        // Items with a negative (missing) label in either labeling are left out.
        let missing = try Agreement([0, 0, -1, 1, 1], [1, 1, 0, 0, -1])
        #expect(missing.table == [[0, 2], [1, 0]])
        #expect(missing.table.flatMap { $0 }.reduce(0, +) == 3)
    }

    @Test("agreement errors: different lengths, nothing labelled")
    func agreementErrors() {
        #expect(clusterErrorMessage { _ = try Agreement([0, 1, 1], [0, 1]) } == "align: the labelings have 3 and 2 items")
        #expect(clusterErrorMessage { _ = try Agreement([], []) } == "align: no item is labelled in both")
        #expect(clusterErrorMessage { _ = try Agreement([-1, 0], [1, -1]) } == "align: no item is labelled in both")
    }

    @Test("agreement from a contingency table: the numbers of the labelings it counts, bit for bit")
    func agreementFromTable() throws {
        var rng = SeededGenerator(seed: 3)
        let a = (0..<500).map { _ in rng.nextIndex(below: 4) }
        let b = a.map { rng.nextUnitDouble() < 0.7 ? $0 % 3 : rng.nextIndex(below: 3) }
        let labelled = try Agreement(a, b)
        let counted = try Agreement(table: labelled.table)
        #expect(counted.table == labelled.table && counted.ari == labelled.ari && counted.nmi == labelled.nmi)
        #expect(counted.ari > 0.2 && counted.ari < 1)
        // Trivial tables keep scikit-learn's special cases.
        #expect(try Agreement(table: [[5]]).ari == 1 && Agreement(table: [[5]]).nmi == 1)
        #expect(try Agreement(table: [[1, 0], [0, 1]]).ari == 1)
        #expect(clusterErrorMessage { _ = try Agreement(table: [[1, 0], [2, 0]]) }?.contains("each row and column") == true)
        #expect(clusterErrorMessage { _ = try Agreement(table: []) } != nil)
    }

    @Test("silhouette of two tight, distant clusters is close to 1; sampling is seeded")
    func silhouetteByHand() throws {
        let data = blobs(centres: [[0, 0], [100, 0]], perCluster: 20, std: 0.1, seed: 5)
        let x = try matrix(data.points)
        let score = try Silhouette.score(x, labels: data.labels, sampleSize: nil)
        #expect(score > 0.99 && score <= 1)
        // Exact value for four points on a line: clusters {0, 1} and {3, 4}.
        // Point 0: a = 1, b = (3 + 4)/2 = 3.5 → 1 − 1/3.5; symmetric for the others.
        let line = try matrix([[0], [1], [3], [4]])
        let expected = ((1 - 1 / 3.5) + (1 - 1 / 2.5) + (1 - 1 / 2.5) + (1 - 1 / 3.5)) / 4
        #expect(close(try Silhouette.score(line, labels: [0, 0, 1, 1], sampleSize: nil), expected, atol: 1e-6))
        // A sample of the points: deterministic for a seed.
        let s1 = try Silhouette.score(x, labels: data.labels, sampleSize: 10, seed: 1)
        let s2 = try Silhouette.score(x, labels: data.labels, sampleSize: 10, seed: 1)
        #expect(s1 == s2)
        #expect(s1 > 0.99)
    }

    @Test("silhouette errors: label count, cluster count, NaN")
    func silhouetteErrors() throws {
        let x = try matrix([[0, 0], [1, 1], [2, 2]])
        #expect(clusterErrorMessage { _ = try Silhouette.score(x, labels: [0, 1]) }?
            .contains("2 labels for data of shape [3, 2]") == true)
        #expect(clusterErrorMessage { _ = try Silhouette.score(x, labels: [0, 0, 0]) } == "silhouette: needs 2 to n−1 clusters, got 1")
        #expect(clusterErrorMessage { _ = try Silhouette.score(x, labels: [0, 1, 2]) } == "silhouette: needs 2 to n−1 clusters, got 3")
        #expect(clusterErrorMessage { _ = try Silhouette.score(Tensor.zeros([0, 2]), labels: []) } != nil)
        let bad = try matrix([[0, 0], [1, .nan], [2, 2]])
        #expect(clusterErrorMessage { _ = try Silhouette.score(bad, labels: [0, 1, 1]) } == "silhouette: the data contain NaN or infinite values")
    }

    @Test("PCA finds a known dominant direction (up to sign) and its share of the variance")
    func pcaDominantDirection() throws {
        // Points spread along u = (0.6, 0.8) with σ = 10, and σ = 0.1 across it.
        var rng = SeededGenerator(seed: 17)
        let u = [0.6, 0.8], v = [-0.8, 0.6]
        let points = (0..<500).map { _ -> [Double] in
            let t = 10 * rng.nextNormal(), s = 0.1 * rng.nextNormal()
            return [3 + t * u[0] + s * v[0], -1 + t * u[1] + s * v[1]]
        }
        let result = try PCA.fit(try matrix(points), components: 2)
        let first = result.components[0]
        let alignment = abs(first[0] * u[0] + first[1] * u[1])
        #expect(alignment > 0.99999, "component \(first)")
        // scikit-learn's sign convention: the largest entry is positive, so this is +u.
        #expect(first[1] > 0 && first[0] > 0)
        #expect(result.explainedRatio[0] > 0.9998 && result.explainedRatio[0] < 1)
        #expect(close(result.explainedRatio[0] + result.explainedRatio[1], 1, atol: 1e-9))
        #expect(close(result.explainedVariance[0], 100, rtol: 0.15, atol: 0))
        #expect(close(result.explainedVariance[1], 0.01, rtol: 0.15, atol: 0))
        // Components are orthonormal.
        let second = result.components[1]
        #expect(close(first[0] * second[0] + first[1] * second[1], 0, atol: 1e-9))
        #expect(close(first[0] * first[0] + first[1] * first[1], 1, atol: 1e-9))
    }

    @Test("PCA of axis-aligned data: exact components and ratios 18:8:2")
    func pcaAxisAligned() throws {
        let x = try matrix([[3, 0, 0], [-3, 0, 0], [0, 2, 0], [0, -2, 0], [0, 0, 1], [0, 0, -1]])
        let result = try PCA.fit(x, components: 3)
        #expect(result.components == [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        for (got, want) in zip(result.explainedVariance, [18.0 / 5, 8.0 / 5, 2.0 / 5]) { #expect(close(got, want, atol: 1e-6)) }
        for (got, want) in zip(result.explainedRatio, [18.0 / 28, 8.0 / 28, 2.0 / 28]) { #expect(close(got, want, atol: 1e-6)) }
        #expect(result.projection.shape == [6, 3])
        let first = try PCA.fit(x, components: 1)
        #expect(first.projection.scalars == [3, -3, 0, 0, 0, 0])
    }

    @Test("PCA errors: too few rows, component count, NaN")
    func pcaErrors() throws {
        #expect(clusterErrorMessage { _ = try PCA.fit(try matrix([[1, 2]])) }?.contains("at least 2 rows") == true)
        #expect(clusterErrorMessage { _ = try PCA.fit(Tensor.zeros([0, 2])) }?.contains("at least 2 rows") == true)
        let x = try matrix([[1, 2], [3, 4], [5, 7]])
        #expect(clusterErrorMessage { _ = try PCA.fit(x, components: 0) } == "pca: components must be in 1…2, got 0")
        #expect(clusterErrorMessage { _ = try PCA.fit(x, components: 3) } == "pca: components must be in 1…2, got 3")
        let bad = try matrix([[1, 2], [3, .nan], [5, 7]])
        #expect(clusterErrorMessage { _ = try PCA.fit(bad) } == "pca: the data contain NaN or infinite values")
    }
}
