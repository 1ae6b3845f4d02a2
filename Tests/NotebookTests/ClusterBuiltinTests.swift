import Cluster
import Lang
import Notebook
import Tensors
import Testing
import TestSupport

/// The cluster builtins as a notebook user calls them: kmeans, elbow,
/// silhouette, align and pca, with the session's printed output captured.
@Suite("Cluster builtins")
struct ClusterBuiltinsTests {
    /// Three tight groups of four points in 2-D, as source text and as rows.
    static let rows: [[Double]] = [
        [0, 0], [0.2, 0.1], [0.1, 0.3], [0.3, 0.2],
        [5, 5], [5.2, 5.1], [5.1, 5.3], [5.3, 5.2],
        [0, 8], [0.2, 8.1], [0.1, 8.3], [0.3, 8.2],
    ]
    static let truth = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    static var source: String {
        "x = tensor([" + rows.map { "[\($0[0]), \($0[1])]" }.joined(separator: ", ") + "])"
    }

    @Test("kmeans returns a clustering with the library's result")
    func kmeans() throws {
        let t = Transcript()
        #expect(t.run(Self.source).status == .ok)
        let (status, output) = t.run("""
            c = kmeans(x, k=3, seed=2)
            print(c.k, c.sizes, c.iterations >= 1, len(c))
            c
            """, echo: true)
        #expect(status == .ok, "\(output)")
        let expected = try KMeans(k: 3, seed: 2).fit(Self.rows)
        #expect(output.hasPrefix("3 [4, 4, 4] true 12\n"), "\(output)")
        #expect(output.contains("clustering: k 3 · sizes [4, 4, 4] · inertia "), "\(output)")
        t.run("l = c.labels")
        guard case .list(let labels)? = t.value("l") else {
            Issue.record("c.labels is not a list")
            return
        }
        let got = labels.items.map { item -> Int in
            if case .number(let d) = item { return Int(d) }
            return -99
        }
        #expect(got == expected.labels)
        #expect(try Agreement(got, Self.truth).ari == 1)
        t.run("inertia = c.inertia")
        #expect(t.number("inertia") == expected.inertia)
        // The centroids are a 3 × 2 tensor.
        #expect(t.run("print(c.centroids.shape)").output == "[3, 2]\n")
    }

    @Test("kmeans with sample_weight, n_init, max_iter and tol")
    func kmeansOptions() throws {
        let t = Transcript()
        let (status, output) = t.run("""
            c = kmeans(tensor([[0], [1], [10], [12]]), k=2, sample_weight=[3, 1, 1, 3], n_init=2, max_iter=50, tol=0)
            print(c.centroids)
            i = c.inertia
            """)
        #expect(status == .ok, "\(output)")
        #expect(t.number("i").map { close($0, 3.75, atol: 1e-9) } == true)
        let weighted = try KMeans(k: 2, nInit: 2, maxIter: 50, tol: 0).fit([[0], [1], [10], [12]], weights: [3, 1, 1, 3])
        #expect(t.number("i") == weighted.inertia)
    }

