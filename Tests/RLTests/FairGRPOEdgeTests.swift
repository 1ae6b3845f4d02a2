import Cluster
import Data
import RL
import Testing
import TestSupport

/// Final advantages from per-prompt factors, written out independently of
/// the library: s' = s / factor (s kept where that is not finite), then
/// A = s' / (sample std of s' + ε).
func referenceFinal(_ s: [[Double]], factors: [Double]) -> [[Double]] {
    let scaled = zip(s, factors).map { row, f in row.map { v -> Double in let w = v / f; return w.isFinite ? w : v } }
    let sigma = sampleStd(scaled.flatMap { $0 })
    return scaled.map { $0.map { $0 / (sigma + 1e-6) } }
}

@Suite("FairGRPO: edge cases and options")
struct FairGRPOEdgeTests {
    let eps = 1e-6

    @Test("a prompt whose rewards are all equal gets s = 0 and A = 0 exactly")
    func zeroVariance() throws {
        // 0.1 is not a binary fraction: without the all-equal rule, r − mean would be a
        // rounding residue divided by (≈0 + ε), i.e. noise of order 1e-11, not 0.
        let s = Advantage.grpo([[0.1, 0.1, 0.1], [1, 1, 1], [0, 0, 0], [1, 0, 0]])
        #expect(s[0] == [0, 0, 0] && s[1] == [0, 0, 0] && s[2] == [0, 0, 0])
        #expect(s[3] != [0, 0, 0])
        var fw = FairWeighting()
        let r = try fw.advantages([prompt("A", "F", [0.1, 0.1, 0.1, 0.1]), prompt("A", "F", [1, 0, 1, 0]), prompt("A", "M", [1, 1, 1, 1])])
        #expect(r.grpo[0] == [0, 0, 0, 0] && r.final[0] == [0, 0, 0, 0])
        #expect(r.grpo[2] == [0, 0, 0, 0] && r.final[2] == [0, 0, 0, 0])
        #expect(r.final[1].allSatisfy { $0 != 0 })
        // Nothing revives them in later steps either.
        let r2 = try fw.advantages([prompt("A", "M", [1, 1, 1, 1]), prompt("A", "F", [1, 0, 0, 0])])
        #expect(r2.final[0] == [0, 0, 0, 0])
    }

    @Test("a cell is a (domain, group) value: names containing \"/\" do not merge two cells")
    func cellsWithSlashes() throws {
        // Joined as "domain/group", both would read "a/b/c".
        let one = GroupKey("a/b", "c"), other = GroupKey("a", "b/c")
        #expect(one != other && one.description == other.description)
        var fw = FairWeighting()
        _ = try fw.advantages([prompt("a/b", "c", [1, 0]), prompt("a", "b/c", [1, 1]), prompt("a", "b/c", [0, 1])])
        #expect(fw.groups.count == 2)
        #expect(fw.groups[one]?.prompts == 1 && fw.groups[one]?.rewardSum == 1)
        #expect(fw.groups[other]?.prompts == 2 && fw.groups[other]?.rewardSum == 3)
        var dro = GroupDRO(groups: [one, other], eta: 0.5)
        let m = dro.multipliers(groups: [one, other], rewards: [[1, 1], [0, 0]])
        #expect(dro.weights.count == 2 && m[0] < 1 && m[1] > 1)
    }

