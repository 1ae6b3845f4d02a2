import Data
import Fairness
import Foundation
import Testing
import TestSupport

/// Bootstrap intervals against the fixtures of scripts/bootstrap_reference.py:
/// exactly (1e-9) against a NumPy recomputation on the same resample indices,
/// and statistically against fairlearn's MetricFrame(n_boot=1000).
@Suite("Bootstrap intervals")
struct BootstrapTests {
    struct Input: Decodable {
        var name: String
        var classNames: [String], domainNames: [String]
        var attributes: [ReferenceFixture.AttributeInput]
        var domains: [Int]
        var yTrue: [Int], yPred: [Int]
        /// Class probabilities per row (the exact fixtures have them).
        var yProb: [[Double]]?
        enum CodingKeys: String, CodingKey {
            case name, classNames = "class_names", domainNames = "domain_names", attributes, domains, yTrue = "y_true", yPred = "y_pred"
            case yProb = "y_prob"
        }
        func dataset() throws -> Dataset {
            try makeDataset(labels: yTrue, classNames: classNames,
                            attributes: attributes.map { Attribute(name: $0.name, levels: $0.levels, shortNames: $0.shortNames, codes: $0.codes) },
                            domains: domains, domainNames: domainNames, name: name)
        }
    }
    struct GroupIntervals: Decodable {
        var domain: String, attribute: String, level: String
        var intervals: [String: [Double]]
    }
    struct Exact: Decodable {
        struct Expected: Decodable {
            var table: [String: [Double]?]
            var overall: [String: [Double]?]
            var groups: [GroupIntervals]
        }
        var name: String, resamples: Int, level: Double, seed: UInt64
        var firstIndices: [Int]
        var expected: Expected
        var input: Input
        enum CodingKeys: String, CodingKey { case name, resamples, level, seed, firstIndices = "first_indices", expected, input }
    }
    struct ExactFile: Decodable { var fixtures: [Exact] }
    struct FairlearnFile: Decodable {
        var nBoot: Int, ci: Double
        var groups: [GroupIntervals]
        var input: Input
        enum CodingKeys: String, CodingKey { case nBoot = "n_boot", ci, groups, input }
    }

