/// A source of randomness whose whole state can be saved and restored, so a
/// run can be reproduced or resumed exactly.
public protocol SeededRandomSource: RandomNumberGenerator {
    /// Uniform in [0, 1) with 24 random bits.
    mutating func nextUnitFloat() -> Float
    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnitDouble() -> Double
}

extension SeededRandomSource {
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// One sample of N(0, 1) (Box–Muller; the second value of the pair is discarded
    /// so that the generator's state is the only state).
    public mutating func nextNormal() -> Double {
        let (z, _) = normalPair()
        return z
    }

    /// Two independent N(0, 1) samples.
    mutating func normalPair() -> (Double, Double) {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - nextUnitDouble()
        let u2 = nextUnitDouble()
        let r = (-2 * _log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        return (r * _cos(theta), r * _sin(theta))
    }

    /// Fills `buffer` with N(mean, std²) samples, two per Box–Muller draw.
    mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float, std: Float) {
        var i = 0
        while i < buffer.count {
            let (a, b) = normalPair()
            buffer[i] = mean + std * Float(a)
            if i + 1 < buffer.count { buffer[i + 1] = mean + std * Float(b) }
            i += 2
        }
    }

    /// An integer uniform in `0..<n`, without modulo bias (Lemire's method).
    public mutating func nextIndex(below n: Int) -> Int {
        precondition(n > 0, "nextIndex(below:) needs a positive bound")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Draws an index with probability proportional to `weights[i]` (non-negative,
    /// not all zero). Weights need not sum to one.
    public mutating func nextCategorical<C: Collection>(weights: C) -> Int where C.Element == Float, C.Index == Int {
        var total: Double = 0
        for w in weights { total += Double(w) }
        precondition(total > 0 && total.isFinite, "categorical weights must be non-negative with a positive, finite sum")
        let u = nextUnitDouble() * total
        var acc: Double = 0
        var lastPositive = weights.startIndex
        for i in weights.indices {
            let w = Double(weights[i])
            if w > 0 { lastPositive = i }
            acc += w
            if u < acc { return i - weights.startIndex }
        }
        return lastPositive - weights.startIndex  // rounding left u just past the end
    }

    /// Fisher–Yates shuffle of `0..<n`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, nextIndex(below: i + 1)) }
        }
        return p
    }
}

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
///
/// Fast, 256 bits of state, and fully specified here, so the same seed gives
/// the same numbers on every machine and Swift version (the standard library's
/// `random(in:using:)` algorithms are not guaranteed stable, so none of them
/// is used on this generator's output).
public struct SeededGenerator: SeededRandomSource, Sendable, Equatable {
    /// The complete state: save it, and assigning it back resumes the sequence.
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        get { (s0, s1, s2, s3) }
        set {
            (s0, s1, s2, s3) = newValue
            if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }  // all-zero is a fixed point
        }
    }
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// An independent generator derived from this one's next output (for
    /// giving each component its own stream).
    public mutating func split() -> SeededGenerator { SeededGenerator(seed: next()) }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool {
        a.s0 == b.s0 && a.s1 == b.s1 && a.s2 == b.s2 && a.s3 == b.s3
    }
}