    @Test("G = 1: mean 0 and std 1, so s = r / (1 + ε); FairGRPO on top")
    func singleRollout() throws {
        let s = Advantage.grpo([[1], [0], [0.5]])
        expectNear(s.flatMap { $0 }, [1 / (1 + eps), 0, 0.5 / (1 + eps)], "s, G = 1")
        #expect(Advantage.meanStd([0.7]) == (0, 1))
        var fw = FairWeighting()
        let r = try fw.advantages([prompt("A", "F", [1]), prompt("A", "F", [0]), prompt("A", "M", [1])])
        // N_A = 3, μ_A = 2/3, T_A = √3·2/3; A/F: N_g = 2, μ_g = 1/2; A/M: N_g = 1, μ_g = 1.
        let tA = 3.0.squareRoot() * (2.0 / 3)
        let factors = [tA * 2.0.squareRoot() * 0.5, tA * 2.0.squareRoot() * 0.5, tA]
        expectNear(r.terms.map(\.tDomain), [tA, tA, tA], "T_d")
        expectNear(r.terms.map(\.factor), factors, "factor")
        // q2: s = 0/(1+ε) = 0, and 0/factor = 0.
        expectNear(r.final.flatMap { $0 }, referenceFinal(r.grpo, factors: factors).flatMap { $0 }, "A, G = 1")
        #expect(r.final[1] == [0])
        // The other baselines with one rollout: RLOO has no baseline (A = r).
        #expect(Advantage.rloo([[1], [0]]) == [[1], [0]])
    }

    @Test("UNK prompts: clustered per domain on the whole history, N_g = cluster size, μ_g = centroid mean")
    func unknownClusters() throws {
        var fw = FairWeighting()
        // Step 1: two UNK prompts in D (different vectors: 2 distinct, so k = 2 and
        // each is its own cluster), one labelled D prompt, one UNK prompt in E.
        let x1: [Double] = [1, 1, 1, 0.5], x2: [Double] = [1, 1, 1, 0.75], y: [Double] = [0, 0.5, 0, 0]
        let r1 = try fw.advantages([prompt("D", nil, x1), prompt("D", nil, y), prompt("D", "F", [1, 0, 0, 0]), prompt("E", nil, x1)])
        #expect(r1.terms.map(\.nGroup) == [1, 1, 1, 1])
        expectNear(r1.terms.map(\.muGroup), [0.875, 0.125, 0.25, 0.875], "μ_g step 1")
        #expect(r1.terms[0].groupLabel.hasPrefix("UNK#") && r1.terms[1].groupLabel.hasPrefix("UNK#"))
        #expect(r1.terms[0].groupLabel != r1.terms[1].groupLabel)
        #expect(r1.terms[2].groupLabel == "F")
        // UNK prompts count in their domain: N_D = 3, μ_D = (3.5 + 0.5 + 1) / 12.
        #expect(r1.terms[0].nDomain == 3)
        expectNear(r1.terms[0].muDomain, 5.0 / 12, "μ_D")

        // Step 2: four more UNK prompts in D. D's UNK history is now
        //   X = {x1, x1, x2, x2} (centroid [1, 1, 1, 0.625], mean 0.90625)
        //   Y = {y, y}           (centroid [0, 0.5, 0, 0],   mean 0.125)
        // 3 distinct vectors → k_cap = 3; inertias I1 ≈ 3.58, I2 = 4·0.125² = 0.0625, I3 ≤ I2,
        // so D2 ≤ 0.0625 < 0.1·D1 ≈ 0.35 → k = 2: the two clusters above, sizes 4 and 2.
        let r2 = try fw.advantages([prompt("D", nil, x1), prompt("D", nil, x2), prompt("D", nil, x2), prompt("D", nil, y)])
        #expect(r2.terms.map(\.nGroup) == [4, 4, 4, 2])
        expectNear(r2.terms.map(\.muGroup), [0.90625, 0.90625, 0.90625, 0.125], "μ_g step 2")
        #expect(Set(r2.terms.prefix(3).map(\.groupLabel)).count == 1)
        #expect(r2.terms[3].groupLabel != r2.terms[0].groupLabel)
        // Domain statistics include every D prompt: N_D = 7, rewards 5 + 3.5 + 3.75 + 3.75 + 0.5 of 28.
        #expect(r2.terms[0].nDomain == 7)
        expectNear(r2.terms[0].muDomain, 16.5 / 28, "μ_D step 2")
        let tD = max(7.0.squareRoot() * 16.5 / 28, eps)
        let factors = [tD * 2 * 0.90625, tD * 2 * 0.90625, tD * 2 * 0.90625, tD * 2.0.squareRoot() * 0.125]
        expectNear(r2.terms.map(\.factor), factors, "factor step 2")
        expectNear(r2.final.flatMap { $0 }, referenceFinal(r2.grpo, factors: factors).flatMap { $0 }, "A step 2")
        // The history is per domain: E kept its one vector, D has all six.
        #expect(fw.unknownHistory["D"]?.count == 6)
        #expect(fw.unknownHistory["E"] == [x1])
        // The same clustering directly.
        let direct = try Elbow.clusterReference(fw.unknownHistory["D"]!, seed: 0)
        #expect(direct.sizes.sorted() == [2, 4])
    }

