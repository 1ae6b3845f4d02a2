import Data
import Foundation
import RL
import Tensors
import Testing
import TestSupport

@Suite("Baselines: GRPO scalings, RLOO, REINFORCE++, Group DRO, re-sampling")
struct BaselineTests {
    let eps = 1e-6
    // Two prompts of G = 4 and one whose rewards agree.
    let rewards: [[Double]] = [[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 1]]

    @Test("grpo, scale_rewards = group: (r − mean_q) / (std_q + ε)")
    func grpoGroup() {
        // [1,0,0,0]: mean 1/4, std 1/2;  [1,1,0,0]: mean 1/2, std √(1/3).
        let a = 0.75 / (0.5 + eps), b = 0.25 / (0.5 + eps), h = 0.5 / ((1.0 / 3).squareRoot() + eps)
        let s = Advantage.grpo(rewards, scaling: .group)
        expectNear(s.flatMap { $0 }, [a, -b, -b, -b, h, h, -h, -h, 0, 0, 0, 0], "group")
    }

    @Test("grpo, scale_rewards = batch: (r − mean_q) / (std over the batch + ε)")
    func grpoBatch() {
        // All 12 rewards: 7 ones, 5 zeros; mean 7/12, sample variance (7·(5/12)² + 5·(7/12)²)/11 = 420/1584.
        let std = (420.0 / 1584).squareRoot()
        let s = Advantage.grpo(rewards, scaling: .batch)
        let d = std + eps
        expectNear(s.flatMap { $0 }, [0.75 / d, -0.25 / d, -0.25 / d, -0.25 / d, 0.5 / d, 0.5 / d, -0.5 / d, -0.5 / d, 0, 0, 0, 0], "batch")
    }

    @Test("grpo, scale_rewards = none: r − mean_q")
    func grpoNone() {
        let s = Advantage.grpo(rewards, scaling: .none)
        expectNear(s.flatMap { $0 }, [0.75, -0.25, -0.25, -0.25, 0.5, 0.5, -0.5, -0.5, 0, 0, 0, 0], "none")
    }

    @Test("rloo: r_i minus the mean of the other G − 1 rewards")
    func rloo() {
        // [1,0,0,0]: 1 − 0 = 1, 0 − 1/3;  [1,1,0,0]: 1 − 1/3 = 2/3, 0 − 2/3;  [1,1,1,1]: 0.
        let a = Advantage.rloo(rewards)
        expectNear(a.flatMap { $0 }, [1, -1.0 / 3, -1.0 / 3, -1.0 / 3, 2.0 / 3, 2.0 / 3, -2.0 / 3, -2.0 / 3, 0, 0, 0, 0], "rloo")
    }

    @Test("reinforce++: (r − mean_B) / (std_B + ε) over the whole batch")
    func reinforcePlusPlus() {
        let m = 7.0 / 12, d = (420.0 / 1584).squareRoot() + eps
        let a = Advantage.reinforcePlusPlus(rewards)
        expectNear(a.flatMap { $0 }, rewards.flatMap { $0 }.map { ($0 - m) / d }, "reinforce++")
    }

    @Test("Group DRO: q_g ← q_g·exp(η·ℓ_g), renormalised; multiplier (number of groups)·q_g")
    func groupDRO() {
        var dro = GroupDRO(groups: [GroupKey("A", "F"), GroupKey("A", "M"), GroupKey("B", "F")], eta: 0.5)
        let uniform: [GroupKey: Double] = [GroupKey("A", "F"): 1.0 / 3, GroupKey("A", "M"): 1.0 / 3, GroupKey("B", "F"): 1.0 / 3]
        #expect(dro.weights == uniform)
        // Step 1: A/F rewards 3 of 8 → ℓ = 5/8; A/M all 1 → ℓ = 0; B/F absent → unchanged.
        // q ∝ (e^{0.3125}, 1, 1)/3 → q_AF = e^{0.3125}/(e^{0.3125} + 2), q_AM = q_BF = 1/(e^{0.3125} + 2).
        let m1 = dro.multipliers(groups: [GroupKey("A", "F"), GroupKey("A", "F"), GroupKey("A", "M")], rewards: rewards)
        let e1 = exp(0.3125), z1 = e1 + 2
        expectNear(dro.weights[GroupKey("A", "F")]!, e1 / z1, "q_AF")
        expectNear(dro.weights[GroupKey("A", "M")]!, 1 / z1, "q_AM")
        expectNear(dro.weights[GroupKey("B", "F")]!, 1 / z1, "q_BF")
        expectNear(m1, [3 * e1 / z1, 3 * e1 / z1, 3 / z1], "multipliers step 1")
        // Step 2: B/F all 0 → ℓ = 1: q_BF ← q_BF·e^{0.5}, renormalised.
        let m2 = dro.multipliers(groups: [GroupKey("B", "F")], rewards: [[0, 0, 0, 0]])
        let z2 = e1 + 1 + exp(0.5)
        expectNear(dro.weights[GroupKey("A", "F")]!, e1 / z2, "q_AF step 2")
        expectNear(dro.weights[GroupKey("B", "F")]!, exp(0.5) / z2, "q_BF step 2")
        expectNear(m2, [3 * exp(0.5) / z2], "multiplier step 2")
        expectNear(dro.weights.values.reduce(0, +), 1, "Σq")
    }