    static func load<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        let path = Fixtures.directory + "/\(name)"
        guard let bytes = FileManager.default.contents(atPath: path) else { throw FixtureError.missing(path) }
        return try JSONDecoder().decode(T.self, from: bytes)
    }

    /// An interval against [lo, hi, defined] from the fixture.
    static func same(_ got: Interval?, _ want: [Double]?) -> Bool {
        guard let got, let want else { return got == nil && want == nil }
        return abs(got.lo - want[0]) <= 1e-9 && abs(got.hi - want[1]) <= 1e-9 && Double(got.defined) == want[2]
    }

    static func show(_ i: Interval?) -> String { i.map { "[\($0.lo), \($0.hi)] (\($0.defined))" } ?? "nil" }

    @Test("resample indices follow the documented recipe (NumPy regenerates them)")
    func indices() throws {
        for f in try Self.load("bootstrap.json", as: ExactFile.self).fixtures {
            let plan = try ResamplePlan(data: try f.input.dataset())
            #expect(plan.indices(resample: 0, seed: f.seed) == f.firstIndices, "\(f.name)")
            // Rows are drawn within their cell: the resample keeps every cell's size.
            let idx = plan.indices(resample: 3, seed: f.seed)
            let d = try f.input.dataset()
            func key(_ r: Int) -> [Int] { [d.domains[r]] + d.attributes.map { $0.groundTruth[r] } }
            let original = Dictionary(grouping: 0..<d.count, by: key).mapValues(\.count)
            let drawn = Dictionary(grouping: idx, by: key).mapValues(\.count)
            #expect(original == drawn)
        }
    }

    @Test("every interval equals NumPy's on the same resamples")
    func exact() throws {
        for f in try Self.load("bootstrap.json", as: ExactFile.self).fixtures {
            let r = try FairnessReport.evaluate(truth: f.input.yTrue, predictions: f.input.yPred, data: try f.input.dataset(),
                                                intersections: true, probabilities: try #require(f.input.yProb).flatMap { $0 },
                                                bootstrap: try Bootstrap(resamples: f.resamples, level: f.level, seed: f.seed))
            let iv = try #require(r.intervals)
            // The gaps are in percentage points in the report (PP_pct = 100 × PP), fractions in the fixture.
            let pct = ["PP": "PP_pct", "EOD": "EOD_pct", "FPR_diff": "FPR_diff_pct", "FOR_diff": "FOR_diff_pct"]
            for (column, want) in f.expected.table {
                let name = pct[column] ?? column, scale = pct[column] == nil ? 1.0 : 100
                let got = iv.table[name].map { $0.scaled(1 / scale) }
                #expect(Self.same(got, want), "\(f.name) \(column): \(Self.show(got)) vs \(String(describing: want))")
            }
            #expect(Set(iv.table.keys) == Set(f.expected.table.keys.map { pct[$0] ?? $0 }), "\(f.name) table columns")
            for m in Metric.allCases {
                let want = f.expected.overall[ReferenceTests.fixtureKey(m)] ?? nil
                #expect(Self.same(iv.overall[m], want), "\(f.name) overall \(m.rawValue)")
            }
            // Calibration: overall first in iv.calibration, then the groups in report order.
            for name in ["ece", "brier"] {
                #expect(Self.same(iv.calibration.first?[name], f.expected.overall[name] ?? nil), "\(f.name) overall \(name)")
            }
            var compared = 0
            for g in f.expected.groups {
                let i = try #require(r.groups.firstIndex { $0.domain == g.domain && $0.attribute == g.attribute && $0.level == g.level },
                                     "\(f.name) \(g.level)")
                for m in Metric.allCases {
                    let want = g.intervals[ReferenceTests.fixtureKey(m)]
                    #expect(Self.same(iv.groups[i][m], want),
                            "\(f.name) \(g.attribute)=\(g.level) \(m.rawValue): \(Self.show(iv.groups[i][m])) vs \(String(describing: want))")
                    compared += 1
                }
                for name in ["ece", "brier"] {
                    #expect(Self.same(iv.calibration[i + 1][name], g.intervals[name]), "\(f.name) \(g.attribute)=\(g.level) \(name)")
                    compared += 1
                }
            }
            #expect(compared > 100)
            #expect(r.groups.count == f.expected.groups.count)
        }
    }

    @Test("intervals agree with fairlearn's MetricFrame(n_boot=1000) up to Monte Carlo error")
    func fairlearn() throws {
        let f = try Self.load("bootstrap_fairlearn.json", as: FairlearnFile.self)
        let r = try FairnessReport.evaluate(truth: f.input.yTrue, predictions: f.input.yPred, data: try f.input.dataset(),
                                            bootstrap: try Bootstrap(resamples: f.nBoot, level: f.ci, seed: 0))
        let iv = try #require(r.intervals)
        var compared = 0
        for g in f.groups {
            let i = try #require(r.groups.firstIndex { $0.attribute == g.attribute && $0.level == g.level })
            for (name, want) in g.intervals {
                let m = try #require(Metric(rawValue: name))
                let got = try #require(iv.groups[i][m])
                let width = want[1] - want[0]
                #expect(width > 0)
                #expect(abs(got.lo - want[0]) <= 0.25 * width && abs(got.hi - want[1]) <= 0.25 * width,
                        "\(g.attribute)=\(g.level) \(name): ours [\(got.lo), \(got.hi)] fairlearn [\(want[0]), \(want[1])]")
                // The point estimate lies inside its own interval.
                #expect(got.contains(r.groups[i].scores.value(m)!))
                compared += 1
            }
        }
        #expect(compared == 6 * 3)
    }

    @Test("the same seed gives the same intervals; another seed other ones; the quantile matches NumPy's rule")
    func reproducible() throws {
        let f = try Self.load("bootstrap.json", as: ExactFile.self).fixtures[0]
        let d = try f.input.dataset()
        func run(_ seed: UInt64) throws -> ReportIntervals {
            let r = try FairnessReport.evaluate(truth: f.input.yTrue, predictions: f.input.yPred, data: d,
                                                bootstrap: try Bootstrap(resamples: 101, level: 0.95, seed: seed))
            return try #require(r.intervals)
        }
        let a = try run(5), b = try run(5), c = try run(6)
        #expect(a.table == b.table)
        #expect(a.table != c.table)
        // numpy.quantile([1, 2, 3, 4], 0.1) = 1.3; ([0, 10], 0.75) = 7.5
        #expect(abs(Bootstrap.quantile(sorted: [1, 2, 3, 4], 0.1) - 1.3) < 1e-15)
        #expect(Bootstrap.quantile(sorted: [0, 10], 0.75) == 7.5)
        #expect(Bootstrap.quantile(sorted: [4], 0.3) == 4)
        #expect(throws: (any Error).self) { try Bootstrap(resamples: 1) }
        #expect(throws: (any Error).self) { try Bootstrap(level: 1.5) }
    }
}
