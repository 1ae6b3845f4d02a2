import Tensors

/// A seeded synthetic benchmark for teaching and testing, shaped like the
/// FairGRPO paper's seven clinical datasets.
///
/// Generative process (all draws from one seeded generator):
///
/// 1. Domains. Seven data sources whose sizes follow the paper's datasets,
///    212K : 2.5K : 20K : 33K : 10K : 2.3K : 362, scaled to `n` (at least 20
///    rows each). Each has its own classes (2 or 3, named "domain/class").
/// 2. Demographics. Sex (M 60% / F 40% by default) and age bin A1 ≤25,
///    A2 26-50, A3 51-75, A4 >75 (8% / 27% / 45% / 20%), drawn independently.
///    Two domains (dermatology and ultrasound) record age only, as in the paper.
///    A training group is the intersection within the domain, e.g. "M,A3".
/// 3. Labels. Class c of domain d with probability from a skewed prior (the
///    first class most common).
/// 4. Features. `informative` dimensions: x = μ(d, c) + s(d, g) + ε, where
///    μ(d, c) ~ N(0, separation²·I) is a class prototype, s(d, g) a group
///    shift of length difficulty · (1 − p_g / p_max) · separation in a random
///    direction (p_g the group's share in its domain, so the largest group is
///    not shifted and the rarest the most), and ε ~ N(0, σ_g²·I) with
///    σ_g = noise · (1 + difficulty · (1 − p_g / p_max)). Then a one-hot of
///    the domain. Shifted, noisier minority groups are what makes a policy
///    trained without fairness weighting underperform on them.
/// 5. Label noise. With probability labelNoise · (1 − p_g / p_max) a row's
///    label is replaced by a uniformly drawn class of its domain: small
///    groups have noisier labels.
/// 6. Missing demographics. A fraction `missing` of rows lose their
///    attributes (group UNK); the true values are kept for comparing
///    discovered clusters with them (ARI/NMI).
/// 7. Minority rules (off by default). Minority groups are those whose share
///    is below `minorityShare` of the largest group's in their domain. With
///    `conceptShift` s > 0, a minority row of class c is drawn around
///    (1 − s)·μ(d, c) + s·μ(d, c + 1 mod K): at s = 1 the minority's
///    features for c are the majority's for the next class, so one decision
///    rule cannot serve both. With `covariateShift` v > 0, each minority group
///    is moved by v · separation · √informative in a random direction of its
///    own, away from the majority, so a policy that knows where a row lies can
///    learn both rules. Neither adds label noise: a row's label is a function
///    of its group and its class prototype. The directions come from a
///    generator of their own (seeded from `seed`), so labels, demographics
///    and noise are the same draws whatever these knobs are, and with both
///    at 0 the data are exactly those of earlier versions.
public struct SynthConfig: Sendable {
    public struct Domain: Sendable {
        public var name: String
        public var relativeSize: Double
        public var classes: [String]
        public var recordsSex: Bool
        public init(name: String, relativeSize: Double, classes: [String], recordsSex: Bool = true) {
            self.name = name; self.relativeSize = relativeSize; self.classes = classes; self.recordsSex = recordsSex
        }
    }

    public var n = 20_000
    public var domains: [Domain] = SynthConfig.paperDomains
    /// Share of M among rows that record sex.
    public var maleShare = 0.6
    /// Shares of the age bins A1…A4.
    public var ageShares = [0.08, 0.27, 0.45, 0.20]
    public var informative = 16
    public var separation = 1.5
    public var noise = 1.0
    /// How much more shifted and noisy the rarest group is than the largest (0 = no difference).
    public var difficulty = 1.5
    /// Label-noise probability of the rarest group (the largest has none).
    public var labelNoise = 0.3
    /// Fraction of rows without demographics.
    public var missing = 0.05
    /// Minority groups (share below `minorityShare` × the largest group's) follow the next class's prototype by this much (0…1).
    public var conceptShift = 0.0
    /// Minority groups are moved by this × separation × √informative, each in its own direction.
    public var covariateShift = 0.0
    public var minorityShare = 0.5
    public var seed: UInt64 = 0
    public var name = "demo"

