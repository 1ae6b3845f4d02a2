import RL
import Testing
import TestSupport

/// FairGRPO worked by hand: two domains (A, B), three (domain, group) cells
/// (A/F, A/M, B/F), G = 4, two steps, so the second step reads statistics
/// accumulated over both batches. Every term is written out below; the same
/// numbers are recomputed independently (lists of reward vectors, NumPy) by
/// scripts/fairgrpo_reference_check.py, which printed the 16–17 digit
/// literals asserted here. ε = 1e-6 throughout.
@Suite("FairGRPO: the hand-computed two-step example")
struct FairGRPOExampleTests {
    // GRPO advantages (step 1 of the algorithm), sample std:
    //   [1,0,0,0]: mean 1/4, std √((9/16 + 3/16)/3) = 1/2
    //              s = (3/4)/(1/2 + ε) = 1.499997000006,  −(1/4)/(1/2 + ε) = −0.499999000002
    //   [1,1,0,0]: mean 1/2, std √(4·(1/4)/3) = √(1/3) = 0.5773502691896258
    //              s = ±(1/2)/(√(1/3) + ε) = ±0.8660239037870368
    //   [1,1,1,0]: mean 3/4, std 1/2: s = 0.499999000002 (×3), −1.499997000006
    //   [1,0,1,0]: as [1,1,0,0] reordered: ±0.8660239037870368
    //   [1,1,1,1], [0,0,0,0]: all equal, s = 0
    static let a1 = 0.75 / (0.5 + 1e-6), b1 = 0.25 / (0.5 + 1e-6)
    static let h = 0.5 / ((1.0 / 3).squareRoot() + 1e-6)

