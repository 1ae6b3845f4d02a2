import Data
import Fairness
import Testing
import TestSupport

/// A nine-row binary example worked out by hand: PP, EOD and F1_ES (and the
/// other columns of the paper's table) from the confusion counts.
@Suite("Fairness by hand")
struct HandComputedTests {
    //  row  sex  truth  prediction
    //   0    F     1       1        class 1 TP
    //   1    F     1       1        class 1 TP
    //   2    F     1       0        class 1 FN, class 0 FP
    //   3    F     0       0        class 0 TP
    //   4    F     0       1        class 0 FN, class 1 FP
    //   5    M     1       1        class 1 TP
    //   6    M     0       1        class 0 FN, class 1 FP
    //   7    M     0       0        class 0 TP
    //   8    M     0       0        class 0 TP
    static let truth = [1, 1, 1, 0, 0, 1, 0, 0, 0]
    static let predictions = [1, 1, 0, 0, 1, 1, 1, 0, 0]
    static let sex = [0, 0, 0, 0, 0, 1, 1, 1, 1]

    // One-vs-rest counts (n = 5 for F, 4 for M):
    //
    //   group class  TP FP FN TN   FDR=FP/(TP+FP)  TPR=TP/(TP+FN)  FPR=FP/(FP+TN)  F1=2TP/(2TP+FP+FN)
    //   F     1       2  1  1  1   1/3             2/3             1/2             4/6 = 2/3
    //   F     0       1  1  1  2   1/2             1/2             1/3             2/4 = 1/2
    //   M     1       1  1  0  2   1/2             1               1/3             2/3
    //   M     0       2  0  1  1   0               2/3             0               4/5
    //
    // Group scores, macro-averaged over the two classes (both present in each group):
    //   FDR_F = (1/3 + 1/2)/2 = 5/12      FDR_M = (1/2 + 0)/2   = 1/4
    //   TPR_F = (2/3 + 1/2)/2 = 7/12      TPR_M = (1 + 2/3)/2   = 5/6
    //   FPR_F = (1/2 + 1/3)/2 = 5/12      FPR_M = (1/3 + 0)/2   = 1/6
    //   F1_F  = (2/3 + 1/2)/2 = 7/12      F1_M  = (2/3 + 4/5)/2 = 11/15
    //   Acc_F = (TP+TN)/n = 3/5 per class  Acc_M = 3/4 per class
    //
    // One attribute in one domain, so the table is that attribute's spread:
    //   PP  = |FDR_F − FDR_M| = 5/12 − 3/12 = 1/6   (16.67 in the ×100 table)
    //   EOD = |TPR_F − TPR_M| = 10/12 − 7/12 = 1/4  (25.00)
    //   FPR diff = 5/12 − 2/12 = 1/4                (25.00)
    //   F1  = (7/12 + 11/15)/2 = (35/60 + 44/60)/2 = 79/120
    //   ΔF1 = 44/60 − 35/60 = 3/20;  σF1 (sample std of two values) = ΔF1/√2 = 0.15/√2
    //   F1_ES = F1/(1 + σF1) = (79/120)/(1 + 0.15/√2) ≈ 0.5952
    //   Acc = (3/5 + 3/4)/2 = 27/40;  ΔAcc = 3/20;  σAcc = 0.15/√2
    // fairlearn's binary differences (class 1 positive):
    //   selection rate F = 3/5, M = 2/4 → DPD = 1/10
    //   class-1 TPR F = 2/3, M = 1 → 1/3;  class-1 FPR F = 1/2, M = 1/3 → 1/6;  EOdD = max = 1/3
    static func report() throws -> FairnessReport {
        let data = try makeDataset(labels: truth, classNames: ["no", "yes"],
                                   attributes: [Attribute(name: "sex", levels: ["female", "male"], codes: sex)])
        return try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data)
    }

    @Test("group scores from the counts")
    func groups() throws {
        let r = try Self.report()
        #expect(r.groups.map(\.level) == ["female", "male"])
        let f = r.groups[0].scores, m = r.groups[1].scores
        #expect(f.n == 5 && m.n == 4)
        #expect(agree(f.fdr, 5.0 / 12) && agree(m.fdr, 1.0 / 4))
        #expect(agree(f.recall, 7.0 / 12) && agree(m.recall, 5.0 / 6))
        #expect(agree(f.fpr, 5.0 / 12) && agree(m.fpr, 1.0 / 6))
        #expect(agree(f.f1, 7.0 / 12) && agree(m.f1, 11.0 / 15))
        #expect(agree(f.accuracyOVR, 3.0 / 5) && agree(m.accuracyOVR, 3.0 / 4))
        #expect(agree(f.precision, 7.0 / 12) && agree(m.precision, 3.0 / 4))
    }

    @Test("PP, EOD and F1_ES")
    func paperTable() throws {
        let t = try Self.report().table
        let sigma = 0.15 / 2.0.squareRoot()
        #expect(agree(t.pp, 1.0 / 6))
        #expect(agree(t.eod, 1.0 / 4))
        #expect(agree(t.fprDiff, 1.0 / 4))
        #expect(agree(t.f1, 79.0 / 120))
        #expect(agree(t.deltaF1, 3.0 / 20))
        #expect(agree(t.sigmaF1, sigma))
        #expect(agree(t.f1ES, (79.0 / 120) / (1 + sigma)))
        #expect(agree(t.f1ES, 0.595202, tolerance: 1e-6))
        #expect(agree(t.acc, 27.0 / 40))
        #expect(agree(t.deltaAcc, 3.0 / 20))
        #expect(agree(t.sigmaAcc, sigma))
        #expect(agree(t.accES, (27.0 / 40) / (1 + sigma)))
        #expect(agree(t.demographicParityDifference, 1.0 / 10))
        #expect(agree(t.equalizedOddsDifference, 1.0 / 3))
    }

    @Test("the headline table holds PP, EOD and FPR diff in percentage points, named _pct")
    func headlineTable() throws {
        let table = try Self.report().headlineTable
        #expect(table.names == ["PP_pct", "EOD_pct", "FPR_diff_pct", "dF1", "sF1", "dAcc", "sAcc", "F1", "Acc",
                                "F1_ES", "Acc_ES", "DPD", "EOdD"])
        let values = table.columns.map { $0.cells[0].number! }
        let expected = [100.0 / 6, 25, 25, 0.15, 0.1061, 0.15, 0.1061, 0.6583, 0.675, 0.5952, 0.6103, 0.1, 1.0 / 3]
        for (v, e) in zip(values, expected) { #expect(abs(v - e) < 5e-5, "\(v) vs \(e)") }
        let text = table.render(width: 200, maxRows: 60, digits: 4).split(separator: "\n")
        #expect(text[1].split(separator: " ") == ["16.67", "25.00", "25.00", "0.15", "0.1061", "0.15", "0.1061", "0.6583", "0.675",
                                                  "0.5952", "0.6103", "0.1", "0.3333"])
    }
}