    public init() {}

    public static let paperDomains: [Domain] = [
        Domain(name: "chest_xray", relativeSize: 212_000, classes: ["normal", "pneumonia", "effusion"]),
        Domain(name: "dermatology", relativeSize: 2_500, classes: ["benign", "malignant"], recordsSex: false),
        Domain(name: "fundus", relativeSize: 20_000, classes: ["no_dr", "mild_dr", "severe_dr"]),
        Domain(name: "ecg", relativeSize: 33_000, classes: ["normal", "arrhythmia"]),
        Domain(name: "ct", relativeSize: 10_000, classes: ["normal", "nodule", "mass"]),
        Domain(name: "pathology", relativeSize: 2_300, classes: ["benign", "malignant"]),
        Domain(name: "ultrasound", relativeSize: 362, classes: ["normal", "abnormal"], recordsSex: false),
    ]

    /// Rows per domain: proportional to the relative sizes, at least 20 each, summing to n.
    public func domainSizes() -> [Int] {
        let minimum = 20
        let total = domains.reduce(0) { $0 + $1.relativeSize }
        var sizes = domains.map { max(minimum, Int((Double(n) * $0.relativeSize / total).rounded())) }
        var excess = sizes.reduce(0, +) - n
        while excess != 0 {
            let i = sizes.indices.max { sizes[$0] < sizes[$1] }!
            let step = excess > 0 ? -1 : 1
            guard sizes[i] + step >= minimum else { break }
            sizes[i] += step
            excess += step
        }
        return sizes
    }
}

