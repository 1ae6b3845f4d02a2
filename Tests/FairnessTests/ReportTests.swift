import Data
import Fairness
import Tensors
import Testing
import TestSupport

/// Report behaviour beyond the numbers: undefined cases, intersections, errors.
@Suite("Fairness report")
struct ReportTests {
    static func sexAttribute(_ codes: [Int]) -> Attribute { Attribute(name: "sex", levels: ["female", "male"], codes: codes) }
    static func ageAttribute(_ codes: [Int]) -> Attribute {
        Attribute(name: "age", levels: ["≤25", "26-50", "51-75", ">75"], shortNames: ["A1", "A2", "A3", "A4"], codes: codes)
    }

    /// Three classes; sex has one group whose rows are all class 2 and never predicted 2.
    static func degenerate() throws -> (FairnessReport, Dataset) {
        let truth = [0, 1, 2, 0, 1, 2, 2, 2, 2]
        let predictions = [0, 1, 1, 1, 1, 2, 0, 1, 0]
        let sex = [0, 0, 0, 0, 0, 0, 1, 1, 1]   // men: truth all 2, never predicted 2
        let age = [0, 0, 0, 0, 0, 0, 0, 0, -1]  // one age group only
        let data = try makeDataset(labels: truth, classNames: ["a", "b", "c"],
                                   attributes: [sexAttribute(sex), ageAttribute(age)])
        return (try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data), data)
    }

    @Test("undefined scores are nil, listed in skipped with reasons, and never NaN")
    func undefinedScores() throws {
        let (r, _) = try Self.degenerate()
        let men = try #require(r.groups.first { $0.attribute == "sex" && $0.level == "male" })
        #expect(men.scores.n == 3)
        #expect(men.scores.precision == nil && men.scores.fdr == nil)
        #expect(men.scores.fpr == nil)
        #expect(men.scores.recall == 0 && men.scores.f1 == 0 && men.scores.accuracyOVR == 0)
        #expect(men.scores.undefined == ["precision/fdr": "no class present in this group was ever predicted",
                                         "fpr": "every row of this group has the same class (no negatives)"])
        #expect(r.skipped == [
            "all sex=male: fpr undefined (every row of this group has the same class (no negatives))",
            "all sex=male: precision/fdr undefined (no class present in this group was ever predicted)",
            "all sex: fdr gap needs two groups where it is defined, has 1",
            "all sex: fpr gap needs two groups where it is defined, has 1",
            "all age: only one group has rows, so no gap",
        ])
        // Gaps exist only where two groups have the score.
        #expect(Set(r.spreads.map(\.metric)) == [.recall, .f1, .accuracyOVR, .falseOmissionRate])
        #expect(r.spreads.allSatisfy { $0.attribute == "sex" && $0.gap.isFinite && ($0.sigma?.isFinite ?? false) })
        let t = r.table
        #expect(t.pp == nil && t.fprDiff == nil)
        #expect(t.eod != nil && t.f1ES != nil)
        #expect(t.demographicParityDifference == nil && t.equalizedOddsDifference == nil)  // not binary
        for (_, value, _) in t.columns { #expect(value.map { $0.isFinite } ?? true) }
        // Missing (printed as "-", never "nan").
        #expect(r.headlineTable.columns[0].cells[0] == .missing && r.headlineTable.columns[2].cells[0] == .missing)
        #expect(r.headlineTable.render(width: 200, maxRows: 60, digits: 4).split(separator: "\n")[1].split(separator: " ").first == "-")
        for text in [r.summary, r.byGroupTable.text, r.differenceTable(toOverall: true).text, r.byGroupTable.csv] {
            #expect(!text.lowercased().contains("nan"))
        }
        #expect(r.summary.contains("skipped (5):"))
    }

    @Test("a group with no rows at all is not a group")
    func emptyLevel() throws {
        let truth = [0, 1, 0, 1]
        let data = try makeDataset(labels: truth, classNames: ["no", "yes"],
                                   attributes: [Self.ageAttribute([0, 0, 2, 2])])
        let r = try FairnessReport.evaluate(truth: truth, predictions: [0, 1, 1, 1], data: data)
        #expect(r.groups.map(\.level) == ["≤25", "51-75"])
        // Nothing about the empty levels; 51-75 has no predicted negatives, so no FOR (nor FOR gap).
        #expect(r.skipped == ["all age=51-75: npv/for undefined (every row of this group was predicted as the class scored (no predicted negatives))",
                              "all age: for gap needs two groups where it is defined, has 1"])
    }

    @Test("intersections=true adds the sex×age groups, leaving the table alone")
    func intersections() throws {
        let truth = [0, 1, 0, 1, 1, 0, 0, 1, 1, 0]
        let predictions = [0, 1, 1, 1, 0, 0, 1, 1, 0, 0]
        let sex = [0, 0, 0, 1, 1, 1, 0, 1, -1, 0]
        let age = [0, 1, 1, 0, 3, 3, 0, 1, 1, -1]
        let data = try makeDataset(labels: truth, classNames: ["no", "yes"],
                                   attributes: [Self.sexAttribute(sex), Self.ageAttribute(age)])
        let plain = try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data)
        let both = try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data, intersections: true)
        #expect(!plain.groups.contains { $0.attribute.contains("×") })
        let cross = both.groups.filter { $0.attribute == "sex×age" }
        // Levels in order of first appearance; rows missing either attribute are left out.
        #expect(cross.map(\.level) == ["F,A1", "F,A2", "M,A1", "M,A4", "M,A2"])
        #expect(cross.map(\.scores.n) == [2, 2, 1, 2, 1])
        #expect(both.groups.filter { !$0.attribute.contains("×") }.map(\.level) == plain.groups.map(\.level))
        #expect(both.spreads.contains { $0.attribute == "sex×age" })
        #expect(both.difference(toOverall: false).contains { $0.attribute == "sex×age" })
        let byGroup = both.byGroupTable
        #expect((0..<byGroup.rowCount).contains { byGroup.cell($0, 1) == .text("sex×age") && byGroup.cell($0, 2) == .text("M,A4") })
        // The paper's table uses the attributes only.
        for (a, b) in zip(plain.table.columns, both.table.columns) { #expect(a.1 == b.1, "\(a.0)") }
        // F,A1 is rows 0 and 6: truth (0, 0), predictions (0, 1): one class present, half right.
        let fa1 = cross[0].scores
        #expect(fa1.recall == 0.5 && fa1.precision == 1 && fa1.accuracy == 0.5)
    }

    @Test("one attribute: intersections=true adds nothing")
    func singleAttributeIntersections() throws {
        let truth = [0, 1, 0, 1]
        let data = try makeDataset(labels: truth, classNames: ["no", "yes"], attributes: [Self.sexAttribute([0, 0, 1, 1])])
        let r = try FairnessReport.evaluate(truth: truth, predictions: truth, data: data, intersections: true)
        #expect(r.groups.map(\.attribute) == ["sex", "sex"])
    }

    @Test("mismatched lengths and class indices out of range are errors")
    func errors() throws {
        let truth = [0, 1, 1, 0]
        let data = try makeDataset(labels: truth, classNames: ["no", "yes"], attributes: [Self.sexAttribute([0, 1, 0, 1])])
        func message(_ t: [Int], _ p: [Int]) -> String? {
            do { _ = try FairnessReport.evaluate(truth: t, predictions: p, data: data); return nil }
            catch let e as FairnessError { return e.description }
            catch { return "not a FairnessError: \(error)" }
        }
        #expect(message([0, 1, 1], [0, 1, 1, 0]) == "3 labels and 4 predictions for a dataset of 4 rows")
        #expect(message(truth, [0, 1]) == "4 labels and 2 predictions for a dataset of 4 rows")
        #expect(message([0, 1, 1, 0, 1], [0, 1, 1, 0, 1]) == "5 labels and 5 predictions for a dataset of 4 rows")
        #expect(message(truth, [0, 2, 1, 0]) == "prediction 2 at row 1 is not a class index in 0..<2")
        #expect(message(truth, [0, 1, -1, 0]) == "prediction -1 at row 2 is not a class index in 0..<2")
        #expect(message([0, 1, 1, 7], truth) == "label 7 at row 3 is not a class index in 0..<2")
        #expect(message([-3, 1, 1, 0], truth) == "label -3 at row 0 is not a class index in 0..<2")
        #expect(message(truth, truth) == nil)
    }

    @Test("attribute codes and domains out of range are errors, not crashes")
    func badCodes() throws {
        let truth = [0, 1, 1]
        var data = try makeDataset(labels: truth, classNames: ["no", "yes"], attributes: [Self.sexAttribute([0, 1, 2])])
        func message() -> String? {
            do { _ = try FairnessReport.evaluate(truth: truth, predictions: truth, data: data); return nil }
            catch let e as FairnessError { return e.description }
            catch { return "not a FairnessError: \(error)" }
        }
        #expect(message() == "sex code 2 at row 2 is not a level index in -1..<2")
        data.attributes[0].codes = [0, -2, 1]
        #expect(message() == "sex code -2 at row 1 is not a level index in -1..<2")
        data.attributes[0].codes = [0, 1, 1]
        data.domains = [0, 1, 0]
        #expect(message() == "domain 1 at row 1 is not a domain index in 0..<1")
        data.domains = [0, 0, 0]
        #expect(message() == nil)
        data.attributes[0].codes = [0, 1]
        #expect(message() == "attribute sex has 2 values for a dataset of 3 rows")
    }

    /// Groups as counted row by row with `Confusion.add`, in the report's order:
    /// domains, then attributes (and the intersection), then levels.
    static func rowByRow(truth: [Int], predictions: [Int], data: Dataset, intersections: Bool) -> [(String, String, String, Confusion)] {
        let k = data.classNames.count
        var schemes = data.attributes.map { a in (a.name, a.levels, a.codes) }
        if intersections {
            var levels: [String] = [], index: [String: Int] = [:]
            let codes = (0..<data.count).map { r -> Int in
                guard data.attributes.allSatisfy({ $0.codes[r] >= 0 }) else { return -1 }
                let name = data.attributes.map { $0.shortNames[$0.codes[r]] }.joined(separator: ",")
                if let i = index[name] { return i }
                index[name] = levels.count
                levels.append(name)
                return levels.count - 1
            }
            schemes.append((data.attributes.map(\.name).joined(separator: "×"), levels, codes))
        }
        // counts[domain][scheme][level]
        var counts = data.domainNames.map { _ in schemes.map { s in s.1.map { _ in Confusion(classes: k) } } }
        for r in 0..<data.count {
            for (s, scheme) in schemes.enumerated() where scheme.2[r] >= 0 {
                counts[data.domains[r]][s][scheme.2[r]].add(truth: truth[r], prediction: predictions[r])
            }
        }
        var out: [(String, String, String, Confusion)] = []
        for (d, domain) in data.domainNames.enumerated() {
            for (s, scheme) in schemes.enumerated() {
                for (l, level) in scheme.1.enumerated() where counts[d][s][l].n > 0 { out.append((domain, scheme.0, level, counts[d][s][l])) }
            }
        }
        return out
    }

    @Test("group scores equal row-by-row counts, with few or many attribute levels",
          arguments: [(levels: [2, 4, 3], seed: UInt64(1)), (levels: [40, 45, 50], seed: UInt64(2))])
    func rowByRowCounts(levels: [Int], seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let n = 3000, k = 5, domains = 3
        let truth = (0..<n).map { _ in rng.nextIndex(below: k) }
        let predictions = truth.map { t in rng.nextIndex(below: 10) < 6 ? t : rng.nextIndex(below: k) }
        let attributes = levels.enumerated().map { a, count in
            Attribute(name: "a\(a)", levels: (0..<count).map { "l\($0)" },
                      codes: (0..<n).map { _ in rng.nextIndex(below: 10) == 0 ? -1 : rng.nextIndex(below: count) })
        }
        let data = try makeDataset(labels: truth, classNames: (0..<k).map { "c\($0)" }, attributes: attributes,
                                   domains: (0..<n).map { _ in rng.nextIndex(below: domains) },
                                   domainNames: (0..<domains).map { "d\($0)" })
        let r = try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data, intersections: true)
        let expected = Self.rowByRow(truth: truth, predictions: predictions, data: data, intersections: true)
        #expect(r.groups.count == expected.count)
        for (g, (domain, attribute, level, confusion)) in zip(r.groups, expected) {
            #expect(g.domain == domain && g.attribute == attribute && g.level == level)
            #expect(g.scores == Scores(confusion, positiveClass: nil), "\(domain) \(attribute)=\(level)")
        }
        var all = Confusion(classes: k)
        for i in 0..<n { all.add(truth: truth[i], prediction: predictions[i]) }
        #expect(r.overall == Scores(all, positiveClass: nil))
    }

    @Test("difference(to_overall) compares each attribute's groups with that attribute's rows in the domain")
    func toOverallFrame() throws {
        // Two domains; the overall over both differs from each domain's own.
        let truth = [0, 1, 0, 1, 0, 1, 0, 1]
        let predictions = [0, 1, 0, 1, 1, 0, 1, 1]
        let data = try makeDataset(labels: truth, classNames: ["no", "yes"],
                                   attributes: [Self.sexAttribute([0, 0, 1, 1, 0, 0, 1, 1])],
                                   domains: [0, 0, 0, 0, 1, 1, 1, 1], domainNames: ["d0", "d1"])
        let r = try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data)
        // d0 predicts every row right: every group and the domain have accuracy 1, so no difference,
        // although the accuracy over both domains is 5/8.
        let d0 = try #require(r.difference(toOverall: true).first { $0.domain == "d0" })
        #expect(d0.values[.accuracy] == 0)
        #expect(r.overall.accuracy == 5.0 / 8)
        // d1: accuracy female 0/2, male 1/2, domain 1/4 → max |group − overall| = 1/4.
        let d1 = try #require(r.difference(toOverall: true).first { $0.domain == "d1" })
        #expect(d1.values[.accuracy] == 0.25)
        #expect(r.difference(toOverall: false).first { $0.domain == "d1" }?.values[.accuracy] == 0.5)
    }

    @Test("selection rate only for binary tasks")
    func selectionRate() throws {
        let (r, _) = try Self.degenerate()
        #expect(r.overall.selectionRate == nil)
        #expect(r.groups.allSatisfy { $0.scores.selectionRate == nil })
        #expect(r.difference(toOverall: true).allSatisfy { $0.values[.selectionRate] == nil })
        let h = try HandComputedTests.report()
        #expect(h.overall.selectionRate == 5.0 / 9)
    }
}
