import Data
import Fairness
import Testing
import TestSupport

/// `FairnessReport.evaluate` against scikit-learn and fairlearn on the fixtures
/// written by scripts/fairness_reference.py: every number to 1e-9.
@Suite("Fairness reference fixtures")
struct ReferenceTests {
    struct Key: Hashable, CustomStringConvertible {
        var domain: String, attribute: String, level: String
        var description: String { "\(domain) \(attribute)=\(level)" }
    }

    static func report(_ f: ReferenceFixture, intersections: Bool = true) throws -> FairnessReport {
        try FairnessReport.evaluate(truth: f.yTrue, predictions: f.yPred, data: try f.dataset(), intersections: intersections,
                                    probabilities: f.yProb.flatMap { $0 })
    }

    /// The expected value of a metric in a fixture's score record; a key the
    /// reference leaves out (selection rate on a multi-class task) means no value.
    static func expected(_ scores: [String: Double?], _ m: Metric) -> Double? { scores[fixtureKey(m)] ?? nil }

    /// The fixtures (scripts/fairness_reference.py) name one-vs-rest accuracy "acc".
    static func fixtureKey(_ m: Metric) -> String { m == .accuracyOVR ? "acc" : m.rawValue }

    @Test("overall scores match scikit-learn", arguments: Fixtures.names)
    func overall(name: String) throws {
        let f = try Fixtures.load(name)
        let r = try Self.report(f)
        #expect(r.overall.n == f.yTrue.count)
        for m in Metric.allCases {
            let want = Self.expected(f.expected.overall, m)
            #expect(agree(r.overall.value(m), want), "\(name) overall \(m.rawValue): \(describe(r.overall.value(m))) vs \(describe(want))")
        }
    }

    @Test("group scores match MetricFrame.by_group (attributes and sex×age)", arguments: Fixtures.names)
    func byGroup(name: String) throws {
        let f = try Fixtures.load(name)
        let r = try Self.report(f)
        let expected = Dictionary(uniqueKeysWithValues: f.expected.groups.map { (Key(domain: $0.domain, attribute: $0.attribute, level: $0.level), $0) })
        let got = Dictionary(uniqueKeysWithValues: r.groups.map { (Key(domain: $0.domain, attribute: $0.attribute, level: $0.level), $0) })
        #expect(Set(got.keys) == Set(expected.keys))
        #expect(r.groups.count == f.expected.groups.count)
        var compared = 0
        for (key, want) in expected {
            guard let g = got[key] else { continue }
            #expect(g.scores.n == want.n, "\(name) \(key) n")
            for m in Metric.allCases {
                let w = Self.expected(want.scores, m)
                #expect(agree(g.scores.value(m), w), "\(name) \(key) \(m.rawValue): \(describe(g.scores.value(m))) vs \(describe(w))")
                compared += 1
            }
            #expect(agree(g.positiveTPR, want.positiveTPR), "\(name) \(key) class-1 TPR")
            #expect(agree(g.positiveFPR, want.positiveFPR), "\(name) \(key) class-1 FPR")
        }
        #expect(compared == expected.count * Metric.allCases.count)
    }

    @Test("gap, σ and mean per (domain, attribute) match numpy", arguments: Fixtures.names)
    func spreads(name: String) throws {
        let f = try Fixtures.load(name)
        let r = try Self.report(f)
        func key(_ d: String, _ a: String, _ m: String) -> String { "\(d) \(a) \(m)" }
        let expected = Dictionary(uniqueKeysWithValues: f.expected.spreads.map { (key($0.domain, $0.attribute, $0.metric), $0) })
        let got = Dictionary(uniqueKeysWithValues: r.spreads.map { (key($0.domain, $0.attribute, Self.fixtureKey($0.metric)), $0) })
        #expect(Set(got.keys) == Set(expected.keys))
        for (k, want) in expected {
            guard let s = got[k] else { continue }
            #expect(agree(s.gap, want.gap), "\(name) \(k) gap \(s.gap) vs \(want.gap)")
            #expect(agree(s.sigma, want.sigma), "\(name) \(k) σ \(describe(s.sigma)) vs \(want.sigma)")
            #expect(agree(s.mean, want.mean), "\(name) \(k) mean \(s.mean) vs \(want.mean)")
            #expect(s.groups == want.groups, "\(name) \(k) groups")
        }
    }

