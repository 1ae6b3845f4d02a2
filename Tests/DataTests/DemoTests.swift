import Data
import Foundation
import Tensors
import Testing
import TestSupport

/// The demo benchmark against its documentation (the comment on `SynthConfig`).
@Suite("Demo benchmark")
struct DemoTests {
    static let relativeSizes: [Double] = [212_000, 2_500, 20_000, 33_000, 10_000, 2_300, 362]
    static let domainNames = ["chest_xray", "dermatology", "fundus", "ecg", "ct", "pathology", "ultrasound"]

    static func demo(n: Int = 20_000, seed: UInt64 = 0) throws -> Dataset {
        var config = SynthConfig()
        config.n = n
        config.seed = seed
        return try Dataset.synthesize(config)
    }

    @Test("domain sizes: proportional to 212K:2.5K:20K:33K:10K:2.3K:362, at least 20 each, summing to n",
          arguments: [140, 1000, 2000, 5000, 20_000, 100_000])
    func domainSizes(n: Int) throws {
        var config = SynthConfig()
        config.n = n
        let sizes = config.domainSizes()
        #expect(sizes.count == 7)
        #expect(sizes.reduce(0, +) == n)
        #expect(sizes.allSatisfy { $0 >= 20 })
        let total = Self.relativeSizes.reduce(0, +)
        let proportional = Self.relativeSizes.map { Double(n) * $0 / total }
        // Every domain but the largest is its rounded share (or the minimum); the largest absorbs the rest.
        for i in 1..<7 { #expect(sizes[i] == max(20, Int(proportional[i].rounded())), "domain \(i) at n=\(n)") }
        let raised = (1..<7).map { Double(sizes[$0]) - proportional[$0] }.reduce(0, +)
        #expect(abs(Double(sizes[0]) - (proportional[0] - raised)) <= 0.5 + 1e-9)
        // The dataset really has those sizes.
        let d = try Self.demo(n: n)
        #expect(d.count == n)
        #expect(histogram(d.domains) == Dictionary(uniqueKeysWithValues: sizes.enumerated().map { ($0, $1) }))
    }

    @Test("n below 20 rows per domain is refused")
    func tooSmall() {
        #expect(throws: DataError.invalidArgument("n must be at least 140 (20 rows per domain), got 139")) {
            try Self.demo(n: 139)
        }
    }

    @Test("shape: 7 domains, 2-3 classes each named domain/class, 16 informative features plus a domain one-hot")
    func shape() throws {
        let d = try Self.demo(n: 2000)
        #expect(d.domainNames == Self.domainNames)
        #expect(d.classNames.count == 17)
        #expect(d.classNames.prefix(3) == ["chest_xray/normal", "chest_xray/pneumonia", "chest_xray/effusion"])
        #expect(d.featureCount == 23)
        #expect(d.featureNames.last == "domain=ultrasound")
        #expect(d.scaler.numeric == (0..<23).map { $0 < 16 })
        #expect(d.attributes.map(\.name) == ["sex", "age"])
        #expect(d.attributes[1].levels == ["≤25", "26-50", "51-75", ">75"])
        #expect(d.attributes[1].shortNames == ["A1", "A2", "A3", "A4"])
        #expect(d.ids.first == "chest_xray-0")
        let raw = rows(d.rawFeatures)
        for r in 0..<d.count {
            // Every label is one of its domain's classes, and the one-hot marks its domain.
            #expect(d.classNames[d.labels[r]].hasPrefix(Self.domainNames[d.domains[r]] + "/"))
            #expect(Array(raw[r][16...]) == (0..<7).map { $0 == d.domains[r] ? 1 : 0 })
        }
    }

    @Test("demographics: male share 0.6, age shares 0.08/0.27/0.45/0.20; dermatology and ultrasound record age only")
    func demographics() throws {
        let d = try Self.demo()
        let sex = d.attributes[0].groundTruth, age = d.attributes[1].groundTruth
        let ageOnly: Set<Int> = [1, 6]
        var males = 0, recorded = 0
        for r in 0..<d.count {
            if ageOnly.contains(d.domains[r]) {
                #expect(sex[r] == -1)
            } else {
                #expect(sex[r] >= 0)
                recorded += 1
                males += sex[r]
            }
        }
        // Binomial standard error at n ≈ 19.5K is 0.0035: allow about 4 of them.
        #expect(abs(Double(males) / Double(recorded) - 0.6) < 0.015)
        let ageCounts = histogram(age)
        for (level, share) in [0.08, 0.27, 0.45, 0.20].enumerated() {
            #expect(abs(Double(ageCounts[level] ?? 0) / Double(d.count) - share) < 0.015, "age level \(level)")
        }
        // Groups are the intersection within the domain: age only where sex is not recorded.
        let keys = d.groupKeys(truth: true)
        for r in 0..<d.count {
            let expected = ageOnly.contains(d.domains[r]) ? "A\(age[r] + 1)" : "\(sex[r] == 1 ? "M" : "F"),A\(age[r] + 1)"
            #expect(keys[r] == expected)
        }
        #expect(d.attributesPerDomain.map { $0 } == (0..<7).map { ageOnly.contains($0) ? [false, true] : [true, true] })
    }