    @Test("μ_g = 0 (and T_d at its ε floor): s' is not finite, s is kept")
    func nonFiniteFallback() throws {
        var fw = FairWeighting()
        // A custom reward can be negative: A/F [1, −1, 0, 0] has mean 0, so μ_g = 0 and the
        // factor is 0; s/0 = ±inf for the first two rollouts and 0/0 = NaN for the others.
        // B/F: every reward 0 → μ_d = 0, T_d = ε, μ_g = 0, factor 0; s = 0 → 0/0 → s = 0 kept.
        let r = try fw.advantages([prompt("A", "F", [1, -1, 0, 0]), prompt("A", "M", [1, 1, 0, 0]), prompt("B", "F", [0, 0, 0, 0])])
        let sF = 1 / ((2.0 / 3).squareRoot() + eps)
        expectNear(r.grpo[0], [sF, -sF, 0, 0], "s A/F")
        #expect(r.terms.map(\.factor) == [0, 2.0.squareRoot() * 0.25 * 1 * 0.5, 0])
        #expect(r.terms[0].fellBack && !r.terms[1].fellBack && r.terms[2].fellBack)
        #expect(r.terms[2].tDomain == eps)
        // A/M: N_A = 2, μ_A = 2/8, T_A = √2/4; N_g = 1, μ_g = 1/2.
        let factors = [0, 2.0.squareRoot() / 4 * 0.5, 0]
        expectNear(r.final.flatMap { $0 }, referenceFinal(r.grpo, factors: factors).flatMap { $0 }, "A")
        // The kept s is renormalised like every other value: A/F's A is s/(σ + ε), finite.
        #expect(r.final.flatMap { $0 }.allSatisfy { $0.isFinite })
        #expect(r.final[2] == [0, 0, 0, 0])
    }

