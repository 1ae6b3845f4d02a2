import Data
import Fairness
import Foundation
import Lang
import Notebook
import Testing
import TestSupport

/// The `metrics` builtin and the report value, as a notebook user sees them.
@Suite("metrics builtin")
struct FairnessBuiltinTests {
    /// A session holding the binary fixture as `d`, its labels as `y` and predictions as `p`.
    static func session() throws -> (Transcript, FairnessReport, ReferenceFixture) {
        let f = try FairnessFixtures.load("binary")
        let t = Transcript(echo: true)
        t.define("d", .object(DatasetObject(try f.dataset())))
        t.define("y", .list(ListObject(f.yTrue.map { .number(Double($0)) })))
        t.define("p", .list(ListObject(f.yPred.map { .number(Double($0)) })))
        let report = try FairnessReport.evaluate(truth: f.yTrue, predictions: f.yPred, data: try f.dataset())
        return (t, report, f)
    }

    @Test("y_prob adds calibration; report.more, .notes, .ratio() and the new columns by name; bad probabilities are located errors")
    func probabilitiesAndMore() throws {
        let (t, _, f) = try Self.session()
        t.define("q", .list(ListObject(f.yProb.map { row in .list(ListObject(row.map { .number($0) })) })))
        t.define("q1", .list(ListObject(f.yProb.map { .number($0[1]) })))
        let want = try FairnessReport.evaluate(truth: f.yTrue, predictions: f.yPred, data: try f.dataset(), probabilities: f.yProb.flatMap { $0 })
        let (status, output) = t.run("r = metrics(y, p, d, y_prob=q)\nr")
        #expect(status == .ok, "\(output)")
        #expect(output == want.summary + "\n")
        #expect(output.contains("ECE over 10 equal-width bins"))
        #expect(output.contains("note: EOD_pct equals FPR_diff_pct here"))
        #expect(t.run("print(r.ECE)").output == formatNumber(want.table.ece!) + "\n")
        #expect(t.run("print(r.EOpD)").output == formatNumber(want.table.equalOpportunityDifference!) + "\n")
        #expect(t.run("r.more").output == want.moreTable.text + "\n")
        #expect(t.run("print(len(r.notes))").output == "2\n")
        #expect(t.run("r.ratio(method=\"to_overall\")").output == want.ratioTable(toOverall: true).text + "\n")
        #expect(t.run("print(r.by_group.columns)").output.contains("\"npv\", \"for\", \"selection_rate\", \"ece\", \"brier\""))
        // P(class 1) alone is the same on a binary task.
        #expect(t.run("print(metrics(y, p, d, y_prob=q1).Brier == r.Brier)").output == "true\n")
        // Without probabilities: no calibration columns, no calibration note.
        let plain = t.run("metrics(y, p, d)").output
        #expect(!plain.contains("ECE") && !plain.contains("Brier"))
        let badMethod = t.run("r.ratio(method=\"max\")")
        #expect(badMethod.status == .runtimeError && badMethod.output.contains("ratio(): method must be \"between_groups\" or \"to_overall\""))
        for (code, message) in [("metrics(y, p, d, y_prob=[0.5, 0.5])", "2 probabilities for 80 predictions of 2 classes (expected 160)"),
                                ("metrics(y, p, d, y_prob=[[0.5, 0.7]] * 80)", "the probabilities of row 0 sum to 1.2, not 1"),
                                ("metrics(y, p, d, y_prob=[1.5] * 80)", "probability -0.5 of class 0 at row 0 is not in [0, 1]"),
                                ("metrics(y, p, d, y_prob=\"x\")", "y_prob must be a tensor or a list of probabilities")] {
            let r = t.run(code)
            #expect(r.status == .runtimeError, "\(code)")
            #expect(r.output.contains(message), "\(code): \(r.output)")
        }
    }

    @Test("metrics(y_true, y_pred, data) prints the report's table")
    func printsTable() throws {
        let (t, report, _) = try Self.session()
        let (status, output) = t.run("r = metrics(y, p, d)\nr")
        #expect(status == .ok, "\(output)")
        #expect(output == report.summary + "\n")
        #expect(output.hasPrefix("fairness report: 80 predictions · 2 classes · 1 domains · 6 groups\n"))
        #expect(output.contains("PP_pct  EOD_pct  FPR_diff_pct"))
        #expect(output.contains(report.headlineTable.text))
        // The table alone, and a column by name.
        #expect(t.run("r.table").output == report.headlineTable.text + "\n")
        #expect(t.run("print(r.PP_pct)").output == formatNumber(report.table.pp! * 100) + "\n")
        // The name before the unit joined it says where the value went.
        let renamed = t.run("r.PP")
        #expect(renamed.status == .runtimeError && renamed.output.contains("PP_pct holds it, in percentage points"), "\(renamed.output)")
        #expect(t.run("print(r.F1_ES)").output == formatNumber(report.table.f1ES!) + "\n")
        #expect(t.run("print(r.overall.exact_accuracy)").output == formatNumber(report.overall.accuracy!) + "\n")
    }

