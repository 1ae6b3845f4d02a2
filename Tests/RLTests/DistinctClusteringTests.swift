import Cluster
import Data
@testable import RL
import Tensors
import Testing
import TestSupport

/// Seeded reward vectors of length g: uniform in [0, 1), or 0/1.
private func rewards(_ rng: inout SeededGenerator, _ g: Int, continuous: Bool) -> [Double] {
    (0..<g).map { _ in continuous ? rng.nextUnitDouble() : (rng.nextUnitDouble() < 0.4 ? 1 : 0) }
}

/// Feeds the same batches to FairGRPO_ND weightings with the given clustering
/// options; returns each weighting and each batch's terms.
private func weigh(_ options: [ClusteringOptions], batches: Int, g: Int, continuous: Bool) throws -> [(FairWeighting, [[FairWeighting.Terms]])] {
    var fws = options.map { o -> FairWeighting in
        var fw = FairWeighting()
        fw.allUnknown = true
        fw.seed = 7
        fw.clustering = o
        return fw
    }
    var terms = [[[FairWeighting.Terms]]](repeating: [], count: options.count)
    var rng = SeededGenerator(seed: 21)
    for _ in 0..<batches {
        let batch = (0..<40).map { q in
            FairWeighting.Prompt(domain: q % 3 == 0 ? "b" : "a", group: nil, rewards: rewards(&rng, g, continuous: continuous))
        }
        for i in fws.indices { terms[i].append(try fws[i].advantages(batch).terms) }
    }
    return Array(zip(fws, terms))
}

@Suite("FairGRPO latent groups: clustering the distinct reward vectors")
struct DistinctClusteringTests {
    /// A run of `steps` steps on demo data with G = 8.
    static func run(_ method: TrainerConfig.Method, data: Dataset, steps: Int, configure: (inout TrainerConfig) -> Void) throws -> Trainer {
        let t = try makeTrainer(data, method: method, seed: 2) {
            $0.numGenerations = 8
            $0.batchSize = 96
            configure(&$0)
        }
        for _ in 0..<steps { try t.step() }
        return t
    }

    @Test("fairgrpo_nd follows the per-row trajectory bit for bit (histories past several blocks of rows)",
          arguments: [1, 4])
    func sameTrajectory(every: Int) throws {
        let data = try demoData(n: 4000)
        let distinct = try Self.run(.fairgrpoND, data: data, steps: 45) { $0.clustering.reclusterEvery = every }
        let rows = try Self.run(.fairgrpoND, data: data, steps: 45) { $0.clustering.reclusterEvery = every; $0.clustering.distinct = false }
        #expect(trajectoryHash(distinct) == trajectoryHash(rows))
        #expect(TrainerFingerprint(distinct) == TrainerFingerprint(rows))
        #expect(distinct.fair.latent == rows.fair.latent)
        #expect(distinct.clusterHistory.map(\.ari) == rows.clusterHistory.map(\.ari))
        // The distinct path was taken, and the histories are long enough to cross blocks of rows.
        #expect(rows.fair.distinctHistory.isEmpty)
        let tables = distinct.fair.distinctHistory.values
        #expect(!tables.isEmpty && tables.allSatisfy(\.usable))
        #expect(tables.contains { $0.table.rowCount > 1024 })
        #expect(tables.allSatisfy { $0.table.distinctCount < $0.table.rowCount / 2 })
    }

    @Test("fairgrpo with masked demographics follows the per-row trajectory bit for bit")
    func sameTrajectoryMasked() throws {
        let data = try demoData(n: 3000).masked(attribute: "sex", fraction: 0.7, seed: 4)
        let distinct = try Self.run(.fairgrpo, data: data, steps: 25) { _ in }
        let rows = try Self.run(.fairgrpo, data: data, steps: 25) { $0.clustering.distinct = false }
        #expect(trajectoryHash(distinct) == trajectoryHash(rows))
        #expect(distinct.fair.latent == rows.fair.latent)
        #expect(!distinct.fair.distinctHistory.isEmpty)
    }

    @Test("a restored state (as after a failed step) rebuilds the table from the history")
    func restore() throws {
        let data = try demoData(n: 2000)
        let t = try Self.run(.fairgrpoND, data: data, steps: 6) { _ in }
        let saved = t.fair.state
        for _ in 0..<3 { try t.step() }
        t.fair.state = saved
        #expect(t.fair.distinctHistory.isEmpty)
        try t.step()
        #expect(!t.fair.distinctHistory.isEmpty)
        for (domain, h) in t.fair.distinctHistory {
            let history = t.fair.unknownHistory[domain]!
            let whole = try DistinctRows(history), reference = try Elbow.clusterReference(history, seed: t.fair.seed)
            #expect(h.seen == history.count && h.table.counts == whole.counts)
            #expect(t.fair.latent[domain]!.labels == reference.labels)
        }
    }