    @Test("all-UNK variant (fairgrpo_nd): μ_d from centroid means weighted by 1/size, μ_g ≥ ε, factor in [ε, 1e6]")
    func allUnknown() throws {
        var fw = FairWeighting()
        fw.allUnknown = true
        let x1: [Double] = [1, 1, 1, 0.5], x2: [Double] = [1, 1, 1, 0.75], zero: [Double] = [0, 0, 0, 0]
        let big: [Double] = [2000, 0, 2000, 0], tiny: [Double] = [1.0 / 1024, 0, 0, 0]
        // Labels are ignored in this variant ("F" below is clustered like the rest).
        let r = try fw.advantages([
            prompt("D", "F", x1), prompt("D", nil, x1), prompt("D", nil, x2), prompt("D", "M", x2), prompt("D", nil, zero), prompt("D", nil, zero),
            prompt("E", nil, big), prompt("E", nil, big),
            prompt("F", nil, tiny),
        ])
        // D: clusters X = {x1, x1, x2, x2} (size 4, centroid mean 0.90625) and {0, 0} (size 2,
        // mean 0 → floored to ε). μ_D = (0.90625/4 + 0/2) / (1/4 + 1/2) = 0.30208333…,
        // N_D = 6, T_D = √6·μ_D; factor X = T_D·2·0.90625; zeros: T_D·√2·ε (≈ 1.05e-6 > ε, no clamp).
        let muD = (0.90625 / 4) / (1.0 / 4 + 1.0 / 2), tD = 6.0.squareRoot() * muD
        // E: one distinct vector → one cluster of 2, mean 1000; μ_E = 1000, T_E = √2·1000,
        // factor = √2·1000·√2·1000 = 2e6 → clamped to 1e6.
        // F: one prompt, mean 1/4096; T_F = 1/4096; factor = (1/4096)² ≈ 6e-8 → clamped to ε.
        expectNear(r.terms.map(\.muDomain), [muD, muD, muD, muD, muD, muD, 1000, 1000, 1.0 / 4096], "μ_d")
        #expect(r.terms.map(\.nGroup) == [4, 4, 4, 4, 2, 2, 2, 2, 1])
        expectNear(r.terms.map(\.muGroup), [0.90625, 0.90625, 0.90625, 0.90625, eps, eps, 1000, 1000, 1.0 / 4096], "μ_g")
        let factors = [Double](repeating: tD * 2 * 0.90625, count: 4) + [tD * 2.0.squareRoot() * eps, tD * 2.0.squareRoot() * eps, 1e6, 1e6, eps]
        expectNear(r.terms.map(\.factor), factors, tolerance: 1e-15, "factor")
        #expect(r.terms.allSatisfy { !$0.fellBack })  // the floor keeps 0/factor finite
        #expect(r.terms.allSatisfy { $0.groupLabel.hasPrefix("UNK#") })
        expectNear(r.final.flatMap { $0 }, referenceFinal(r.grpo, factors: factors).flatMap { $0 }, tolerance: 1e-9, "A")
        #expect(fw.state.groups.isEmpty)
        #expect(fw.unknownHistory["D"]?.count == 6)
    }

    @Test("EMA statistics decay the history before the batch is added")
    func emaStatistics() throws {
        let batches = [
            [prompt("A", "F", [1, 0, 0, 0]), prompt("A", "M", [1, 1, 1, 0])],
            [prompt("A", "F", [1, 1, 0, 0]), prompt("A", "M", [1, 0, 0, 0])],
        ]
        var cumulative = FairWeighting(), ema = FairWeighting()
        ema.statistics = .ema(decay: 0.5)
        for b in batches.dropLast() { _ = try cumulative.advantages(b); _ = try ema.advantages(b) }
        let c = try cumulative.advantages(batches[1]), e = try ema.advantages(batches[1])
        // Cumulative: N_A = 4, μ_A = 7/16, T_A = 2·7/16; A/F: N = 2, μ = 3/8; A/M: N = 2, μ = 4/8.
        // EMA (decay 0.5): A: prompts 0.5·2 + 2 = 3, rewards 0.5·4 + 3 = 5 of 0.5·8 + 8 = 12;
        //   A/F: 0.5·1 + 1 = 1.5 prompts, 0.5·1 + 2 = 2.5 of 0.5·4 + 4 = 6;
        //   A/M: 1.5 prompts, 0.5·3 + 1 = 2.5 of 6.
        #expect(c.terms.map(\.nDomain) == [4, 4] && e.terms.map(\.nDomain) == [3, 3])
        expectNear(e.terms.map(\.muDomain), [5.0 / 12, 5.0 / 12], "EMA μ_d")
        #expect(e.terms.map(\.nGroup) == [1.5, 1.5])
        expectNear(e.terms.map(\.muGroup), [2.5 / 6, 2.5 / 6], "EMA μ_g")
        let tE = 3.0.squareRoot() * 5 / 12
        let eFactors = [tE * 1.5.squareRoot() * 2.5 / 6, tE * 1.5.squareRoot() * 2.5 / 6]
        expectNear(e.terms.map(\.factor), eFactors, "EMA factor")
        expectNear(e.final.flatMap { $0 }, referenceFinal(e.grpo, factors: eFactors).flatMap { $0 }, "EMA A")
        let cFactors = [0.875 * 2.0.squareRoot() * 0.375, 0.875 * 2.0.squareRoot() * 0.5]
        expectNear(c.terms.map(\.factor), cFactors, "cumulative factor")
        // The weights differ: with EMA both groups have equal factors, cumulatively A/F weighs more.
        #expect(abs(c.final[0][0] / c.final[1][0]) != abs(e.final[0][0] / e.final[1][0]))
    }