    @Test("Group DRO does not depend on dictionary order (hash seed, insertion history)")
    func droOrderIndependent() {
        let keys = (0..<40).map { GroupKey("domain\($0 % 5)", "group\($0)") }
        var a = GroupDRO(groups: keys, eta: 0.7), b = GroupDRO(groups: keys.reversed(), eta: 0.7)
        // b's table built again in another order and with a much larger capacity: same
        // contents, a different iteration order.
        var table = [GroupKey: Double](minimumCapacity: 4096)
        for k in keys.reversed() { table[k] = b.weights[k] }
        b.state = table
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<20 {
            let groups = (0..<64).map { _ in keys[rng.nextIndex(below: keys.count)] }
            let rewards = groups.map { _ in (0..<4).map { _ in rng.nextUnitDouble() } }
            #expect(a.multipliers(groups: groups, rewards: rewards) == b.multipliers(groups: groups, rewards: rewards))
        }
        #expect(a.weights == b.weights)
    }

    @Test("grpo_dro in the trainer: each rollout's advantage is its GRPO advantage × (groups)·q_g")
    func droTrainer() throws {
        let data = try separableDataset(n: 96, seed: 3)
        var c = TrainerConfig()
        c.method = .grpoDRO
        c.numGenerations = 4
        c.batchSize = 32
        c.droEta = 0.3
        let t = try Trainer(policy: try Policy(inputs: 3, classes: 2, hidden: [], seed: 1), data: data, config: c)
        for _ in 0..<3 { try t.step() }
        let q = t.dro!.weights
        #expect(q.count == 4)  // site_a/F, site_a/M, site_b/F, site_b/M
        for row in t.lastTrace where row.grpoAdvantage != 0 {
            expectNear(row.advantage / row.grpoAdvantage, 4 * q[GroupKey(row.domain, row.group)]!, "multiplier of \(row.domain)/\(row.group)")
        }
    }

    @Test("grpo_rs: the sampling pool oversamples every group to its domain's largest group")
    func resampling() throws {
        // Domain A: F 6 rows, M 2, UNK 1; domain B: F 3, M 1.
        let sex = [0, 0, 0, 0, 0, 0, 1, 1, -1, 0, 0, 0, 1]
        let domains = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
        let n = sex.count
        let data = try makeDataset(features: (0..<n).map { [Float($0), 1] }, labels: (0..<n).map { $0 % 2 }, classes: ["a", "b"],
                                   sex: sex, domains: domains, domainNames: ["A", "B"])
        var c = TrainerConfig()
        c.method = .grpoRS
        c.numGenerations = 2
        // A: 3 groups × 6 = 18 rows; B: 2 groups × 3 = 6 rows. One step of 24 takes one whole pass.
        c.batchSize = 24
        let t = try Trainer(policy: try Policy(inputs: 2, classes: 2, hidden: [], seed: 0), data: data, config: c)
        try t.step()
        #expect(t.order.count == 24)
        let keys = data.groupKeys()
        var counts: [String: Int] = [:]
        for r in t.order { counts[data.domainNames[data.domains[r]] + "/" + keys[r], default: 0] += 1 }
        #expect(counts == ["A/F": 6, "A/M": 6, "A/UNK": 6, "B/F": 3, "B/M": 3])
        // Every original row is in the pool at least once.
        #expect(Set(t.order) == Set(0..<n))
        // The batch is plain GRPO on those rows.
        #expect(t.lastTrace.count == 48)
        #expect(t.lastTrace.allSatisfy { $0.advantage == $0.grpoAdvantage })
        // Other methods sample the data as it is.
        c.method = .grpo
        c.batchSize = 13
        let plain = try Trainer(policy: try Policy(inputs: 2, classes: 2, hidden: [], seed: 0), data: data, config: c)
        try plain.step()
        #expect(plain.order.sorted() == Array(0..<n))
    }
}