    @Test("about 5% of rows lose their demographics (group UNK); the true values are kept")
    func missingDemographics() throws {
        let d = try Self.demo()
        let sex = d.attributes[0], age = d.attributes[1]
        let truthSex = try #require(sex.trueCodes), truthAge = try #require(age.trueCodes)
        let missing = (0..<d.count).filter { age.codes[$0] < 0 }
        // Standard error 0.0015 at n = 20K.
        #expect(abs(Double(missing.count) / Double(d.count) - 0.05) < 0.006)
        #expect(abs(d.unknownFraction - Double(missing.count) / Double(d.count)) < 1e-12)
        let keys = d.groupKeys()
        for r in 0..<d.count {
            if age.codes[r] < 0 {
                #expect(sex.codes[r] == -1)  // both attributes go together
                #expect(keys[r] == "UNK")
                #expect(truthAge[r] >= 0)
            } else {
                #expect(sex.codes[r] == truthSex[r] && age.codes[r] == truthAge[r])
                #expect(keys[r] != "UNK")
            }
        }
        var config = SynthConfig()
        config.n = 2000
        config.missing = 0
        let complete = try Dataset.synthesize(config)
        #expect(complete.unknownFraction == 0)
        #expect(complete.attributes[0].trueCodes == nil)
    }