    @Test("weight_clip caps 1/factor at clip × the batch median weight")
    func weightClip() throws {
        // A/F [1,1,1,0] ×3, A/M [1,0,0,0]: N_A = 4, μ_A = 10/16, T_A = 2·0.625 = 1.25.
        // A/F: factor 1.25·√3·0.75 (weight 0.6158); A/M: 1.25·1·0.25 = 0.3125 (weight 3.2).
        // Median weight (upper median of 4) = A/F's; cap = 2 × it → A/M's factor becomes
        // 1/cap = A/F factor / 2, and its s' = s · cap.
        let batch = [prompt("A", "F", [1, 1, 1, 0]), prompt("A", "F", [1, 1, 1, 0]), prompt("A", "F", [1, 1, 1, 0]), prompt("A", "M", [1, 0, 0, 0])]
        var plain = FairWeighting(), clipped = FairWeighting(), loose = FairWeighting()
        clipped.weightClip = 2
        loose.weightClip = 1e9
        let p = try plain.advantages(batch), c = try clipped.advantages(batch), l = try loose.advantages(batch)
        let fF = 1.25 * 3.0.squareRoot() * 0.75
        expectNear(p.terms.map(\.factor), [fF, fF, fF, 0.3125], "factor without clip")
        expectNear(c.terms.map(\.factor), [fF, fF, fF, fF / 2], "factor with clip 2")
        expectNear(c.final.flatMap { $0 }, referenceFinal(c.grpo, factors: [fF, fF, fF, fF / 2]).flatMap { $0 }, "A with clip 2")
        // A cap the batch never reaches changes nothing.
        #expect(l.final == p.final)
        #expect(l.terms.map(\.factor) == p.terms.map(\.factor))
    }

    @Test("defaults are the reference: cumulative statistics, no clip, labelled groups")
    func defaults() throws {
        let fw = FairWeighting()
        #expect(fw.statistics == .cumulative && fw.weightClip == nil && !fw.allUnknown)
        let config = TrainerConfig()
        #expect(config.method == .fairgrpo && config.statistics == .cumulative && config.weightClip == nil)
        #expect(config.scaleRewards == .group && config.epsilon == 0.2 && config.clipHigh == 0.2 && config.beta == 0 && config.numIterations == 1)
        // A trainer built from the defaults weighs exactly as a bare FairWeighting does.
        let data = try separableDataset(n: 64, seed: 1)
        let policy = try Policy(inputs: 3, classes: 2, hidden: [4], seed: 0)
        var c = TrainerConfig()
        c.numGenerations = 4
        c.batchSize = 16
        let t = try Trainer(policy: policy, data: data, config: c)
        try t.step()
        var fw2 = FairWeighting()
        let groups = t.data.groupKeys()
        var rewards: [[Double]] = []
        var batch: [FairWeighting.Prompt] = []
        var order: [String] = []
        for (i, row) in t.lastTrace.enumerated() {
            if i % 4 == 0 { rewards.append([]); order.append(row.promptID) }
            rewards[rewards.count - 1].append(row.reward)
        }
        for (q, id) in order.enumerated() {
            let r = t.data.ids.firstIndex(of: id)!
            batch.append(prompt(t.data.domainNames[t.data.domains[r]], groups[r] == "UNK" ? nil : groups[r], rewards[q]))
        }
        let expected = try fw2.advantages(batch)
        #expect(t.lastTrace.map(\.advantage) == expected.final.flatMap { $0 })
        #expect(t.fair.state == fw2.state)
    }
}