    @Test("kmeans errors reach the user as messages")
    func kmeansErrors() {
        let t = Transcript()
        t.run(Self.source)
        var r = t.run("kmeans(x, k=0)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("kmeans: k must be at least 1, got 0"), "\(r.output)")
        r = t.run("kmeans(tensor([[0, 1], [1, 2]]), k=1, sample_weight=[1])")
        #expect(r.output.contains("sample_weight must be 2 non-negative numbers"), "\(r.output)")
        r = t.run("kmeans(tensor([1, 2, 3]), k=1)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("x must be a matrix [n, d]"), "\(r.output)")
    }

    @Test("elbow prints the inertia table and the reference pick")
    func elbow() throws {
        let t = Transcript()
        t.run(Self.source)
        let (status, output) = t.run("elbow(x, kmax=4, seed=1)", echo: true)
        #expect(status == .ok, "\(output)")
        #expect(output.hasPrefix("reference elbow rule picks k = 3\n"), "\(output)")
        let table = try Elbow.table(try matrix(Self.rows), kmax: 4, seed: 1)
        // The table holds the inertias at full precision.
        let inertias = t.run("print(elbow(x, kmax=4, seed=1)[\"inertia\"])").output
        #expect(inertias == "[" + table.map { formatNumber($0.inertia) }.joined(separator: ", ") + "]\n")
        // Two groups only: the pick is 2.
        let two = t.run("elbow(tensor([[0, 0], [0, 0.1], [0.1, 0], [9, 9], [9, 9.1], [9.1, 9]]), kmax=3)", echo: true)
        #expect(two.output.hasPrefix("reference elbow rule picks k = 2\n"), "\(two.output)")
        let bad = t.run("elbow(x, kmax=0)")
        #expect(bad.status == .runtimeError)
        #expect(bad.output.contains("elbow: kmax must be at least 1"))
    }

    @Test("silhouette takes a clustering or a list of labels")
    func silhouette() throws {
        let t = Transcript()
        t.run(Self.source)
        let (status, output) = t.run("""
            c = kmeans(x, k=3, seed=0)
            s1 = silhouette(x, c)
            s2 = silhouette(x, \(Self.truth))
            s3 = silhouette(x, \(Self.truth.map { ["a", "b", "c"][$0] }), sample=5, seed=2)
            """)
        #expect(status == .ok, "\(output)")
        let expected = try Silhouette.score(try matrix(Self.rows), labels: Self.truth)
        #expect(t.number("s1") == expected)
        #expect(t.number("s2") == expected)
        let sampled = try Silhouette.score(try matrix(Self.rows), labels: Self.truth, sampleSize: 5, seed: 2)
        #expect(t.number("s3") == sampled)
        let bad = t.run("silhouette(x, [0, 1])")
        #expect(bad.status == .runtimeError)
        #expect(bad.output.contains("silhouette: 2 labels for data of shape [12, 2]"), "\(bad.output)")
        let one = t.run("silhouette(x, \([Int](repeating: 0, count: 12)))")
        #expect(one.output.contains("needs 2 to n−1 clusters, got 1"), "\(one.output)")
    }

    @Test("align shows ARI, NMI and the contingency table, with the numbers as members")
    func align() throws {
        let t = Transcript()
        let (status, output) = t.run("""
            r = align([0, 0, 1, 1, 2, 2], ["x", "x", "y", "y", "y", none])
            a = r.ari
            n = r.nmi
            print(r)
            """)
        #expect(status == .ok, "\(output)")
        // The item labelled none is left out: [0,0,1,1,2] against [x,x,y,y,y].
        let expected = try Agreement([0, 0, 1, 1, 2], [0, 0, 1, 1, 1])
        #expect(t.number("a") == expected.ari)
        #expect(t.number("n") == expected.nmi)
        #expect(output.hasPrefix("ARI \(fixed(expected.ari)) · NMI \(fixed(expected.nmi))\n"), "\(output)")
        #expect(output.contains("a \\ b"), "\(output)")
        // A clustering against the truth.
        t.run(Self.source)
        let perfect = t.run("print(align(kmeans(x, k=3), \(Self.truth)))")
        #expect(perfect.output.hasPrefix("ARI 1.0000 · NMI 1.0000\n"), "\(perfect.output)")
        let bad = t.run("align([0, 1, 1], [0, 1])")
        #expect(bad.status == .runtimeError)
        #expect(bad.output.contains("align: the labelings have 3 and 2 items"), "\(bad.output)")
        let fractional = t.run("align([0.5, 1], [0, 1])")
        #expect(fractional.output.contains("labels must be whole numbers"), "\(fractional.output)")
    }

    @Test("pca projects onto the leading components")
    func pca() throws {
        let t = Transcript()
        t.run(Self.source)
        let (status, output) = t.run("""
            p = pca(x)
            print(p.shape)
            q = pca(x, components=1)
            print(q.shape)
            """)
        #expect(status == .ok, "\(output)")
        #expect(output == "[12, 2]\n[12, 1]\n")
        let expected = try PCA.fit(try matrix(Self.rows), components: 1).projection
        guard case .object(let o)? = t.value("q"), let q = o as? TensorObject else {
            Issue.record("q is not a tensor")
            return
        }
        #expect(q.tensor.scalars == expected.scalars)
        let bad = t.run("pca(x, components=3)")
        #expect(bad.status == .runtimeError)
        #expect(bad.output.contains("pca: components must be in 1…2, got 3"), "\(bad.output)")
    }
}
