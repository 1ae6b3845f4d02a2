import Data
import Fairness
import Lang
import Render
import Tensors

/// A fairness report as a language value.
public final class ReportObject: LangObject {
    public let report: FairnessReport
    public init(_ report: FairnessReport) { self.report = report }

    public var typeName: String { "report" }
    public func render() -> String { report.summary }
    public var memberNames: [String] {
        ["overall", "by_group", "difference", "ratio", "table", "more", "notes", "intervals", "skipped", "to_csv"]
            + FairnessReport.Table().columns.map { $0.0 } + FairnessReport.Table().moreColumns.map { $0.0 }
    }

    /// report.difference(method=) and report.ratio(method=): fairlearn's two methods.
    static func perAttribute(_ name: String, _ table: @escaping @Sendable (Bool) -> DataTable) -> Value {
        .function(BoundMethod(name, [Parameter("method", default: .string("between_groups"))]) { a, _ in
            let method = try a.string("method")
            guard method == "between_groups" || method == "to_overall" else {
                throw RuntimeError("\(name)(): method must be \"between_groups\" or \"to_overall\", got \"\(method)\"")
            }
            return .object(TableObject(table(method == "to_overall")))
        })
    }

    /// The gaps' names before their unit was part of the name.
    static let renamed = ["PP": "PP_pct", "EOD": "EOD_pct", "FPR_diff": "FPR_diff_pct"]

    public func member(_ name: String) throws -> Value? {
        switch name {
        case "overall":
            return .record(RecordObject(Metric.allCases.map { ($0.rawValue, report.overall.value($0).map { .number($0) } ?? .none) }))
        case "by_group": return .object(TableObject(report.byGroupTable))
        case "table": return .object(TableObject(report.headlineTable))
        case "more": return .object(TableObject(report.moreTable))
        case "notes": return .list(report.notes.map { .string($0) })
        case "intervals": return report.intervalsTable.map { .object(TableObject($0)) } ?? Value.none
        case "skipped": return .list(report.skipped.map { .string($0) })
        case "difference": return ReportObject.perAttribute("difference", report.differenceTable)
        case "ratio": return ReportObject.perAttribute("ratio", report.ratioTable)
        case "to_csv":
            return .function(BoundMethod("to_csv", [Parameter("path")]) { [report] a, interp in
                let path = try a.string("path")
                try FileIO.writeAtomically(Array(report.byGroupTable.csv.utf8), to: path)
                interp.write("wrote \(path) (\(report.groups.count + 1) rows: every group and the overall scores)\n")
                return .none
            })
        default:
            // A headline metric by its column name: report.PP_pct, report.F1_ES, …
            let t = report.table
            if let col = (t.columns + t.moreColumns).first(where: { $0.0 == name }) { return col.1.map { .number($0) } ?? Value.none }
            if let renamed = ReportObject.renamed[name] {
                throw RuntimeError("a report has no member '\(name)'", notes: ["note: \(renamed) holds it, in percentage points (×100, as in the paper)"])
            }
            return nil
        }
    }
}

enum FairnessBuiltins {
    /// Class indices from a list of numbers, a tensor, or a list of class names.
    static func classIndices(_ v: Value, classes: [String], what: String) throws -> [Int] {
        let items: [Value]
        switch v {
        case .list(let l): items = l.items
        case .object(let o):
            if let t = o as? TensorObject { items = t.tensor.scalars.map { .number(Double($0)) } }
            else { throw RuntimeError("metrics(): \(what) must be a list or tensor of class indices, got \(o.typeName)") }
        default: throw RuntimeError("metrics(): \(what) must be a list or tensor of class indices, got \(v.typeName)")
        }
        return try items.enumerated().map { i, item in
            switch item {
            case .number(let d):
                guard d == d.rounded(), d >= 0, Int(d) < classes.count else {
                    throw RuntimeError("metrics(): \(what)[\(i)] = \(formatNumber(d)) is not a class index in 0..<\(classes.count)")
                }
                return Int(d)
            case .string(let s):
                guard let k = classes.firstIndex(of: s) else { throw RuntimeError("metrics(): \(what)[\(i)] = \"\(s)\" is not a class name") }
                return k
            default: throw RuntimeError("metrics(): \(what)[\(i)] is a \(item.typeName), expected a class index")
            }
        }
    }

    /// Class probabilities, n × classes row-major: a tensor [n, classes], a list of rows, or
    /// (two classes) a list of P(class 1).
    static func probabilities(_ v: Value, rows: Int, classes: Int) throws -> [Double] {
        var flat: [Double] = []
        switch v {
        case .object(let o):
            guard let t = o as? TensorObject else { throw RuntimeError("metrics(): y_prob must be a tensor or a list of probabilities, got \(o.typeName)") }
            guard t.tensor.shape == [rows, classes] || (classes == 2 && t.tensor.shape == [rows]) else {
                throw RuntimeError("metrics(): y_prob has shape \(t.tensor.shape), expected [\(rows), \(classes)]\(classes == 2 ? " or [\(rows)] (P(class 1))" : "")")
            }
            flat = t.tensor.scalars.map(Double.init)
        case .list(let l):
            for (i, item) in l.items.enumerated() {
                switch item {
                case .number(let p): flat.append(p)
                case .list(let row):
                    for x in row.items {
                        guard case .number(let p) = x else { throw RuntimeError("metrics(): y_prob[\(i)] holds a \(x.typeName), expected numbers") }
                        flat.append(p)
                    }
                default: throw RuntimeError("metrics(): y_prob[\(i)] is a \(item.typeName), expected a number or a list of numbers")
                }
            }
        default: throw RuntimeError("metrics(): y_prob must be a tensor or a list of probabilities, got \(v.typeName)")
        }
        if classes == 2 && flat.count == rows { flat = flat.flatMap { [1 - $0, $0] } }
        do { try Calibration.validate(flat, rows: rows, classes: classes) } catch let e as FairnessError { throw FairnessError("y_prob: \(e)") }
        return flat
    }