    @Test("the first class of each domain is the most common (prior weights 1, 1/2, 1/3)")
    func classPrior() throws {
        let d = try Self.demo()
        var config = SynthConfig()
        config.n = 20_000
        let sizes = config.domainSizes()
        var offset = 0
        for (i, domain) in config.domains.enumerated() {
            let counts = (0..<domain.classes.count).map { c in (0..<d.count).filter { d.labels[$0] == offset + c }.count }
            #expect(counts.reduce(0, +) == sizes[i])
            if sizes[i] >= 500 { #expect(counts[0] == counts.max()!, "\(domain.name): \(counts)") }
            offset += domain.classes.count
        }
    }

    /// Share of each group within its domain relative to the largest group's, for the
    /// default shares: 1 for M,A3 (or A3 where sex is not recorded).
    static func relativeShare(sex: Int, age: Int, recordsSex: Bool) -> Double {
        let ages = [0.08, 0.27, 0.45, 0.20]
        if !recordsSex { return ages[age] / 0.45 }
        return (sex == 1 ? 0.6 : 0.4) * ages[age] / (0.6 * 0.45)
    }

    @Test("label noise grows with rarity: labelNoise·(1 − p_g/p_max) of a group's labels are redrawn")
    func labelNoiseByGroup() throws {
        // No group shift and almost no feature noise: each row sits on its noiseless class's
        // prototype, so nearest-prototype recovers the class before label noise.
        var config = SynthConfig()
        config.n = 20_000
        config.seed = 5
        config.difficulty = 0
        config.noise = 0.05
        config.missing = 0
        let d = try Dataset.synthesize(config)
        let raw = rows(d.rawFeatures).map { Array($0.prefix(16)) }
        let sex = d.attributes[0].codes, age = d.attributes[1].codes
        var classOffset: [Int] = []
        var o = 0
        for dom in config.domains { classOffset.append(o); o += dom.classes.count }

        var expectedFlips = 0.0, observedFlips = 0
        var rareRows = 0, rareFlips = 0, commonRows = 0, commonFlips = 0
        var domainsChecked = 0
        for (di, dom) in config.domains.enumerated() {
            let rowsHere = (0..<d.count).filter { d.domains[$0] == di }
            let largest = rowsHere.filter { age[$0] == 2 && (!dom.recordsSex || sex[$0] == 1) }
            // Prototypes from the largest group, whose labels are never redrawn.
            var prototypes: [[Double]] = []
            for c in 0..<dom.classes.count {
                let members = largest.filter { d.labels[$0] == classOffset[di] + c }
                guard !members.isEmpty else { break }
                prototypes.append((0..<16).map { j in members.map { raw[$0][j] }.reduce(0, +) / Double(members.count) })
            }
            guard prototypes.count == dom.classes.count else { continue }
            domainsChecked += 1
            for r in rowsHere {
                let distances = prototypes.map { p in zip(p, raw[r]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
                let clean = distances.indices.min { distances[$0] < distances[$1] }!
                let flipped = d.labels[r] != classOffset[di] + clean
                let rarity = 1 - Self.relativeShare(sex: sex[r], age: age[r], recordsSex: dom.recordsSex)
                if rarity == 0 { #expect(!flipped, "row \(r) of the largest group has a changed label") }
                // Redrawn uniformly: a redraw changes the label with probability 1 − 1/k.
                expectedFlips += config.labelNoise * rarity * (1 - 1 / Double(dom.classes.count))
                if flipped { observedFlips += 1 }
                if rarity >= 0.8 { rareRows += 1; if flipped { rareFlips += 1 } }
                if rarity <= 0.3 { commonRows += 1; if flipped { commonFlips += 1 } }
            }
        }
        #expect(domainsChecked >= 5)
        // A sum of independent Bernoullis: allow 4 standard deviations (≤ √expected).
        #expect(abs(Double(observedFlips) - expectedFlips) <= 4 * expectedFlips.squareRoot(),
                "observed \(observedFlips) label changes, expected \(expectedFlips)")
        let rareRate = Double(rareFlips) / Double(rareRows), commonRate = Double(commonFlips) / Double(commonRows)
        #expect(rareRate > 0.09)
        #expect(rareRate > 3 * commonRate, "rare groups \(rareRate), common groups \(commonRate)")
    }

    @Test("same seed → identical dataset; different seed → different")
    func seeds() throws {
        let a = try Self.demo(n: 3000, seed: 11), b = try Self.demo(n: 3000, seed: 11), c = try Self.demo(n: 3000, seed: 12)
        #expect(a.labels == b.labels)
        #expect(a.rawFeatures.scalars.map(\.bitPattern) == b.rawFeatures.scalars.map(\.bitPattern))
        #expect(a.attributes.map(\.codes) == b.attributes.map(\.codes))
        #expect(a.attributes.map(\.trueCodes) == b.attributes.map(\.trueCodes))
        #expect(a.ids == b.ids)
        #expect(a.labels != c.labels)
        #expect(a.rawFeatures.scalars != c.rawFeatures.scalars)
        #expect(a.attributes[1].codes != c.attributes[1].codes)
    }

    /// One binary domain with the demo's demographics, little feature noise, no label noise.
    static func minorityRules(concept: Double, covariate: Double, seed: UInt64 = 3) throws -> Dataset {
        var config = SynthConfig()
        config.domains = [SynthConfig.Domain(name: "clinic", relativeSize: 1, classes: ["negative", "positive"])]
        config.n = 4000
        config.seed = seed
        config.difficulty = 0
        config.labelNoise = 0
        config.missing = 0
        config.noise = 0.3
        config.conceptShift = concept
        config.covariateShift = covariate
        return try Dataset.synthesize(config)
    }

    @Test("concept shift: minority groups (share < half the largest's) follow a different rule, without label noise")
    func conceptShift() throws {
        let data = try Self.minorityRules(concept: 1, covariate: 0)
        let k = 16, x = data.rawFeatures.scalars, d = data.rawFeatures.shape[1]
        // Shares F 0.4 / M 0.6 × ages .08/.27/.45/.20 over the largest (M, 51-75: .27): below 0.5 are
        // F,≤25  F,26-50  F,>75  M,≤25  M,>75.
        let minority: Set<[Int]> = [[0, 0], [0, 1], [0, 3], [1, 0], [1, 3]]
        func isMinority(_ r: Int) -> Bool { minority.contains([data.attributes[0].codes[r], data.attributes[1].codes[r]]) }
        func mean(_ rows: [Int]) -> [Double] {
            (0..<k).map { j in rows.reduce(0.0) { $0 + Double(x[$1 * d + j]) } / Double(rows.count) }
        }
        let rows = Array(0..<data.count)
        let majority = (0..<2).map { c in mean(rows.filter { !isMinority($0) && data.labels[$0] == c }) }
        // A nearest-majority-mean rule: right for the majority, wrong for every minority row.
        func nearest(_ r: Int) -> Int {
            let dist = majority.map { m in (0..<k).reduce(0.0) { $0 + pow(Double(x[r * d + $1]) - m[$1], 2) } }
            return dist[0] <= dist[1] ? 0 : 1
        }
        let minorityRows = rows.filter(isMinority), majorityRows = rows.filter { !isMinority($0) }
        #expect(minorityRows.count > 800 && majorityRows.count > 1500)
        let majorityAccuracy = Double(majorityRows.filter { nearest($0) == data.labels[$0] }.count) / Double(majorityRows.count)
        let minorityAccuracy = Double(minorityRows.filter { nearest($0) == data.labels[$0] }.count) / Double(minorityRows.count)
        #expect(majorityAccuracy > 0.99, "\(majorityAccuracy)")
        #expect(minorityAccuracy < 0.01, "\(minorityAccuracy)")
        // Without the knob the same rule serves everyone.
        let plain = try Self.minorityRules(concept: 0, covariate: 0)
        let px = plain.rawFeatures.scalars
        let plainMeans = (0..<2).map { c in
            (0..<k).map { j in
                let rs = (0..<plain.count).filter { plain.labels[$0] == c }
                return rs.reduce(0.0) { $0 + Double(px[$1 * d + j]) } / Double(rs.count)
            }
        }
        let plainAccuracy = Double((0..<plain.count).filter { r in
            let dist = plainMeans.map { m in (0..<k).reduce(0.0) { $0 + pow(Double(px[r * d + $1]) - m[$1], 2) } }
            return (dist[0] <= dist[1] ? 0 : 1) == plain.labels[r]
        }.count) / Double(plain.count)
        #expect(plainAccuracy > 0.99)
    }

    @Test("covariate shift moves each minority group away by covariate_shift · separation · √informative")
    func covariateShift() throws {
        let moved = try Self.minorityRules(concept: 0, covariate: 1), still = try Self.minorityRules(concept: 0, covariate: 0)
        // The shifts have a generator of their own: labels, demographics and noise are the same draws.
        #expect(moved.labels == still.labels)
        #expect(moved.attributes.map(\.codes) == still.attributes.map(\.codes))
        let k = 16, d = moved.rawFeatures.shape[1], a = moved.rawFeatures.scalars, b = still.rawFeatures.scalars
        // A minority group (F, ≤25) is moved by 1 × 1.5 × √16 = 6; the largest (M, 51-75) is not.
        func offset(_ sex: Int, _ age: Int) -> Double {
            let rows = (0..<moved.count).filter { moved.attributes[0].codes[$0] == sex && moved.attributes[1].codes[$0] == age }
            let diff = (0..<k).map { j in rows.reduce(0.0) { $0 + Double(a[$1 * d + j] - b[$1 * d + j]) } / Double(rows.count) }
            return diff.reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
        #expect(abs(offset(0, 0) - 6) < 1e-4, "\(offset(0, 0))")
        #expect(offset(1, 2) == 0, "\(offset(1, 2))")
    }

    @Test("minority rules are deterministic per seed")
    func minorityRulesSeeded() throws {
        let a = try Self.minorityRules(concept: 1, covariate: 1, seed: 5), b = try Self.minorityRules(concept: 1, covariate: 1, seed: 5)
        let c = try Self.minorityRules(concept: 1, covariate: 1, seed: 6)
        #expect(a.labels == b.labels)
        #expect(a.rawFeatures.scalars.map(\.bitPattern) == b.rawFeatures.scalars.map(\.bitPattern))
        #expect(a.rawFeatures.scalars != c.rawFeatures.scalars)
        var bad = SynthConfig()
        bad.conceptShift = 1.5
        #expect(throws: DataError.self) { try Dataset.synthesize(bad) }
    }

    @Test("invalid knobs are refused with a message")
    func invalidConfig() {
        var config = SynthConfig()
        config.maleShare = 1.5
        #expect(throws: DataError.self) { try Dataset.synthesize(config) }
        config = SynthConfig()
        config.ageShares = [0.5, 0.5]
        #expect(throws: DataError.self) { try Dataset.synthesize(config) }
        config = SynthConfig()
        config.domains = [SynthConfig.Domain(name: "one", relativeSize: 1, classes: ["only"])]
        #expect(throws: DataError.invalidArgument("every domain needs at least 2 classes")) { try Dataset.synthesize(config) }
    }
}