    @Test("report.by_group and report.difference(method=...) print fairlearn-style tables")
    func groupTables() throws {
        let (t, report, _) = try Self.session()
        t.run("r = metrics(y, p, d)")
        let byGroup = t.run("r.by_group").output
        #expect(byGroup == report.byGroupTable.text + "\n")
        // Header, six groups, overall (in the first block when the columns are wrapped).
        let lines = byGroup.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
        #expect(lines.count == 1 + 6 + 1)
        #expect(report.byGroupTable.names == ["domain", "attribute", "group", "n", "precision", "recall", "fpr", "fdr",
                                              "f1", "ovr_acc", "exact_accuracy", "npv", "for", "selection_rate"])
        #expect(lines.last!.hasPrefix("all"))
        #expect(t.run("r.difference()").output == report.differenceTable(toOverall: false).text + "\n")
        #expect(t.run("r.difference(method=\"between_groups\")").output == report.differenceTable(toOverall: false).text + "\n")
        let toOverall = t.run("r.difference(method=\"to_overall\")").output
        #expect(toOverall == report.differenceTable(toOverall: true).text + "\n")
        #expect(toOverall != report.differenceTable(toOverall: false).text + "\n")
        let bad = t.run("r.difference(method=\"ratio\")")
        #expect(bad.status == .runtimeError)
        #expect(bad.output.contains("difference(): method must be \"between_groups\" or \"to_overall\", got \"ratio\""))
        // Columns by name are numbers (or none where undefined).
        #expect(t.run("print(r.by_group[\"n\"])").output == "[44, 35, 19, 18, 21, 19, 80]\n")
    }

    @Test("report.to_csv(path) writes every group and the overall scores")
    func toCSV() throws {
        let (t, report, _) = try Self.session()
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("groups.csv")
        let (status, output) = t.run("r = metrics(y, p, d)\nr.to_csv(\"\(path)\")")
        #expect(status == .ok, "\(output)")
        #expect(output == "wrote \(path) (7 rows: every group and the overall scores)\n")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == report.byGroupTable.csv)
        let rows = written.split(separator: "\n")
        #expect(rows.count == 8)
        #expect(rows[0] == "domain,attribute,group,n,precision,recall,fpr,fdr,f1,ovr_acc,exact_accuracy,npv,for,selection_rate")
        #expect(rows[1].hasPrefix("clinic,sex,female,44,"))
        #expect(rows[7].hasPrefix("all,,,80,"))
        // The table values export too.
        let tablePath = dir.file("table.csv")
        t.run("r.table.to_csv(\"\(tablePath)\")")
        #expect(try String(contentsOfFile: tablePath, encoding: .utf8) == report.headlineTable.csv)
    }

    @Test("intersections=true adds the sex×age groups to by_group")
    func intersections() throws {
        let (t, _, f) = try Self.session()
        let report = try FairnessReport.evaluate(truth: f.yTrue, predictions: f.yPred, data: try f.dataset(), intersections: true)
        let output = t.run("metrics(y, p, d, intersections=true).by_group").output
        #expect(output == report.byGroupTable.text + "\n")
        #expect(output.contains("sex×age"))
        #expect(output.split(separator: "\n").filter { $0.contains("sex×age") }.count == 8)
        #expect(!t.run("metrics(y, p, d).by_group").output.contains("sex×age"))
    }

    @Test("class names are accepted; bad labels and lengths are errors")
    func arguments() throws {
        let (t, report, _) = try Self.session()
        t.define("names", .list(ListObject(try FairnessFixtures.load("binary").yPred.map { .string(["negative", "positive"][$0]) })))
        #expect(t.run("metrics(y, names, d).table").output == report.headlineTable.text + "\n")
        var r = t.run("metrics(y, [0, 5], d)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("metrics(): y_pred[1] = 5 is not a class index in 0..<2"))
        r = t.run("metrics(y, [0, 1], d)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("metrics(): 80 labels and 2 predictions for a dataset of 80 rows"))
        r = t.run("metrics([\"maybe\"], p, d)")
        #expect(r.output.contains("metrics(): y_true[0] = \"maybe\" is not a class name"))
        r = t.run("metrics(y, p, 3)")
        #expect(r.status == .runtimeError)
    }
}