    @Test("difference(between_groups) and difference(to_overall) match fairlearn", arguments: Fixtures.names)
    func difference(name: String) throws {
        let f = try Fixtures.load(name)
        let r = try Self.report(f)
        for (toOverall, expected) in [(false, f.expected.difference.betweenGroups), (true, f.expected.difference.toOverall)] {
            let method = toOverall ? "to_overall" : "between_groups"
            let got = r.difference(toOverall: toOverall)
            #expect(got.map { "\($0.domain) \($0.attribute)" }.sorted() == expected.map { "\($0.domain) \($0.attribute)" }.sorted())
            for want in expected {
                guard let row = got.first(where: { $0.domain == want.domain && $0.attribute == want.attribute }) else { continue }
                #expect(Set(row.values.keys.map(Self.fixtureKey)) == Set(want.values.compactMap { $0.value == nil ? nil : $0.key }),
                        "\(name) \(want.domain) \(want.attribute) \(method): metrics")
                for m in Metric.allCases {
                    let w = Self.expected(want.values, m)
                    #expect(agree(row.values[m], w), "\(name) \(want.domain) \(want.attribute) \(method) \(m.rawValue): \(describe(row.values[m])) vs \(describe(w))")
                }
            }
        }
    }

    @Test("the paper's table (and DPD, EOdD) matches numpy/fairlearn", arguments: Fixtures.names)
    func table(name: String) throws {
        let f = try Fixtures.load(name)
        for intersections in [false, true] {
            let t = try Self.report(f, intersections: intersections).table
            #expect(t.columns.count == 13)
            #expect(t.moreColumns.count == 9)
            for (column, value, percentagePoints) in t.columns + t.moreColumns {
                // The fixtures hold the gaps as fractions, under the paper's names.
                #expect(percentagePoints == column.hasSuffix("_pct"))
                let want = (f.expected.table[percentagePoints ? String(column.dropLast(4)) : column] ?? nil).map { percentagePoints ? $0 * 100 : $0 }
                #expect(agree(value, want), "\(name) \(column) (intersections \(intersections)): \(describe(value)) vs \(describe(want))")
            }
        }
    }

    @Test("ratio(between_groups) and ratio(to_overall) match fairlearn's MetricFrame.ratio", arguments: Fixtures.names)
    func ratio(name: String) throws {
        let f = try Fixtures.load(name)
        let r = try Self.report(f)
        var compared = 0
        for (toOverall, expected) in [(false, f.expected.ratio.betweenGroups), (true, f.expected.ratio.toOverall)] {
            let got = r.ratio(toOverall: toOverall)
            #expect(got.count == expected.count)
            for want in expected {
                let row = try #require(got.first { $0.domain == want.domain && $0.attribute == want.attribute })
                for m in Metric.allCases {
                    let w = Self.expected(want.values, m)
                    #expect(agree(row.values[m], w), "\(name) \(want.domain) \(want.attribute) ratio \(toOverall) \(m.rawValue): \(describe(row.values[m])) vs \(describe(w))")
                    compared += 1
                }
            }
        }
        #expect(compared > 20)
    }

    @Test("calibration by group (ECE over 10 bins, Brier) matches numpy and scikit-learn", arguments: Fixtures.names)
    func calibration(name: String) throws {
        let f = try Fixtures.load(name)
        let r = try Self.report(f)
        let cal = try #require(r.calibration)
        #expect(agree(cal.overall.ece, f.expected.calibration.overall["ece"] ?? nil))
        #expect(agree(cal.overall.brier, f.expected.calibration.overall["brier"] ?? nil))
        #expect(cal.groups.count == r.groups.count)
        #expect(f.expected.calibration.groups.count == r.groups.count)
        for want in f.expected.calibration.groups {
            let i = try #require(r.groups.firstIndex { $0.domain == want.domain && $0.attribute == want.attribute && $0.level == want.level })
            #expect(agree(cal.groups[i].ece, want.ece), "\(name) \(want.attribute)=\(want.level) ECE \(describe(cal.groups[i].ece)) vs \(describe(want.ece))")
            #expect(agree(cal.groups[i].brier, want.brier), "\(name) \(want.attribute)=\(want.level) Brier")
        }
        // Without probabilities there is no calibration and no calibration column.
        let plain = try FairnessReport.evaluate(truth: f.yTrue, predictions: f.yPred, data: try f.dataset())
        #expect(plain.calibration == nil && plain.table.ece == nil && plain.table.deltaECE == nil)
    }

    @Test("a note says when EOD equals FPR diff (binary, both classes in every group), and only then")
    func eodNote() throws {
        let binary = try Self.report(try Fixtures.load("binary"), intersections: false)
        #expect(binary.groups.allSatisfy { $0.positiveTPR != nil && $0.positiveFPR != nil })
        #expect(agree(binary.table.eod, binary.table.fprDiff, tolerance: 1e-12))
        #expect(binary.notes.contains { $0.hasPrefix("EOD_pct equals FPR_diff_pct") })
        #expect(binary.summary.contains("note: EOD_pct equals FPR_diff_pct"))
        // EOpD is the class-1 TPR gap, a different number.
        #expect(binary.table.equalOpportunityDifference != binary.table.eod)
        let multi = try Self.report(try Fixtures.load("multiclass"), intersections: false)
        #expect(!multi.notes.contains { $0.hasPrefix("EOD_pct") })
        // A binary table where one group has no positives: the identity fails, and so does the note.
        let f = try Fixtures.load("binary")
        var truth = f.yTrue
        for i in truth.indices where f.attributes[1].codes[i] == 0 { truth[i] = 0 }
        let r = try FairnessReport.evaluate(truth: truth, predictions: f.yPred, data: try f.dataset())
        #expect(!r.notes.contains { $0.hasPrefix("EOD_pct") })
    }

    @Test("undefined group scores are reported in skipped, with the reason", arguments: Fixtures.names)
    func undefined(name: String) throws {
        let f = try Fixtures.load(name)
        let r = try Self.report(f)
        var expectedEntries = 0
        for u in f.expected.undefined {
            for m in u.metrics {
                expectedEntries += 1
                let prefix = "\(u.domain) \(u.attribute)=\(u.level): \(m) undefined ("
                #expect(r.skipped.contains { $0.hasPrefix(prefix) && $0.hasSuffix(")") }, "\(name): no skipped entry \(prefix)…")
            }
        }
        #expect(r.skipped.filter { $0.contains(" undefined (") }.count == expectedEntries, "\(r.skipped)")
        for text in [r.summary, r.byGroupTable.text, r.differenceTable(toOverall: false).text,
                     r.differenceTable(toOverall: true).text, r.byGroupTable.csv] {
            #expect(!text.lowercased().contains("nan"), "\(name): NaN printed")
        }
    }

    @Test("the multi-class fixture really has the edge cases it is meant to have")
    func multiclassEdgeCases() throws {
        let f = try Fixtures.load("multiclass")
        let r = try Self.report(f, intersections: false)
        let women = f.yTrue.indices.filter { f.attributes[0].codes[$0] == 0 }
        let men = f.yTrue.indices.filter { f.attributes[0].codes[$0] == 1 }
        // Empty cell: class 3 never in women's ground truth (yet predicted for some).
        #expect(!women.contains { f.yTrue[$0] == 3 })
        #expect(women.contains { f.yPred[$0] == 3 })
        // A present class never predicted: class 1 among men.
        #expect(men.contains { f.yTrue[$0] == 1 })
        #expect(!men.contains { f.yPred[$0] == 1 })
        // A single-class group: >75 (class 2 only), so FPR and precision are undefined there.
        let old = r.groups.first { $0.attribute == "age" && $0.level == ">75" }
        #expect(old?.scores.fpr == nil)
        #expect(old?.scores.precision == nil)
        #expect(old?.scores.recall == 0)
        // …and left out of the FPR and FDR gaps, which use the other three age groups.
        #expect(r.spreads.first { $0.attribute == "age" && $0.metric == .fpr }?.groups == 3)
        #expect(r.spreads.first { $0.attribute == "age" && $0.metric == .fdr }?.groups == 3)
        #expect(r.spreads.first { $0.attribute == "age" && $0.metric == .recall }?.groups == 4)
    }

    @Test("two domains: gaps average over a domain's attributes, then over domains")
    func domainWeighting() throws {
        let f = try Fixtures.load("domains")
        let r = try Self.report(f, intersections: false)
        func gap(_ d: String, _ a: String) -> Double { r.spreads.first { $0.domain == d && $0.attribute == a && $0.metric == .fdr }!.gap }
        // derm records sex only, so it weighs as much as chest_xray's two attributes together.
        let pp = ((gap("chest_xray", "sex") + gap("chest_xray", "age")) / 2 + gap("derm", "sex")) / 2
        #expect(agree(r.table.pp, pp))
        let flat = (gap("chest_xray", "sex") + gap("chest_xray", "age") + gap("derm", "sex")) / 3
        #expect(abs(pp - flat) > 1e-3, "the fixture should tell the two averages apart")
        #expect(!r.spreads.contains { $0.domain == "derm" && $0.attribute == "age" })
    }
}
