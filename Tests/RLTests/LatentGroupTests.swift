import Render
import Cluster
import Data
import Foundation
import Lang
import Notebook
@testable import RL
import Tensors
import Testing
import TestSupport

/// Seeded 0/1 reward vectors of length g.
private func randomRewards(_ rng: inout SeededGenerator, _ g: Int, p: Double = 0.4) -> [Double] {
    (0..<g).map { _ in rng.nextUnitDouble() < p ? 1 : 0 }
}

/// One domain, two sexes that the first feature separates by a wide margin
/// (x0 = ±4, x1 = ±2, plus noise), labels unrelated to sex.
private func sexBlobs(n: Int, seed: UInt64) throws -> Dataset {
    var rng = SeededGenerator(seed: seed)
    var rows: [[Float]] = [], sex: [Int] = [], labels: [Int] = []
    for i in 0..<n {
        let s = i % 2
        rows.append([Float((s == 0 ? -4 : 4) + 0.3 * rng.nextNormal()), Float((s == 0 ? -2 : 2) + 0.5 * rng.nextNormal())])
        sex.append(s)
        labels.append(rng.nextUnitDouble() < 0.5 ? 0 : 1)
    }
    return try makeDataset(features: rows, labels: labels, classes: ["neg", "pos"], sex: sex, domains: [Int](repeating: 0, count: n),
                           domainNames: ["site"], name: "blobs")
}

/// Fingerprint of the cluster log without the wall-clock time.
private func clusterLogs(_ t: Trainer) -> [[Double]] { t.clusterHistory.map { Array($0.values.dropLast()) + [Double($0.step), Double($0.known)] } }

@Suite("FairGRPO latent groups: options, agreement with the truth, checkpoints")
struct LatentGroupTests {
    @Test("default options (recluster_every = 1) give the reference's N_g, μ_g and μ_d at every batch")
    func referencePath() throws {
        for allUnknown in [false, true] {
            var fw = FairWeighting()
            fw.allUnknown = allUnknown
            fw.seed = 5
            var explicit = FairWeighting()
            explicit.allUnknown = allUnknown
            explicit.seed = 5
            explicit.clustering = ClusteringOptions(space: .rewards, k: .elbow, kmax: 3, reclusterEvery: 1)
            var rng = SeededGenerator(seed: 11)
            var history: [String: [[Double]]] = [:]
            for _ in 0..<6 {
                var batch: [FairWeighting.Prompt] = []
                for q in 0..<12 {
                    let domain = q % 3 == 0 ? "b" : "a"
                    batch.append(prompt(domain, q % 2 == 0 ? nil : (q % 4 == 1 ? "F" : "M"), randomRewards(&rng, 4)))
                }
                let result = try fw.advantages(batch)
                let again = try explicit.advantages(batch)
                #expect(result.final == again.final)
                // The reference, written out: every UNK prompt of the domain so far, clustered with the elbow rule.
                var positions: [Int] = []
                for p in batch where p.group == nil || allUnknown {
                    positions.append(history[p.domain, default: []].count)
                    history[p.domain, default: []].append(p.rewards)
                }
                let fits = try history.mapValues { try Elbow.clusterReference($0, seed: 5) }
                var u = 0
                for (q, p) in batch.enumerated() where p.group == nil || allUnknown {
                    let fit = fits[p.domain]!
                    let c = fit.labels[positions[u]]
                    u += 1
                    let nG = Double(fit.labels.filter { $0 == c }.count)
                    var muG = fit.centroids[c].reduce(0, +) / Double(fit.centroids[c].count)
                    #expect(result.terms[q].groupLabel == "UNK#\(c)")
                    #expect(result.terms[q].nGroup == nG)
                    if allUnknown {
                        var num = 0.0, den = 0.0
                        for (ci, centre) in fit.centroids.enumerated() {
                            let size = Double(fit.labels.filter { $0 == ci }.count)
                            num += (centre.reduce(0, +) / Double(centre.count)) / size
                            den += 1 / size
                        }
                        #expect(result.terms[q].muDomain == num / den)
                        muG = max(muG, Advantage.epsilon)
                    }
                    #expect(result.terms[q].muGroup == muG)
                }
                #expect(fw.lastReclustered)
            }
        }
    }

