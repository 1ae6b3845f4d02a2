#if canImport(Glibc)
import Glibc
#endif

/// Axis ticks at "nice" values (1, 2 or 5 times a power of ten), after Heckbert (1990).
public enum Ticks {
    public static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let e = floor(log10(x)), f = x / pow(10, e)
        let n: Double
        if round { n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10 } else { n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10 }
        return n * pow(10, e)
    }

    /// Ticks covering [low, high], about `count` of them; the range is widened to whole ticks.
    public static func linear(_ low: Double, _ high: Double, count: Int = 6) -> [Double] {
        var lo = low, hi = high
        if lo == hi { lo -= abs(lo) > 0 ? abs(lo) * 0.1 : 1; hi += abs(hi) > 0 ? abs(hi) * 0.1 : 1 }
        // A span too wide for a Double (±1e308) or too narrow to step through is drawn as its two ends.
        guard (hi - lo).isFinite else { return [lo, hi] }
        let range = nice(hi - lo, round: false)
        let step = nice(range / Double(max(count - 1, 1)), round: true)
        let first = floor(lo / step) * step, last = ceil(hi / step) * step
        guard first.isFinite, last.isFinite, first + step != first, last > first else { return [lo, hi] }
        var out: [Double] = []
        var v = first
        while v <= last + step / 2 && out.count < 50 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return out
    }

    /// Powers of ten covering [low, high] (both positive).
    public static func logarithmic(_ low: Double, _ high: Double) -> [Double] {
        let a = floor(log10(low)), b = max(ceil(log10(high)), a + 1)
        // Over many decades label every k-th one, so at most about 8 ticks share the axis.
        let k = max(1, ((b - a) / 8).rounded(.up))
        let top = a + ((b - a) / k).rounded(.up) * k
        return stride(from: a, through: top, by: k).map { pow(10, $0) }
    }

    /// Short label: integers without decimals, otherwise up to 4 significant digits.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 {
            let e = Int(floor(log10(a)))
            let m = v / pow(10, Double(e))
            return (m == m.rounded() ? String(Int(m)) : String(format3(m))) + "e" + String(e)
        }
        if v == v.rounded() { return String(Int(v)) }
        return format3(v)
    }

    static func format3(_ v: Double) -> String {
        var s = String(Double(Int((v * 10000).rounded())) / 10000)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }
}
