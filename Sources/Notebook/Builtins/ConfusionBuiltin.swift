import Render
import Data
import Lang

extension FairnessBuiltins {
    /// confusion(y_true, y_pred, data): the multi-class confusion matrix as a table
    /// (rows the true class, columns the predicted one), ready for heatmap().
    static func registerConfusion(in session: Session) {
        session.interpreter.register(BuiltinFunction(
            "confusion", [Parameter("y_true"), Parameter("y_pred"), Parameter("data")],
            summary: "The confusion matrix of predictions on a dataset as a table: rows the true class, columns the predicted class.",
            details: "y_true and y_pred are class indices or class names (as for metrics); the dataset gives the class names. heatmap(confusion(...)) draws it.",
            example: "heatmap(confusion(test.labels, predict(p, test), test), to=\"confusion.png\")"
        ) { a, _ in
            let data = try a.object("data", as: DatasetObject.self, "a dataset").data
            let truth = try classIndices(a["y_true"], classes: data.classNames, what: "y_true")
            let predictions = try classIndices(a["y_pred"], classes: data.classNames, what: "y_pred")
            guard truth.count == predictions.count else {
                throw RuntimeError("confusion(): \(truth.count) true labels but \(predictions.count) predictions")
            }
            let k = data.classNames.count
            guard k <= Dataset.maximumClasses else {
                throw RuntimeError("confusion(): the data has \(k) classes; a confusion matrix is shown for at most \(Dataset.maximumClasses)")
            }
            var counts = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
            for (t, p) in zip(truth, predictions) { counts[t][p] += 1 }
            return .object(TableObject(DataTable(
                [Column("true", label: "true \\ predicted", texts: data.classNames)]
                    + data.classNames.indices.map { p in Column(data.classNames[p], integers: counts.map { $0[p] }) },
                title: "confusion matrix (\(truth.count) rows)", kind: "confusion", keys: ["true"])))
        })
    }
}