    @Test("both steps: every N, μ, T, factor and advantage")
    func twoSteps() throws {
        var fw = FairWeighting()

        // ---------------------------------------------------------------- step 1
        // Batch: q1 A/F [1,0,0,0], q2 A/F [1,1,0,0], q3 A/M [1,1,1,0],
        //        q4 B/F [0,1,0,0], q5 B/F [1,1,1,1].
        // History after adding the batch (added first, then read):
        //   A:   N_d = 3 prompts, rewards 1+2+3 = 6 of 12 → μ_d = 0.5
        //   B:   N_d = 2,         rewards 1+4   = 5 of 8  → μ_d = 0.625
        //   A/F: N_g = 2, 3 of 8 → μ_g = 0.375;  A/M: N_g = 1, 3 of 4 → μ_g = 0.75
        //   B/F: N_g = 2, 5 of 8 → μ_g = 0.625
        // T_A = max(√3 · 0.5, ε) = 0.8660254037844386
        // T_B = max(√2 · 0.625, ε) = 0.8838834764831844
        // factor(A/F) = T_A · √2 · 0.375 = 0.4592793267718459
        // factor(A/M) = T_A · √1 · 0.75  = 0.649519052838329
        // factor(B/F) = T_B · √2 · 0.625 = 0.78125 (2 · 0.625², up to rounding: 0.7812500000000001)
        // s' = s / factor:
        //   q1: [ 3.2659797917513202, −1.0886599305837734 ×3]
        //   q2: [±1.88561481718346 (+, +, −, −)]
        //   q3: [ 0.7697988193218623 ×3, −2.309396457965587]
        //   q4: [−0.6399987200025599, 1.9199961600076796, −0.6399987200025599 ×2]
        //   q5: [0, 0, 0, 0]
        // σ = sample std of the 20 values of s' = 1.4594627940055316 (no mean subtraction)
        // A = s' / (σ + ε):
        //   q1: [2.2377943222474634, −0.7459314407491545 ×3]
        //   q2: [±1.2919915005279763]
        //   q3: [0.5274531800539786 ×3, −1.5823595401619357]
        //   q4: [−0.43851633910428767, 1.315549017312863, −0.43851633910428767 ×2]
        //   q5: [0, 0, 0, 0]
        let step1 = try fw.advantages([
            prompt("A", "F", [1, 0, 0, 0]), prompt("A", "F", [1, 1, 0, 0]), prompt("A", "M", [1, 1, 1, 0]),
            prompt("B", "F", [0, 1, 0, 0]), prompt("B", "F", [1, 1, 1, 1]),
        ])
        let a1 = Self.a1, b1 = Self.b1, h = Self.h
        expectNear(step1.grpo.flatMap { $0 }, [a1, -b1, -b1, -b1, h, h, -h, -h, b1, b1, b1, -a1, -b1, a1, -b1, -b1, 0, 0, 0, 0], "s step 1")
        #expect(step1.terms.map(\.nDomain) == [3, 3, 3, 2, 2])
        expectNear(step1.terms.map(\.muDomain), [0.5, 0.5, 0.5, 0.625, 0.625], "μ_d")
        expectNear(step1.terms.map(\.tDomain), [0.8660254037844386, 0.8660254037844386, 0.8660254037844386, 0.8838834764831844, 0.8838834764831844], "T_d")
        #expect(step1.terms.map(\.nGroup) == [2, 2, 1, 2, 2])
        expectNear(step1.terms.map(\.muGroup), [0.375, 0.375, 0.75, 0.625, 0.625], "μ_g")
        expectNear(step1.terms.map(\.factor), [0.4592793267718459, 0.4592793267718459, 0.649519052838329, 0.7812500000000001, 0.7812500000000001], "factor")
        #expect(step1.terms.map(\.groupLabel) == ["F", "F", "M", "F", "F"])
        // q5 has s = 0 and a positive factor: 0 / factor = 0 is finite, no fallback.
        #expect(step1.terms.allSatisfy { !$0.fellBack })
        let p = 2.2377943222474634, m = -0.7459314407491545, u = 1.2919915005279763
        let v = 0.5274531800539786, w = -1.5823595401619357, y = -0.43851633910428767, z = 1.315549017312863
        expectNear(step1.final[0], [p, m, m, m], "A q1")
        expectNear(step1.final[1], [u, u, -u, -u], "A q2")
        expectNear(step1.final[2], [v, v, v, w], "A q3")
        expectNear(step1.final[3], [y, z, y, y], "A q4")
        #expect(step1.final[4] == [0, 0, 0, 0])
        // σ itself, through A = s'/(σ + ε) for q1's first rollout: s' = 3.2659797917513202.
        expectNear(3.2659797917513202 / step1.final[0][0] - 1e-6, 1.4594627940055316, "σ step 1")

        // ---------------------------------------------------------------- step 2
        // Batch: q6 A/M [1,0,1,0], q7 B/F [0,0,0,1], q8 A/F [0,0,0,0].
        // History after adding it (both batches):
        //   A:   N_d = 5, rewards 6 + 2 + 0 = 8 of 20 → μ_d = 0.4
        //   B:   N_d = 3, rewards 5 + 1     = 6 of 12 → μ_d = 0.5
        //   A/M: N_g = 2, 3 + 2 = 5 of 8  → μ_g = 0.625
        //   B/F: N_g = 3, 5 + 1 = 6 of 12 → μ_g = 0.5
        //   A/F: N_g = 3, 3 + 0 = 3 of 12 → μ_g = 0.25
        // T_A = √5 · 0.4 = 0.894427190999916;  T_B = √3 · 0.5 = 0.8660254037844386
        // factor(q6, A/M) = T_A · √2 · 0.625 = 0.790569415042095
        // factor(q7, B/F) = T_B · √3 · 0.5   = 0.75 (rounded: 0.7499999999999999)
        // factor(q8, A/F) = T_A · √3 · 0.25  = 0.3872983346207417
        // s' : q6 ±1.0954432176470223 (+, −, +, −); q7 [−0.6666653333360001 ×3, 1.9999960000080002]; q8 0
        // σ = 0.959796160765373
        // A  : q6 ±1.1413278371999775; q7 [−0.694589816044444 ×3, 2.083769448133332]; q8 0
        // Without the step-1 history the factors would be T_A·1·0.5 (q6), T_B·1·0.25 (q7): the
        // cumulative statistics are what make these numbers.
        let step2 = try fw.advantages([
            prompt("A", "M", [1, 0, 1, 0]), prompt("B", "F", [0, 0, 0, 1]), prompt("A", "F", [0, 0, 0, 0]),
        ])
        expectNear(step2.grpo.flatMap { $0 }, [h, -h, h, -h, -b1, -b1, -b1, a1, 0, 0, 0, 0], "s step 2")
        #expect(step2.terms.map(\.nDomain) == [5, 3, 5])
        expectNear(step2.terms.map(\.muDomain), [0.4, 0.5, 0.4], "μ_d step 2")
        expectNear(step2.terms.map(\.tDomain), [0.894427190999916, 0.8660254037844386, 0.894427190999916], "T_d step 2")
        #expect(step2.terms.map(\.nGroup) == [2, 3, 3])
        expectNear(step2.terms.map(\.muGroup), [0.625, 0.5, 0.25], "μ_g step 2")
        expectNear(step2.terms.map(\.factor), [0.790569415042095, 0.7499999999999999, 0.3872983346207417], "factor step 2")
        let e = 1.1413278371999775, f = -0.694589816044444, g = 2.083769448133332
        expectNear(step2.final[0], [e, -e, e, -e], "A q6")
        expectNear(step2.final[1], [f, f, f, g], "A q7")
        #expect(step2.final[2] == [0, 0, 0, 0])
        expectNear(1.0954432176470223 / step2.final[0][0] - 1e-6, 0.959796160765373, "σ step 2")

        // The running sums behind it: prompts, reward sum and reward count per cell.
        let state = fw.state
        let cells = [state.domains["A"], state.domains["B"], state.groups.values.first { $0.prompts == 2 }]
        #expect(cells.map { $0?.prompts } == [5, 3, 2])
        #expect(cells.map { $0?.rewardSum } == [8, 6, 5])
        #expect(cells.map { $0?.rewardCount } == [20, 12, 8])
        #expect(state.groups.count == 3)
        #expect(state.unknownHistory.isEmpty)
    }

    @Test("the weighting ∝ 1/(√N_d·√N_g·μ_d·μ_g): ratios of final to GRPO advantage")
    func impliedWeights() throws {
        var fw = FairWeighting()
        let r = try fw.advantages([
            prompt("A", "F", [1, 0, 0, 0]), prompt("A", "F", [1, 1, 0, 0]), prompt("A", "M", [1, 1, 1, 0]),
            prompt("B", "F", [0, 1, 0, 0]), prompt("B", "F", [1, 1, 1, 1]),
        ])
        // A/s is 1/(factor · (σ + ε)) for every rollout with s ≠ 0: one constant per batch.
        let sigma = 1.4594627940055316
        for (q, t) in r.terms.enumerated() {
            for (s, a) in zip(r.grpo[q], r.final[q]) where s != 0 {
                expectNear(a / s, 1 / (t.factor * (sigma + 1e-6)), tolerance: 1e-12, "weight q\(q + 1)")
            }
        }
    }
}