    @Test("continuous rewards take the per-row path unless quantised; quantised, distinct and per-row agree")
    func quantize() throws {
        // Continuous, not quantised: off the exact grid, so every row is clustered, as with distinct off.
        let plain = try weigh([ClusteringOptions(), ClusteringOptions(distinct: false)], batches: 6, g: 4, continuous: true)
        #expect(plain[0].0.latent == plain[1].0.latent)
        #expect(plain[0].0.distinctHistory.values.allSatisfy { !$0.usable })
        #expect(plain[0].1.map { $0.map(\.factor) } == plain[1].1.map { $0.map(\.factor) })

        // Quantised to quarters: at most 5^4 distinct vectors, the same clusters as every quantised row.
        let q = try weigh([ClusteringOptions(quantize: 0.25), ClusteringOptions(quantize: 0.25, distinct: false)], batches: 8, g: 4, continuous: true)
        let (fast, slow) = (q[0].0, q[1].0)
        for domain in ["a", "b"] {
            let table = fast.distinctHistory[domain]!
            #expect(table.usable && table.table.distinctCount <= 625 && table.table.rowCount == fast.unknownHistory[domain]!.count)
            #expect(fast.latent[domain]!.labels == slow.latent[domain]!.labels)
            #expect(fast.latent[domain]!.sizes == slow.latent[domain]!.sizes)
            #expect(fast.latent[domain]!.centroids == slow.latent[domain]!.centroids)
            // μ_g is the members' mean reward (not the rounded centroid's), to rounding.
            let history = fast.unknownHistory[domain]!, labels = fast.latent[domain]!.labels
            for (c, mean) in fast.latent[domain]!.means.enumerated() {
                let members = zip(history, labels).filter { $0.1 == c }.map(\.0)
                let direct = members.map { $0.reduce(0, +) }.reduce(0, +) / Double(members.count * 4)
                #expect(abs(mean - direct) < 1e-12)
                #expect(abs(slow.latent[domain]!.means[c] - direct) < 1e-12)
            }
            // The centroids are those of the rounded vectors: multiples of a quarter averaged.
            #expect(fast.latent[domain]!.centroids.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 1 } })
        }
        for (a, b) in zip(q[0].1, q[1].1) {
            #expect(a.map(\.groupLabel) == b.map(\.groupLabel))
            #expect(zip(a, b).allSatisfy { abs($0.factor - $1.factor) <= 1e-9 * abs($1.factor) })
        }
        // Quantisation changes the clustering of continuous rewards (it is not a no-op).
        #expect(fast.latent["a"]!.centroids != plain[0].0.latent["a"]!.centroids)
    }

    @Test("binary rewards: quantising to a whole step changes nothing but μ_g's source; the options are checked")
    func options() throws {
        let binary = try weigh([ClusteringOptions(), ClusteringOptions(distinct: false)], batches: 5, g: 8, continuous: false)
        #expect(binary[0].0.latent == binary[1].0.latent)
        #expect(binary[0].0.distinctHistory.values.allSatisfy { $0.usable && $0.table.distinctCount <= 256 })

        let data = try demoData(n: 300)
        #expect(throws: TrainerOptionError.self) { try makeTrainer(data, method: .fairgrpoND) { $0.clustering.quantize = 0 } }
        #expect(throws: TrainerOptionError.self) { try makeTrainer(data, method: .fairgrpoND) { $0.clustering.quantize = -.infinity } }
        #expect(throws: RLError.self) {
            try makeTrainer(data, method: .fairgrpoND) { $0.clustering.quantize = 0.1; $0.clustering.space = .features }
        }
        #expect(ClusteringOptions(quantize: 0.1).summary == "rewards rounded to 0.1 · elbow · every step")
        #expect(ClusteringOptions(distinct: false).summary == "rewards · elbow · every step · every row")
        #expect(TrainerConfig.option(named: "cluster_quantize")?.defaultValue == TrainerOption.Value.none)
        #expect(TrainerConfig.option(named: "cluster_distinct")?.defaultValue == .bool(true))
    }
}
