/// One-vs-rest confusion counts for every class of one set of rows.
public struct Confusion: Sendable, Equatable {
    public var n = 0
    public var truePositives: [Int], falsePositives: [Int], falseNegatives: [Int]
    /// Rows whose prediction equals the truth.
    public var correct = 0

    public init(classes: Int) {
        truePositives = [Int](repeating: 0, count: classes)
        falsePositives = truePositives
        falseNegatives = truePositives
    }

    public var classCount: Int { truePositives.count }

    @inline(__always)
    public mutating func add(truth t: Int, prediction p: Int) {
        n += 1
        if t == p {
            truePositives[t] += 1
            correct += 1
        } else {
            falseNegatives[t] += 1
            falsePositives[p] += 1
        }
    }

    public func trueNegatives(_ c: Int) -> Int { n - truePositives[c] - falsePositives[c] - falseNegatives[c] }
    /// Rows whose truth is class c.
    public func support(_ c: Int) -> Int { truePositives[c] + falseNegatives[c] }
    /// Rows predicted as class c.
    public func predicted(_ c: Int) -> Int { truePositives[c] + falsePositives[c] }
    /// Classes present in the ground truth of these rows.
    public var presentClasses: [Int] { (0..<classCount).filter { support($0) > 0 } }
}

/// The paper's per-group scores: one-vs-rest per class, macro-averaged over
/// the classes present in the group's ground truth.
///
/// Per class c (TP, FP, FN, TN one-vs-rest):
/// - precision = TP / (TP + FP), FDR = FP / (TP + FP): undefined when c is
///   never predicted; such classes are left out of the macro average;
/// - recall = TPR = TP / (TP + FN): always defined for a present class;
/// - FPR = FP / (FP + TN): undefined when every row is of class c (left out);
/// - F1 = 2TP / (2TP + FP + FN) (as scikit-learn computes it);
/// - one-vs-rest accuracy = (TP + TN) / n (the paper's "Acc");
/// - NPV = TN / (TN + FN), FOR = FN / (TN + FN): undefined when every row is
///   predicted as c (no predicted negatives). In binary tasks these two are of
///   the positive class (class 1) alone, as Aequitas reports them: macro over
///   both classes they would equal precision and FDR.
/// A score whose every class is undefined is nil, and the report says why.
/// Also exact-match accuracy and scikit-learn's macro-F1 (over the classes
/// present in truth or predictions), under their own names.
public struct Scores: Sendable, Equatable {
    public var n: Int
    public var precision: Double?, recall: Double?, fpr: Double?, fdr: Double?
    public var f1: Double?, accuracyOVR: Double?
    public var npv: Double?, falseOmissionRate: Double?
    public var accuracy: Double?, macroF1Sklearn: Double?
    /// Fraction predicted as class 1 (binary tasks: fairlearn's selection rate).
    public var selectionRate: Double?
    /// Why a score is missing.
    public var undefined: [String: String] = [:]

    /// `reasons`: fill `undefined` (words no bootstrap resample needs).
    public init(_ c: Confusion, positiveClass: Int? = 1, reasons: Bool = true) {
        n = c.n
        let present = c.presentClasses
        /// Mean over the present classes where the per-class value is defined.
        func macro(_ f: (Int) -> Double?) -> Double? {
            let values = present.compactMap(f)
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        precision = macro({ k in c.predicted(k) > 0 ? Double(c.truePositives[k]) / Double(c.predicted(k)) : nil })
        fdr = macro({ k in c.predicted(k) > 0 ? Double(c.falsePositives[k]) / Double(c.predicted(k)) : nil })
        recall = macro({ k in Double(c.truePositives[k]) / Double(c.support(k)) })
        fpr = macro({ k in
            let negatives = c.n - c.support(k)
            return negatives > 0 ? Double(c.falsePositives[k]) / Double(negatives) : nil
        })
        f1 = macro({ k in
            let d = 2 * c.truePositives[k] + c.falsePositives[k] + c.falseNegatives[k]
            return d > 0 ? 2 * Double(c.truePositives[k]) / Double(d) : nil
        })
        accuracyOVR = macro({ k in Double(c.truePositives[k] + c.trueNegatives(k)) / Double(c.n) })
        // Per class: rows predicted as another class, and how many of them are of class k.
        func predictedNegatives(_ k: Int) -> Int { c.n - c.predicted(k) }
        func omission(_ k: Int) -> Double? {
            predictedNegatives(k) > 0 ? Double(c.falseNegatives[k]) / Double(predictedNegatives(k)) : nil
        }
        if let p = positiveClass, c.classCount == 2, p < 2 {
            falseOmissionRate = omission(p)
        } else {
            falseOmissionRate = macro(omission)
        }
        npv = falseOmissionRate.map { 1 - $0 }
        if c.n > 0 {
            accuracy = Double(c.correct) / Double(c.n)
            let labels = (0..<c.classCount).filter { c.support($0) > 0 || c.predicted($0) > 0 }
            macroF1Sklearn = labels.map { k in
                let d = 2 * c.truePositives[k] + c.falsePositives[k] + c.falseNegatives[k]
                return d > 0 ? 2 * Double(c.truePositives[k]) / Double(d) : 0
            }.reduce(0, +) / Double(labels.count)
            if let p = positiveClass, p < c.classCount { selectionRate = Double(c.predicted(p)) / Double(c.n) }
        }
        if !reasons {
        } else if c.n == 0 {
            undefined["all"] = "no rows"
        } else {
            if precision == nil { undefined["precision/fdr"] = "no class present in this group was ever predicted" }
            if fpr == nil { undefined["fpr"] = "every row of this group has the same class (no negatives)" }
            if falseOmissionRate == nil { undefined["npv/for"] = "every row of this group was predicted as the class scored (no predicted negatives)" }
        }
    }

    /// A score by its report name.
    public func value(_ metric: Metric) -> Double? {
        switch metric {
        case .precision: return precision
        case .recall: return recall
        case .fpr: return fpr
        case .fdr: return fdr
        case .f1: return f1
        case .accuracyOVR: return accuracyOVR
        case .accuracy: return accuracy
        case .macroF1Sklearn: return macroF1Sklearn
        case .selectionRate: return selectionRate
        case .npv: return npv
        case .falseOmissionRate: return falseOmissionRate
        }
    }
}

/// The per-group scores a report shows, by name.
public enum Metric: String, CaseIterable, Sendable {
    case precision, recall, fpr, fdr, f1
    case accuracyOVR = "ovr_acc"
    case accuracy = "exact_accuracy"
    case macroF1Sklearn = "macro_f1_sklearn"
    case selectionRate = "selection_rate"
    case npv
    case falseOmissionRate = "for"
}