    @Test("recluster_every = 3: re-clusters at batches 1, 4, 7; in between new prompts join the nearest centroid")
    func reclusterEvery() throws {
        var fw = FairWeighting()
        fw.allUnknown = true
        fw.seed = 2
        fw.clustering.reclusterEvery = 3
        var rng = SeededGenerator(seed: 3)
        var history: [[Double]] = []
        var fitted: DomainClustering?
        var joinedSums: [Double] = [], joinedCounts: [Double] = []
        for b in 1...8 {
            let batch = (0..<10).map { _ in prompt("d", nil, randomRewards(&rng, 4, p: 0.5)) }
            let before = fw.latent["d"]
            let result = try fw.advantages(batch)
            history += batch.map(\.rewards)
            let now = fw.latent["d"]!
            if (b - 1) % 3 == 0 {
                #expect(fw.lastReclustered, "batch \(b)")
                #expect(now.fittedAt == b)
                let fit = try Elbow.clusterReference(history, seed: 2)
                #expect(now.labels == fit.labels && now.centroids == fit.centroids)
                fitted = now
                joinedSums = [Double](repeating: 0, count: now.centroids.count)
                joinedCounts = joinedSums
            } else {
                #expect(!fw.lastReclustered, "batch \(b)")
                let previous = before!, base = fitted!
                #expect(now.fittedAt == base.fittedAt && now.centroids == previous.centroids)
                #expect(Array(now.labels.prefix(previous.labels.count)) == previous.labels)
                for (i, p) in batch.enumerated() {
                    // Nearest centroid, computed here independently.
                    let distances = base.centroids.map { c in zip(c, p.rewards).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
                    let nearest = distances.firstIndex(of: distances.min()!)!
                    #expect(now.labels[previous.labels.count + i] == nearest)
                    joinedSums[nearest] += p.rewards.reduce(0, +)
                    joinedCounts[nearest] += 4
                }
                for c in now.centroids.indices {
                    #expect(now.sizes[c] == now.labels.filter { $0 == c }.count)
                    // μ_g: the centroid mean at the fit, extended by the rewards of the prompts that joined since.
                    let atFit = Double(base.sizes[c] * 4)
                    let expected = (base.means[c] * atFit + joinedSums[c]) / (atFit + joinedCounts[c])
                    expectNear(now.means[c], expected, tolerance: 1e-12, "μ_g of cluster \(c) at batch \(b)")
                }
            }
            #expect(now.labels.count == history.count)
            for (q, t) in result.terms.enumerated() {
                let c = now.labels[history.count - batch.count + q]
                #expect(t.nGroup == Double(now.sizes[c]) && t.muGroup == max(now.means[c], Advantage.epsilon))
            }
        }
    }

    @Test("cluster_k = silhouette finds four reward patterns where the elbow rule stops at three")
    func silhouetteK() throws {
        let patterns: [[Double]] = [[1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]]
        let batch = (0..<24).map { prompt("d", nil, patterns[$0 % 4]) }
        var elbow = FairWeighting()
        elbow.allUnknown = true
        _ = try elbow.advantages(batch)
        #expect(elbow.latent["d"]!.centroids.count <= 3)
        var sil = FairWeighting()
        sil.allUnknown = true
        sil.clustering = ClusteringOptions(k: .silhouette, kmax: 6)
        _ = try sil.advantages(batch)
        let l = sil.latent["d"]!
        #expect(l.centroids.count == 4 && l.sizes == [6, 6, 6, 6])
        #expect(try Agreement(l.labels, (0..<24).map { $0 % 4 }).ari == 1)
        // Identical vectors: one cluster, not an error.
        var same = FairWeighting()
        same.allUnknown = true
        same.clustering = ClusteringOptions(k: .silhouette, kmax: 4)
        _ = try same.advantages((0..<5).map { _ in prompt("d", nil, [1, 0]) })
        #expect(same.latent["d"]!.centroids.count == 1)
        // Features requested without rows (no trainer): a clear error.
        var rowless = FairWeighting()
        rowless.clustering.space = .features
        #expect(throws: RLError.self) { try rowless.advantages([prompt("d", nil, [1, 0])]) }
    }

    @Test("each step logs ARI and NMI equal to align() of the discovered clusters and the masked truth")
    func agreementLogged() throws {
        let data = try demoData(n: 600).masked(attribute: "sex", fraction: 0.5, seed: 4)
        let t = try makeTrainer(data, method: .fairgrpo)
        for s in 1...4 {
            try t.step()
            #expect(t.clusterHistory.count == s && t.clusterHistory.last!.step == s)
            let found = t.discoveredGroups()
            #expect(found.rows.count == t.clusterHistory.last!.known && !found.rows.isEmpty)
            let agreement = try Agreement(Trainer.codes(found.clusters), Trainer.codes(found.truth))
            #expect(t.clusterHistory.last!.ari == agreement.ari && t.clusterHistory.last!.nmi == agreement.nmi)
            #expect(t.clusterHistory.last!.reclustered)
            // The truth really is the hidden value: every scored row was masked and had its group before.
            let masked = data.groupKeys(), truth = data.groupKeys(truth: true)
            #expect(found.rows.allSatisfy { masked[$0] == "UNK" && truth[$0] != "UNK" })
        }
        // Through the language: align() of the trainer's labelings prints the logged numbers.
        let tr = Transcript()
        tr.session.interpreter.define("t", .object(TrainerObject(t)))
        let out = tr.run("a = align(t.clusters, t.truth)\nari = a.ari\nnmi = a.nmi\nh = history(t)\nprint(h[\"ari\"][-1], h[\"nmi\"][-1])\nprint(clusters(t))\nprint(t)")
        #expect(out.status == .ok, "\(out.output)")
        guard case .number(let ari)? = tr.value("ari"), case .number(let nmi)? = tr.value("nmi") else {
            Issue.record("align did not give ari and nmi: \(out.output)")
            return
        }
        #expect(ari == t.clusterHistory.last!.ari && nmi == t.clusterHistory.last!.nmi)
        #expect(out.output.contains(formatFixed(ari, 4)))
        #expect(out.output.contains("true groups") && out.output.contains("rewards · elbow · every step"))
        // The summary line leaves the reference's clustering implied.
        #expect(!out.output.contains("clusters: rewards"))
        // Without hidden truth (the demo's own missing values), nothing is scored and history has no ari column.
        var unknown = try demoData(n: 300)
        for a in unknown.attributes.indices { unknown.attributes[a].trueCodes = nil }
        let plain = try makeTrainer(unknown, method: .fairgrpo)
        try plain.step()
        #expect(plain.clusterHistory.count == 1 && plain.clusterHistory[0].ari.isNaN && plain.clusterHistory[0].known == 0)
        let tr2 = Transcript()
        tr2.session.interpreter.define("t", .object(TrainerObject(plain)))
        #expect(!tr2.run("print(history(t))").output.contains("ari"))
        // Methods that do not cluster log nothing.
        let grpo = try makeTrainer(data, method: .grpo)
        try grpo.step()
        #expect(grpo.clusterHistory.isEmpty)
    }

    @Test("cluster_on = features recovers the sex the features separate; rewards do not; embeddings use the hidden layer")
    func spaces() throws {
        let data = try sexBlobs(n: 200, seed: 1)
        func run(_ space: ClusteringOptions.Space, seed: UInt64 = 0, hidden: [Int] = [8]) throws -> Trainer {
            let t = try makeTrainer(data, method: .fairgrpoND, seed: seed, hidden: hidden) {
                $0.clustering = ClusteringOptions(space: space, k: .silhouette, kmax: 4)
                $0.batchSize = 40
            }
            for _ in 0..<3 { try t.step() }
            return t
        }
        let features = try run(.features)
        #expect(features.clusterHistory.allSatisfy { $0.ari == 1 && $0.nmi == 1 }, "\(features.clusterHistory)")
        #expect(features.fair.latent["site"]!.centroids.allSatisfy { $0.count == 2 })
        let rewards = try run(.rewards)
        #expect(rewards.clusterHistory.last!.ari < 0.5)
        #expect(rewards.fair.latent["site"]!.centroids.allSatisfy { $0.count == 4 })
        let embeddings = try run(.embeddings)
        #expect(embeddings.fair.latent["site"]!.centroids.allSatisfy { $0.count == 8 })
        // The embedding of a row is the policy's last hidden layer.
        let rows = [0, 5, 17]
        let h = try embeddings.policy.model.hidden(try data.features.take(rows, axis: 0)).scalars
        let v = try embeddings.clusteringVectors(rows)
        #expect(v.flatMap { $0 } == h.map(Double.init))
        // Deterministic by seed.
        let again = try run(.embeddings)
        #expect(clusterLogs(again) == clusterLogs(embeddings) && again.fair.state == embeddings.fair.state)
        let featuresAgain = try run(.features)
        #expect(featuresAgain.fair.state == features.fair.state)
        // μ_g off the reward space is the members' mean reward.
        let l = features.fair.latent["site"]!
        let history = features.fair.unknownHistory["site"]!
        for c in l.centroids.indices {
            let members = history.indices.filter { l.labels[$0] == c }
            let expected = members.reduce(0.0) { $0 + history[$1].reduce(0, +) } / Double(members.count * 4)
            expectNear(l.means[c], expected, tolerance: 1e-12)
        }
        // A linear policy has no hidden layer to embed with.
        #expect { try run(.embeddings, hidden: []) } throws: { "\($0)".contains("hidden layer") }
        // Bad values are errors.
        #expect(throws: TrainerOptionError.self) { try makeTrainer(data) { $0.clustering.reclusterEvery = 0 } }
        #expect(throws: TrainerOptionError.self) { try makeTrainer(data) { $0.clustering.kmax = 1 } }
    }

    @Test("the trainer re-clusters only on steps 1, N+1, …; the language options reach the config")
    func trainerRecluster() throws {
        let data = try sexBlobs(n: 200, seed: 2)
        let t = try makeTrainer(data, method: .fairgrpoND) { $0.clustering.reclusterEvery = 4; $0.batchSize = 24 }
        for _ in 0..<9 { try t.step() }
        #expect(t.clusterHistory.map(\.reclustered) == [true, false, false, false, true, false, false, false, true])
        #expect(t.fair.latent["site"]!.fittedAt == 9 && t.fair.latent["site"]!.labels.count == 9 * 24)
        #expect(t.clusterHistory.allSatisfy { $0.known == $0.step * 24 })

        let tr = Transcript()
        let out = tr.run("""
            d = mask(demo(n=300), \"sex\", 0.5)
            t = trainer(policy(d, hidden=[8]), d, method=\"fairgrpo\", G=4, batch=32, cluster_on=\"embeddings\", cluster_k=\"silhouette\", cluster_kmax=4, recluster_every=5)
            step(t, 2)
            print(t)
            """)
        #expect(out.status == .ok, "\(out.output)")
        #expect(out.output.contains("clusters: embeddings · silhouette k ≤ 4 · every 5 steps"))
        #expect(out.output.contains(" NMI "))
        guard case .object(let o)? = tr.value("t"), let trainer = o as? TrainerObject else { Issue.record("no trainer"); return }
        #expect(trainer.trainer.config.clustering == ClusteringOptions(space: .embeddings, k: .silhouette, kmax: 4, reclusterEvery: 5))
        let bad = tr.run("trainer(policy(d), d, cluster_on=\"pixels\")")
        #expect(bad.status != .ok && bad.output.contains("cluster_on must be"))
        let bad2 = tr.run("trainer(policy(d), d, recluster_every=0)")
        #expect(bad2.status != .ok && bad2.output.contains("recluster_every must be at least 1"))
    }

    @Test("checkpoints keep the clustering options, the last clustering and the cluster log")
    func checkpoint() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let data = try demoData(n: 600).masked(attribute: "sex", fraction: 0.6, seed: 9)
        let configure: (inout TrainerConfig) -> Void = {
            $0.batchSize = 128
            $0.clustering = ClusteringOptions(space: .features, k: .silhouette, kmax: 4, reclusterEvery: 3)
        }
        let straight = try makeTrainer(data, method: .fairgrpo, configure: configure)
        for _ in 0..<7 { try straight.step() }
        let first = try makeTrainer(data, method: .fairgrpo, configure: configure)
        for _ in 0..<4 { try first.step() }  // the next step does not re-cluster: the saved clustering is used
        let path = dir.file("run.ckpt")
        try Checkpoint.save(first, to: path)
        let resumed = try Checkpoint.load(path)
        #expect(resumed.config.clustering == first.config.clustering)
        #expect(resumed.fair.state == first.fair.state && !resumed.fair.latent.isEmpty)
        #expect(clusterLogs(resumed) == clusterLogs(first))
        #expect(resumed.clusterHistory.map(\.milliseconds) == first.clusterHistory.map(\.milliseconds))
        for _ in 0..<3 { try resumed.step() }
        #expect(TrainerFingerprint(resumed) == TrainerFingerprint(straight))
        #expect(clusterLogs(resumed) == clusterLogs(straight))
        #expect(resumed.clusterHistory.map(\.reclustered) == [true, false, false, true, false, false, true])

        // An unknown section (a newer build's) is refused with its name.
        var bytes = try FileIO.read(path)
        let name = Array("clustering".utf8)
        if let at = (0..<(bytes.count - name.count)).last(where: { Array(bytes[$0..<($0 + name.count)]) == name }) {
            bytes[at] = UInt8(ascii: "k")
            bytes.removeLast(4)
            withUnsafeBytes(of: CRC32.checksum(bytes).littleEndian) { bytes += $0 }
            try FileIO.writeAtomically(bytes, to: dir.file("newer.ckpt"))
            #expect { try Checkpoint.load(dir.file("newer.ckpt")) } throws: { "\($0)".contains("unknown section \"klustering\"") }
        } else {
            Issue.record("no clustering section in the file")
        }
    }
}