    /// The bootstrap options every scoring builtin takes.
    static let bootstrapParameters = [Parameter("n_boot", default: .number(0)), Parameter("ci", default: .number(0.95)),
                                      Parameter("seed", default: .number(0))]
    static let bootstrapHelp = """
        n_boot=1000 adds percentile bootstrap intervals (coverage ci, default 0.95; resamples reproducible from seed) \
        to every metric, gap and group score: rows are resampled within each domain × group cell, so group sizes stay \
        fixed. The table then shows "value [lo, hi]", report.intervals lists value, lo and hi as numbers, and \
        report.by_group gains _lo and _hi columns. docs/evidence.md describes the method.
        """

    /// The bootstrap asked for, or nil (n_boot=0).
    static func bootstrap(_ a: Arguments, _ callee: String) throws -> Bootstrap? {
        let n = try a.integer("n_boot")
        guard n != 0 else { return nil }
        let seed = try a.integer("seed")
        guard seed >= 0 else { throw RuntimeError("\(callee): seed must be ≥ 0, got \(seed)") }
        return try Bootstrap(resamples: n, level: try a.number("ci"), seed: UInt64(seed))
    }

    /// A report of predictions, with intervals when asked for.
    static func report(truth: [Int], predictions: [Int], data: Dataset, intersections: Bool, probabilities: [Double]? = nil,
                       bootstrap: Bootstrap?) throws -> FairnessReport {
        guard let bootstrap else {
            return try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data, intersections: intersections,
                                               probabilities: probabilities)
        }
        return try FairnessReport.evaluate(truth: truth, predictions: predictions, data: data, intersections: intersections,
                                           probabilities: probabilities, bootstrap: bootstrap)
    }

    /// What the report offers beside the paper's table, for help texts.
    static let moreHelp = """
        report.more (also report.<name>): FOR_diff_pct, the gap of the false omission rate FN/(FN+TN) (of class 1 on \
        binary tasks, macro one-vs-rest otherwise; NPV = 1 − FOR, so it is the NPV gap too; by_group has both), and on binary tasks fairlearn's equal \
        opportunity difference EOpD (class-1 TPR gap) and the ratios DPR, EOpR, EOdR (min/max over groups); with \
        probabilities, ECE (10 equal-width bins of the predicted class's probability) and Brier score overall, and \
        their gaps dECE and dBrier. report.ratio(method="between_groups"|"to_overall") is fairlearn's \
        MetricFrame.ratio per attribute; report.notes says when two gaps are one number (EOD and FPR diff on \
        binary tasks where every group has both classes).
        """

    static func register(in session: Session) {
        registerConfusion(in: session)
        session.interpreter.register(BuiltinFunction(
            "metrics", [Parameter("y_true"), Parameter("y_pred", default: Value.none), Parameter("data", default: Value.none),
                        Parameter("intersections", default: .bool(false)), Parameter("y_prob", default: Value.none)] + bootstrapParameters,
            summary: "The paper's fairness metrics and fairlearn-style group tables for predictions on a dataset.",
            details: """
                Scores are one-vs-rest per class, macro-averaged over the classes present in each group's ground truth: \
                precision, recall (TPR), FPR, FDR, F1 = 2TP/(2TP+FP+FN), ovr_acc (one-vs-rest accuracy, macro over classes; \
                averaged over groups it is the paper's Acc), plus exact_accuracy (share of answers exactly right) and macro_f1_sklearn. Groups are per attribute within each domain (intersections=true adds \
                them); gap = max − min and σ = sample std over groups, averaged over attributes then domains. \
                report.table: PP_pct (FDR gap), EOD_pct (TPR gap), FPR_diff_pct (in percentage points, ×100 as in the paper), ΔF1, σF1, ΔAcc, σAcc, F1, Acc, F1_ES = F1/(1+σF1), \
                Acc_ES; binary tasks add fairlearn's demographic parity and equalized odds differences. \
                report.by_group, report.difference(method="between_groups"|"to_overall"), report.overall, report.skipped, report.to_csv(path). \
                metrics(p) scores predictions loaded with load_predictions(...). y_prob (class probabilities) adds calibration.
                """ + " " + moreHelp + " " + bootstrapHelp,
            example: "r = metrics(test.labels, predictions, test); r.table"
        ) { a, _ in
            // Predictions loaded from an evaluation dump carry their truth and cases; otherwise all three are given.
            let data: Dataset, truth: [Int], predictions: [Int]
            if case .object(let o) = a["y_true"], let p = (o as? PredictionsObject)?.predictions {
                (data, truth, predictions) = (p.data, p.data.labels, p.predicted)
            } else {
                guard !a.isNone("y_pred"), !a.isNone("data") else {
                    throw RuntimeError("metrics(): give y_true, y_pred and data, or predictions from load_predictions(...)")
                }
                data = try a.object("data", as: DatasetObject.self, "a dataset").data
                truth = try classIndices(a["y_true"], classes: data.classNames, what: "y_true")
                predictions = try classIndices(a["y_pred"], classes: data.classNames, what: "y_pred")
            }
            let probabilities = a.isNone("y_prob") ? nil : try probabilities(a["y_prob"], rows: truth.count, classes: data.classNames.count)
            return .object(ReportObject(try report(truth: truth, predictions: predictions, data: data,
                                                   intersections: try a.bool("intersections"), probabilities: probabilities,
                                                   bootstrap: try bootstrap(a, "metrics()"))))
        })
    }
}