extension Dataset {
    /// The synthetic benchmark described on `SynthConfig`.
    public static func synthesize(_ config: SynthConfig) throws -> Dataset {
        guard config.n >= 20 * config.domains.count else {
            throw DataError.invalidArgument("n must be at least \(20 * config.domains.count) (20 rows per domain), got \(config.n)")
        }
        guard !config.domains.isEmpty, config.domains.allSatisfy({ $0.classes.count >= 2 }) else {
            throw DataError.invalidArgument("every domain needs at least 2 classes")
        }
        guard config.ageShares.count == 4, config.ageShares.allSatisfy({ $0 >= 0 }), config.ageShares.reduce(0, +) > 0,
              (0...1).contains(config.maleShare), (0...1).contains(config.missing), (0...1).contains(config.labelNoise),
              config.noise >= 0, config.difficulty >= 0, config.informative >= 1 else {
            throw DataError.invalidArgument("shares, missing and label_noise must lie in [0, 1], noise and difficulty must be non-negative")
        }
        guard (0...1).contains(config.conceptShift), config.covariateShift >= 0, (0...1).contains(config.minorityShare) else {
            throw DataError.invalidArgument("synth(): concept_shift and minority must lie in [0, 1], covariate_shift must be non-negative")
        }
        var rng = SeededGenerator(seed: config.seed)
        var minorityRNG = SeededGenerator(seed: config.seed ^ 0x6D69_6E6F_7269_7479)
        let sizes = config.domainSizes()
        let k = config.informative
        let domainCount = config.domains.count
        let d = k + domainCount
        var classNames: [String] = []
        var classOffset: [Int] = []
        for dom in config.domains {
            classOffset.append(classNames.count)
            classNames += dom.classes.map { "\(dom.name)/\($0)" }
        }
        // Class prototypes per domain.
        var prototypes: [[[Double]]] = config.domains.map { dom in
            dom.classes.map { _ in (0..<k).map { _ in rng.nextNormal() * config.separation } }
        }
        _ = prototypes.count
        let ageTotal = config.ageShares.reduce(0, +)
        let ageShares = config.ageShares.map { $0 / ageTotal }
        var flat = [Float](repeating: 0, count: config.n * d)
        var labels: [Int] = [], domains: [Int] = [], sexCodes: [Int] = [], ageCodes: [Int] = [], ids: [String] = []
        var row = 0
        for (di, dom) in config.domains.enumerated() {
            // Group shares in this domain and each group's shift direction.
            let sexShares = dom.recordsSex ? [1 - config.maleShare, config.maleShare] : [1.0]  // F, M
            var groupShare: [[Double]] = sexShares.map { s in ageShares.map { s * $0 } }
            let pMax = groupShare.flatMap { $0 }.max()!
            var shifts: [[[Double]]] = []
            for s in 0..<sexShares.count {
                var perAge: [[Double]] = []
                for a in 0..<4 {
                    let rarity = 1 - groupShare[s][a] / pMax
                    var dir = (0..<k).map { _ in rng.nextNormal() }
                    let norm = dir.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    dir = dir.map { $0 / norm * config.difficulty * rarity * config.separation }
                    perAge.append(dir)
                }
                shifts.append(perAge)
            }
            groupShare = groupShare.map { $0.map { $0 / pMax } }
            // Minority rules: their own generator, so the main stream is the same draws with or without them.
            let minorityRules = config.conceptShift > 0 || config.covariateShift > 0
            var minorityShifts: [[[Double]]] = []
            if minorityRules {
                let length = config.covariateShift * config.separation * Double(k).squareRoot()
                minorityShifts = groupShare.map { shares in shares.map { _ in
                    var dir = (0..<k).map { _ in minorityRNG.nextNormal() }
                    let norm = dir.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    dir = dir.map { $0 / norm * length }
                    return dir
                } }
            }
            // Skewed class prior: weights 1, 1/2, 1/3, …
            let prior = dom.classes.indices.map { Float(1.0 / Double($0 + 1)) }
            for _ in 0..<sizes[di] {
                let sex = dom.recordsSex ? (rng.nextUnitDouble() < config.maleShare ? 1 : 0) : -1
                let age = rng.nextCategorical(weights: ageShares.map(Float.init))
                let s = max(sex, 0)
                let rarity = 1 - groupShare[s][age]
                var c = rng.nextCategorical(weights: prior)
                let sigma = config.noise * (1 + config.difficulty * rarity)
                let base = row * d
                if minorityRules && groupShare[s][age] < config.minorityShare {
                    let next = (c + 1) % dom.classes.count, w = config.conceptShift
                    for j in 0..<k {
                        let centre = (1 - w) * prototypes[di][c][j] + w * prototypes[di][next][j]
                        flat[base + j] = Float(centre + minorityShifts[s][age][j] + shifts[s][age][j] + rng.nextNormal() * sigma)
                    }
                } else {
                    for j in 0..<k {
                        flat[base + j] = Float(prototypes[di][c][j] + shifts[s][age][j] + rng.nextNormal() * sigma)
                    }
                }
                flat[base + k + di] = 1
                if rng.nextUnitDouble() < config.labelNoise * rarity {
                    c = rng.nextIndex(below: dom.classes.count)
                }
                labels.append(classOffset[di] + c)
                domains.append(di)
                sexCodes.append(sex)
                ageCodes.append(age)
                ids.append("\(dom.name)-\(row)")
                row += 1
            }
        }
        prototypes.removeAll()
        let featureNames = (0..<k).map { "x\($0)" } + config.domains.map { "domain=\($0.name)" }
        let numeric = (0..<d).map { $0 < k }
        var sex = Attribute(name: "sex", levels: ["female", "male"], shortNames: ["F", "M"], codes: sexCodes)
        var age = Attribute(name: "age", levels: ["≤25", "26-50", "51-75", ">75"], shortNames: ["A1", "A2", "A3", "A4"], codes: ageCodes)
        if config.missing > 0 {
            sex.trueCodes = sexCodes
            age.trueCodes = ageCodes
            for r in 0..<config.n where rng.nextUnitDouble() < config.missing {
                sex.codes[r] = -1
                age.codes[r] = -1
            }
        }
        var data = Dataset(name: config.name, rawFeatures: try Tensor(shape: [config.n, d], scalars: flat), featureNames: featureNames,
                           numeric: numeric, labels: labels, classNames: classNames, attributes: [sex, age], domains: domains,
                           domainNames: config.domains.map(\.name), ids: ids, groupIDs: nil)
        data.notes = ["synthetic (seed \(config.seed)): see help(synth) for the generative process"]
        return data
    }
}
