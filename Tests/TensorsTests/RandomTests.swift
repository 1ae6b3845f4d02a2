import Tensors
import Testing

@Suite("Seeded random numbers")
struct RandomTests {
    @Test("the sequence is xoshiro256** seeded by SplitMix64 (fixed across machines)")
    func knownValues() {
        var g0 = SeededGenerator(seed: 0)
        #expect((0..<4).map { _ in g0.next() } == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C])
        var g42 = SeededGenerator(seed: 42)
        #expect((0..<4).map { _ in g42.next() } == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1])
    }

    @Test("the same seed gives identical sequences, different seeds differ")
    func sameSeed() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let sa = (0..<1000).map { _ in a.next() }
        let sb = (0..<1000).map { _ in b.next() }
        let sc = (0..<1000).map { _ in c.next() }
        #expect(sa == sb)
        #expect(a == b)
        #expect(sa != sc)
        var t1 = SeededGenerator(seed: 9), t2 = SeededGenerator(seed: 9)
        #expect(Tensor.randomNormal([3, 5], using: &t1) == Tensor.randomNormal([3, 5], using: &t2))
        #expect(Tensor.randomUniform([7], using: &t1) == Tensor.randomUniform([7], using: &t2))
    }

    @Test("saving and restoring state resumes the sequence exactly")
    func stateRestore() {
        var g = SeededGenerator(seed: 11)
        for _ in 0..<10 { _ = g.next() }
        let saved = g.state
        let first = (0..<20).map { _ in g.next() }
        let firstNormal = g.nextNormal()
        g.state = saved
        #expect((0..<20).map { _ in g.next() } == first)
        #expect(g.nextNormal() == firstNormal)
        // Another generator given the state continues identically.
        var other = SeededGenerator(seed: 999)
        other.state = saved
        var again = SeededGenerator(seed: 11)
        for _ in 0..<10 { _ = again.next() }
        #expect(other == again)
        #expect(other.next() == first[0])
    }

    @Test("an all-zero state is replaced so the generator does not stick at zero")
    func zeroState() {
        var g = SeededGenerator(seed: 1)
        g.state = (0, 0, 0, 0)
        let values = (0..<8).map { _ in g.next() }
        #expect(values.contains { $0 != 0 })
    }

    @Test("split gives an independent stream and advances the parent")
    func split() {
        var parent = SeededGenerator(seed: 5)
        var child = parent.split()
        #expect(child != parent)
        #expect((0..<10).map { _ in child.next() } != (0..<10).map { _ in parent.next() })
    }

    @Test("unit floats and doubles lie in [0, 1)")
    func unitInterval() {
        var g = SeededGenerator(seed: 12)
        var floats: [Float] = [], doubles: [Double] = []
        for _ in 0..<10_000 {
            floats.append(g.nextUnitFloat())
            doubles.append(g.nextUnitDouble())
        }
        #expect(floats.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(doubles.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(floats.reduce(0, +) / 10_000 - 0.5) < 0.01)
    }

    @Test("nextIndex(below:) stays in range and is roughly uniform", arguments: [1, 2, 7, 10, 1000])
    func nextIndex(_ n: Int) {
        var g = SeededGenerator(seed: 13)
        let draws = 20_000 * Swift.min(n, 10)
        var counts = [Int](repeating: 0, count: n)
        for _ in 0..<draws {
            let i = g.nextIndex(below: n)
            guard i >= 0 && i < n else {
                Issue.record("nextIndex(below: \(n)) returned \(i)")
                return
            }
            counts[i] += 1
        }
        guard n > 1 else { return }
        // Pearson's chi-square with n − 1 degrees of freedom: mean n − 1, sd √(2(n − 1)).
        let expected = Double(draws) / Double(n)
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        let dof = Double(n - 1)
        #expect(chi2 < dof + 6 * (2 * dof).squareRoot() + 10, "chi-square \(chi2) for \(n) bins")
    }

    @Test("nextIndex handles bounds near 2^63")
    func largeBound() {
        var g = SeededGenerator(seed: 14)
        let n = Int.max - 5
        var high = 0
        for _ in 0..<1000 {
            let i = g.nextIndex(below: n)
            #expect(i >= 0 && i < n)
            if i > n / 2 { high += 1 }
        }
        #expect(high > 400 && high < 600)
    }

    @Test("normal samples have mean ≈ 0 and standard deviation ≈ 1")
    func normal() {
        var g = SeededGenerator(seed: 15)
        let n = 100_000
        var sum = 0.0, sumSquares = 0.0, beyond3 = 0
        for _ in 0..<n {
            let z = g.nextNormal()
            sum += z
            sumSquares += z * z
            if abs(z) > 3 { beyond3 += 1 }
        }
        let mean = sum / Double(n)
        let std = (sumSquares / Double(n) - mean * mean).squareRoot()
        #expect(abs(mean) < 0.02)
        #expect(abs(std - 1) < 0.02)
        #expect(beyond3 > 150 && beyond3 < 400)  // expected 0.27%: 270
    }

    @Test("randomNormal honours mean and std and fills odd counts")
    func randomNormalTensor() {
        var g = SeededGenerator(seed: 16)
        let t = Tensor.randomNormal([20_001], mean: 5, std: 2, using: &g)
        let values = t.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(abs(mean - 5) < 0.06)
        #expect(abs(variance.squareRoot() - 2) < 0.06)
        #expect(values.allSatisfy { $0.isFinite })
        // The last (odd) element is written, not left as pooled memory.
        var h = SeededGenerator(seed: 17)
        let odd = Tensor.randomNormal([3], using: &h)
        var h2 = SeededGenerator(seed: 17)
        let even = Tensor.randomNormal([4], using: &h2)
        #expect(odd.scalars == Array(even.scalars.prefix(3)))
    }

    @Test("nextCategorical follows the weights and never picks a zero weight")
    func categorical() {
        var g = SeededGenerator(seed: 18)
        let weights: [Float] = [1, 0, 3, 6]
        let n = 100_000
        var counts = [Int](repeating: 0, count: 4)
        for _ in 0..<n { counts[g.nextCategorical(weights: weights)] += 1 }
        #expect(counts[1] == 0)
        let frequencies = counts.map { Double($0) / Double(n) }
        for (f, p) in zip(frequencies, [0.1, 0, 0.3, 0.6]) {
            #expect(abs(f - p) < 0.01, "frequency \(f), expected \(p)")
        }
        // Unnormalised weights and a slice whose indices do not start at 0.
        let padded: [Float] = [9, 9, 0, 2, 0]
        let slice = padded[2...]
        for _ in 0..<100 { #expect(g.nextCategorical(weights: slice) == 1) }
    }

    @Test("permutation is a permutation", arguments: [0, 1, 2, 10, 257])
    func permutation(_ n: Int) {
        var g = SeededGenerator(seed: 19)
        let p = g.permutation(n)
        #expect(p.sorted() == Array(0..<n))
        if n >= 10 { #expect(p != Array(0..<n)) }
    }

    @Test("every position of a small permutation is equally likely")
    func permutationUniform() {
        var g = SeededGenerator(seed: 20)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 4), count: 4)
        let n = 40_000
        for _ in 0..<n {
            for (position, value) in g.permutation(4).enumerated() { counts[position][value] += 1 }
        }
        for row in counts {
            for c in row { #expect(abs(Double(c) / Double(n) - 0.25) < 0.015) }
        }
    }
}
