import Cluster
import Tensors
import Testing
import TestSupport

/// ARI, NMI, contingency tables, silhouette and PCA against scikit-learn and
/// NumPy (Fixtures/cluster_reference.json, from scripts/cluster_reference.py).
@Suite("Cluster: scikit-learn references")
struct ReferenceTests {
    let reference: Reference

    init() throws { reference = try Reference.load() }

    @Test("the fixture covers the cases it is meant to")
    func fixtureCoverage() {
        let names = Set(reference.agreement.map(\.name))
        for needed in ["identical", "permuted", "one trivial", "both trivial", "with singletons",
                       "all singletons vs 4", "random 4 vs 4", "random 3 vs 5", "different sizes 2 vs 6, n=60"] {
            #expect(names.contains(needed), "fixture lacks \(needed)")
        }
        #expect(reference.silhouette.labelings.count >= 5)
    }

    @Test("adjusted Rand index matches adjusted_rand_score to 1e-9")
    func adjustedRand() throws {
        for pair in reference.agreement {
            let got = try Agreement(pair.a, pair.b).ari
            #expect(close(got, pair.ari, atol: 1e-9), "\(pair.name): ARI \(got), scikit-learn \(pair.ari)")
            // ARI is symmetric.
            let swapped = try Agreement(pair.b, pair.a).ari
            #expect(close(swapped, pair.ari, atol: 1e-9), "\(pair.name) swapped: ARI \(swapped)")
        }
    }

    @Test("NMI (arithmetic) matches normalized_mutual_info_score to 1e-9")
    func normalizedMutualInformation() throws {
        for pair in reference.agreement {
            let got = try Agreement(pair.a, pair.b).nmi
            #expect(close(got, pair.nmi, atol: 1e-9), "\(pair.name): NMI \(got), scikit-learn \(pair.nmi)")
            let swapped = try Agreement(pair.b, pair.a).nmi
            #expect(close(swapped, pair.nmi, atol: 1e-9), "\(pair.name) swapped: NMI \(swapped)")
        }
    }

    @Test("contingency tables and their levels match contingency_matrix")
    func contingency() throws {
        for pair in reference.agreement {
            let agreement = try Agreement(pair.a, pair.b)
            #expect(agreement.table == pair.table, "\(pair.name)")
            #expect(agreement.aLevels == pair.a_levels, "\(pair.name)")
            #expect(agreement.bLevels == pair.b_levels, "\(pair.name)")
            #expect(agreement.table.flatMap { $0 }.reduce(0, +) == pair.a.count)
        }
    }

    @Test("silhouette matches silhouette_score (full, Euclidean) to 1e-5")
    func silhouette() throws {
        let x = try matrix(reference.silhouette.x)
        for labeling in reference.silhouette.labelings {
            let got = try Silhouette.score(x, labels: labeling.labels, sampleSize: nil)
            #expect(close(got, labeling.score, atol: 1e-5),
                    "\(labeling.name): silhouette \(got), scikit-learn \(labeling.score)")
            // A sample at least as large as the data scores every point.
            let sampled = try Silhouette.score(x, labels: labeling.labels, sampleSize: 10_000, seed: 3)
            #expect(sampled == got, "\(labeling.name)")
        }
    }

    @Test("PCA matches NumPy's SVD: components (scikit-learn's signs), explained variance and ratio")
    func pcaAgainstSVD() throws {
        let ref = reference.pca
        let x = try matrix(ref.x)
        let k = ref.components.count
        let result = try PCA.fit(x, components: k)
        #expect(result.components.count == k)
        for c in 0..<k {
            let got = result.components[c], want = ref.components[c]
            let worst = zip(got, want).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "component \(c): \(got) vs \(want)")
            #expect(close(result.explainedVariance[c], ref.explained_variance[c], rtol: 1e-4, atol: 1e-6),
                    "explained variance \(c): \(result.explainedVariance[c]) vs \(ref.explained_variance[c])")
            #expect(close(result.explainedRatio[c], ref.explained_variance_ratio[c], atol: 1e-5),
                    "explained ratio \(c): \(result.explainedRatio[c]) vs \(ref.explained_variance_ratio[c])")
        }
        // The projection is the centred data times the components.
        let n = ref.x.count, d = ref.x[0].count
        let means = (0..<d).map { j in ref.x.reduce(0) { $0 + $1[j] } / Double(n) }
        let projection = result.projection.scalars
        #expect(result.projection.shape == [n, k])
        var worst = 0.0
        for i in 0..<n {
            for c in 0..<k {
                let want = (0..<d).reduce(0.0) { $0 + (ref.x[i][$1] - means[$1]) * ref.components[c][$1] }
                worst = max(worst, abs(Double(projection[i * k + c]) - want))
            }
        }
        #expect(worst < 1e-3, "projection differs by \(worst)")
    }
}
