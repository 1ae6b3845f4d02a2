import Lang
import RL

/// The help every builtin shows beyond its summary: the topic `:help` lists
/// it under, what it returns, and one line per parameter. Kept in one
/// catalogue (attached when a session starts) so the builtins' code stays
/// about what they do; a test checks that every builtin and every parameter
/// has an entry and that no entry names a parameter that does not exist.
enum BuiltinHelp {
    /// The topics in the order `:help` lists them.
    static let topics = ["data", "training", "weights and inspection", "evaluation", "clustering", "plots", "tensors", "language"]

    struct Entry {
        let topic: String
        let returns: String
        var parameters: [String: String] = [:]
    }

    /// Meanings shared by many builtins, used when an entry has none of its own.
    static let common: [String: String] = [
        "x": "the value: a number, or a tensor (elementwise)",
        "data": "a dataset (demo(), load_csv(...), a split)",
        "trainer": "a trainer made by trainer()",
        "policy": "a policy made by policy()",
        "seed": "seed of this call's own random generator",
        "axis": "the axis to reduce along (none: every element)",
        "keepdims": "keep the reduced axis with length 1",
        "to": "the PNG file to write (none: plot-N.png in the current folder)",
        "title": "the chart's title (none: one made from the data)",
        "width": "image width in pixels",
        "height": "image height in pixels",
        "show": "also draw the chart in the terminal (REPL only)",
        "n_boot": "bootstrap resamples behind each interval (0: no intervals); rows resampled within domain × group cells",
        "ci": "the intervals' confidence level (percentile bootstrap)",
        "path": "the file's path",
        "tensors": "a list of tensors",
        "label": "the name of the class column",
        "attributes": "demographic columns (age-like numeric ones are binned)",
        "domain": "the column naming each row's data source (none: one domain)",
        "group_id": "a patient id column, for grouped splits",
        "drop": "columns to leave out",
        "age_bins": "upper bounds of the age bins: [25, 50, 75] gives ≤25, 26-50, 51-75, >75",
        "delimiter": "the field separator (none: detected among , ; tab |)",
    ]

    static let entries: [String: Entry] = {
        var e: [String: Entry] = [:]
        // data
        e["dataset"] = Entry(topic: "data", returns: "a dataset", parameters: [
            "name": "heart_cleveland, nhefs_death, covid_testing or pbc_mayo"])
        e["demo"] = Entry(topic: "data", returns: "a dataset of n prompts over seven domains", parameters: [
            "n": "number of prompts", "seed": "seed of the generated data"])
        e["synth"] = Entry(topic: "data", returns: "a dataset", parameters: [
            "n": "number of prompts", "seed": "seed of the generated data",
            "male_share": "probability that a row's sex is M",
            "age_shares": "probabilities of the age bins A1 ≤25, A2 26-50, A3 51-75, A4 >75",
            "separation": "spread of the class means (larger: easier)",
            "noise": "base feature noise σ",
            "difficulty": "how much harder (shifted, noisier) small groups are",
            "label_noise": "largest chance a small group's label is redrawn",
            "missing": "share of rows without demographics (group UNK)",
            "informative": "number of informative feature dimensions",
            "concept_shift": "how far minority groups' classes follow the next class's prototype (0…1: a different rule)",
            "covariate_shift": "how far each minority group is moved from the majority (× separation × √informative)",
            "minority": "a group is a minority when its share is below this × the largest group's",
            "domains": "how many of the seven domains to keep, in order (1: chest_xray alone)"])
        e["load_csv"] = Entry(topic: "data", returns: "a dataset", parameters: [
            "path": "the CSV file",
            "id": "a prompt id column", "features": "the feature columns (none: every other column not dropped)"])
        e["load_images"] = Entry(topic: "data", returns: "a dataset whose features are the pixels", parameters: [
            "manifest": "a CSV listing the images: a path column plus label, attributes, domain",
            "path_column": "the manifest column holding each image's path (relative to the manifest)",
            "size": "images are resized to size×size",
            "color": "keep RGB (true) or convert to gray (false)",
            "allow_outside": "allow image paths outside the manifest's folder"])
        e["load_rollouts"] = Entry(topic: "data", returns: "rollouts grouped by prompt within each step, for replay()", parameters: [
            "path": "a rollout file or a folder of <step>.jsonl files",
            "format": "\"verl\", \"trl\", \"jsonl\" or \"csv\"",
            "prompt": "the prompt field (jsonl and csv)",
            "reward": "the reward field, or a list of them (summed)",
            "step": "the step field (none: one step)",
            "completion": "the completion field",
            "advantage": "the advantage the run computed, to compare with",
            "domain": "the data source field (none: data_source, domain or dataset when present)",
            "demo": "a field of demo strings (\"sex: Male, age: 68\"), giving the groups",
            "attributes": "separate fields giving the groups, e.g. [\"sex\", \"age\"]",
            "completions": "keep each rollout's completion text"])
        e["load_table"] = Entry(topic: "data", returns: "a table", parameters: ["path": "a CSV file (as t.to_csv(path) writes)"])
        e["load_predictions"] = Entry(topic: "data", returns: "predictions with their truth and groups, for metrics(p)", parameters: [
            "path": "a JSONL, CSV or JSON evaluation dump",
            "prediction": "the answer field (none: prediction, output, response or completion)",
            "truth": "the ground-truth field (none: ground_truth, truth, answer, label or gts)",
            "domain": "the data source field (none: dataset, data_source or domain when present)",
            "demo": "a field of demo strings (\"sex: Male, age: 68\"), giving the groups",
            "attributes": "separate fields giving the groups, e.g. [\"sex\", \"age\"]",
            "boxed": "read the answer inside \\boxed{…}, as the FairGRPO authors' evaluation",
            "multi_label": "compare comma-separated label sets (order and case ignored)",
            "drop_unparsed": "leave out predictions without a readable answer (else they count as wrong)"])
        e["save_csv"] = Entry(topic: "data", returns: "none; writes the file", parameters: [
            "data": "the dataset to write", "path": "the CSV file to write"])
        e["split"] = Entry(topic: "data", returns: "a list [train, test] of datasets", parameters: [
            "data": "the dataset to split", "test": "share of rows in the test part",
            "seed": "seed of the shuffle",
            "stratify": "\"none\", \"label\" or \"group\": split each stratum in proportion",
            "by": "\"group_id\" keeps every row of a patient on one side (none: rows independently)"])
        e["mask"] = Entry(topic: "data", returns: "a new dataset with the attribute hidden (the truth kept for ARI/NMI)", parameters: [
            "attribute": "the attribute to hide (none: every attribute)",
            "fraction": "share of rows to hide it for", "seed": "seed choosing the rows"])
        e["filter"] = Entry(topic: "data", returns: "a dataset with the matching rows", parameters: [
            "domain": "keep this domain's rows (none: every domain)",
            "group": "keep this training group's rows (none: every group)"])
        e["head"] = Entry(topic: "data", returns: "a table of the first rows", parameters: [
            "n": "how many rows"])
        e["describe"] = Entry(topic: "data", returns: "a summary of sizes and label balance")
        // training
        e["policy"] = Entry(topic: "training", returns: "a policy", parameters: [
            "data": "the dataset whose features and classes it maps",
            "hidden": "sizes of the hidden layers ([] for a linear policy)",
            "activation": "\"relu\", \"tanh\" or \"gelu\"",
            "seed": "seed of the initial weights"])
        e["trainer"] = Entry(topic: "training", returns: "a trainer: step it with step(t, n), inspect it with weights(t) and history(t)", parameters: [
            "policy": "the policy to train",
            "data": "the training dataset",
            // The options' meanings come from the trainer option table (TrainerConfig.options).
            "eval_data": "the dataset eval_every scores"])
        e["step"] = Entry(topic: "training", returns: "the last step's metrics, as a record", parameters: [
            "n": "how many steps",
            "every": "print a log line every that many steps (none: one progress line on a terminal)",
            "quiet": "print nothing"])
        e["compare"] = Entry(topic: "training", returns: "a comparison: .table, .by_group, .dynamics, .notes, .runs", parameters: [
            "data": "the dataset to train (and, without eval_data, hold out from)",
            "methods": "the methods to train, as trainer()'s method",
            "seeds": "a run per method and seed",
            "steps": "training steps per run",
            "eval_every": "record ΔF1 and PP every that many steps (0: none)",
            "baseline": "the method the others are compared with, in pairs (none: grpo when present, else the first)",
            "select": "\"final\": report each run's last step; \"best_f1\": its evaluation step with the highest F1",
            "eval_data": "the dataset runs are scored on (none: a held-out part of data)",
            "holdout": "share of data held out for scoring when eval_data is none (0: score on the training data)",
            "hidden": "hidden layer sizes of each run's policy",
            "activation": "activation of each run's policy",
            "progress": "print a line per finished run (to stderr)",
            "workers": "runs trained at the same time (none: the number of cores); the results are the same for any number",
            "results": "a folder each finished run is stored in; stored runs are read, not trained again (resume, shards)",
            "batch": "prompts per step (128 here)", "lr": "learning rate (3e-3 here)"])
        e["replay"] = Entry(topic: "training", returns: "a replay: weights(r), history(r), trace(r) and clusters(r) work on it as on a trainer", parameters: [
            "rollouts": "rollouts from load_rollouts()",
            "steps": "replay only the first N steps (none: all)"])
        e["save"] = Entry(topic: "training", returns: "none; writes the checkpoint", parameters: [
            "path": "the checkpoint file to write"])
        e["load"] = Entry(topic: "training", returns: "the trainer, ready to continue", parameters: [
            "path": "a checkpoint written by save()",
            "reward": "the reward function, when the run used one"])
        e["predict"] = Entry(topic: "training", returns: "a list of class indices, one per row", parameters: [
            "data": "the dataset to answer"])
        // weights and inspection
        e["weights"] = Entry(topic: "weights and inspection", returns: "a table: one row per (domain, group)", parameters: [
            "trainer": "a trainer or a replay", "step": "which step of a replay (none: the last)"])
        e["history"] = Entry(topic: "weights and inspection", returns: "a table: one row per step (or per step and group, or per report)", parameters: [
            "groups": "one row per step and (domain, group)",
            "fairness": "the fairness reports recorded every eval_every steps"])
        e["trace"] = Entry(topic: "weights and inspection", returns: "a table: one row per rollout of the step", parameters: [
            "trainer": "a trainer or a replay", "step": "which step of a replay (none: the last)"])
        e["clusters"] = Entry(topic: "weights and inspection", returns: "a table: one row per discovered cluster")
        // evaluation
        e["evaluate"] = Entry(topic: "evaluation", returns: "a report: .table, .more, .by_group, .overall, .difference(), .ratio(), .notes, .to_csv()", parameters: [
            "policy": "the policy whose greedy answers are scored",
            "data": "the dataset to score on",
            "intersections": "also score intersections of attributes (sex × age)"])
        e["metrics"] = Entry(topic: "evaluation", returns: "a report: .table, .more, .by_group, .overall, .difference(), .ratio(), .notes, .to_csv()", parameters: [
            "y_true": "the true classes (indices or names)",
            "y_pred": "the predicted classes (indices or names)",
            "y_prob": "class probabilities for calibration: [n, classes] (tensor or lists), or P(class 1) on binary tasks",
            "data": "the dataset the rows come from (domains, attributes, class names)",
            "intersections": "also score intersections of attributes (sex × age)"])
        e["confusion"] = Entry(topic: "evaluation", returns: "a table: rows the true class, columns the predicted one", parameters: [
            "y_true": "the true classes (indices or names)",
            "y_pred": "the predicted classes (indices or names)",
            "data": "the dataset giving the class names"])
        // clustering
        e["kmeans"] = Entry(topic: "clustering", returns: "a clustering: .labels, .centroids, .inertia, .sizes, .iterations", parameters: [
            "x": "the points: an [n, d] tensor or a dataset's features",
            "k": "number of clusters", "seed": "seed of the k-means++ starts",
            "n_init": "restarts; the best inertia wins", "max_iter": "Lloyd iterations at most per restart",
            "tol": "stop when centres move less than this (relative)",
            "sample_weight": "a weight per point (none: all 1)"])
        e["elbow"] = Entry(topic: "clustering", returns: "a table of inertia per k, and the k picked", parameters: [
            "x": "the points: an [n, d] tensor or a dataset's features",
            "kmax": "the largest k tried", "seed": "seed of each k-means"])
        e["silhouette"] = Entry(topic: "clustering", returns: "a number in [-1, 1]; higher is better separated", parameters: [
            "x": "the points: an [n, d] tensor", "labels": "a cluster label per point",
            "sample": "points sampled when there are more", "seed": "seed of the sample"])
        e["align"] = Entry(topic: "clustering", returns: "a record-like result: .ari, .nmi, .table", parameters: [
            "a": "one labeling (a list)", "b": "the other labeling"])
        e["pca"] = Entry(topic: "clustering", returns: "a tensor [n, components]", parameters: [
            "x": "the points: an [n, d] tensor or a dataset's features",
            "components": "how many leading components"])
        // plots
        e["plot"] = Entry(topic: "plots", returns: "none; writes the PNG and prints its name", parameters: [
            "series": "a table (history(t)), a record of lists, a list or a 1-D tensor",
            "x": "the x column (none: \"step\" when there is one)",
            "y": "the y column or a list of them (none: the first other column)",
            "by": "one line per value of this column",
            "log": "a logarithmic y axis"])
        e["bar"] = Entry(topic: "plots", returns: "none; writes the PNG and prints its name", parameters: [
            "table": "weights(t), report.by_group, a record of lists",
            "x": "the category column (none: the first text column)",
            "y": "the value column or a list of them (none: weight, f1 or accuracy when present)"])
        e["scatter"] = Entry(topic: "plots", returns: "none; writes the PNG and prints its name", parameters: [
            "points": "an [n, 2] tensor (pca(x, 2)) or a dataset's features",
            "color": "a clustering, a list of labels or a tensor of whole numbers"])
        e["heatmap"] = Entry(topic: "plots", returns: "none; writes the PNG and prints its name", parameters: [
            "matrix": "a 2-D tensor, a list of lists, or a table whose first column names the rows",
            "rows": "row labels (none: from the matrix)", "columns": "column labels (none: from the matrix)"])
        // tensors
        let tensorMaker = Entry(topic: "tensors", returns: "a tensor", parameters: [
            "shape": "the dimensions: zeros(2, 3) or zeros([2, 3])"])
        for name in ["zeros", "ones"] { e[name] = tensorMaker }
        for name in ["rand", "randn"] {
            e[name] = Entry(topic: "tensors", returns: "a tensor", parameters: [
                "shape": "the dimensions: \(name)(2, 3) or \(name)([2, 3])",
                "seed": "seed of this call's own generator (none: the session's, see seed())"])
        }
        e["tensor"] = Entry(topic: "tensors", returns: "a tensor", parameters: [
            "data": "a number or nested lists of numbers", "requires_grad": "record operations for backward()"])
        e["full"] = Entry(topic: "tensors", returns: "a tensor", parameters: [
            "shape": "the dimensions, a list", "value": "the value of every element"])
        e["arange"] = Entry(topic: "tensors", returns: "a 1-D tensor", parameters: [
            "start": "first value (or the stop when alone)", "stop": "end, not included", "step": "spacing"])
        e["matmul"] = Entry(topic: "tensors", returns: "a tensor", parameters: ["a": "a 2-D tensor [n, k]", "b": "a 2-D tensor [k, m]"])
        e["reshape"] = Entry(topic: "tensors", returns: "a tensor", parameters: [
            "x": "a tensor", "shape": "the new dimensions (one may be -1)"])
        e["transpose"] = Entry(topic: "tensors", returns: "a tensor", parameters: [
            "x": "a tensor", "axes": "the new order of the axes (none: reversed)"])
        e["concat"] = Entry(topic: "tensors", returns: "a tensor, or a table for a list of tables", parameters: [
            "tensors": "a list of tensors, or of tables (joined by rows)", "axis": "the axis they are joined along"])
        e["stack"] = Entry(topic: "tensors", returns: "a tensor with one more axis", parameters: ["axis": "where the new axis goes"])
        e["where"] = Entry(topic: "tensors", returns: "a tensor", parameters: [
            "condition": "a tensor; non-zero picks a", "a": "values where the condition holds", "b": "values elsewhere"])
        for name in ["argmax", "logsumexp"] {
            e[name] = Entry(topic: "tensors", returns: "a tensor (a scalar tensor without axis)", parameters: ["x": "a tensor"])
        }
        for name in ["relu", "gelu", "tanh", "sigmoid", "softmax", "log_softmax"] {
            e[name] = Entry(topic: "tensors", returns: "a tensor of the same shape", parameters: ["x": "a tensor"])
        }
        e["backward"] = Entry(topic: "tensors", returns: "none; fills .grad", parameters: ["loss": "a scalar tensor"])
        // language
        e["print"] = Entry(topic: "language", returns: "none", parameters: [
            "values": "the values to print", "sep": "text between values", "end": "text after the last value"])
        e["range"] = Entry(topic: "language", returns: "a range (lazy)", parameters: [
            "start": "first number (or the stop when alone)", "stop": "end, not included", "step": "spacing (negative counts down)"])
        e["len"] = Entry(topic: "language", returns: "a number", parameters: ["x": "a list, string, record, range or tensor"])
        e["help"] = Entry(topic: "language", returns: "none; prints the help", parameters: [
            "name": "a builtin, a function or a name as text (none: every builtin by topic)"])
        e["seed"] = Entry(topic: "language", returns: "none", parameters: ["n": "the new seed, a whole number ≥ 0"])
        e["time"] = Entry(topic: "language", returns: "a number of seconds")
        e["type"] = Entry(topic: "language", returns: "a string such as \"number\" or \"trainer\"", parameters: ["x": "any value"])
        e["str"] = Entry(topic: "language", returns: "a string", parameters: ["x": "any value"])
        e["format"] = Entry(topic: "language", returns: "a string", parameters: [
            "x": "a number, or any value (then only width, alignment and precision apply)",
            "spec": "[[fill]align][sign][#][0][width][,][.precision][type]: \".3f\", \",\", \".1%\", \">10\""])
        e["round"] = Entry(topic: "language", returns: "a number", parameters: ["x": "a number", "digits": "decimals kept (0...15)"])
        e["sorted"] = Entry(topic: "language", returns: "a new list", parameters: [
            "items": "a list (or anything a for loop visits)",
            "key": "a function giving each item's sort key, e.g. fn(r) { r.weight } (none: the items)",
            "reverse": "largest first"])
        e["map"] = Entry(topic: "language", returns: "a list", parameters: [
            "function": "a function of one item, e.g. fn(x) { x * 2 }", "items": "a list (or anything a for loop visits)"])
        e["keys"] = Entry(topic: "language", returns: "a list of strings", parameters: ["record": "a record"])
        e["list"] = Entry(topic: "language", returns: "a list", parameters: ["items": "a range, string, record or tensor"])
        for name in ["sum", "max", "min", "mean"] {
            e[name] = Entry(topic: "language", returns: "a number for a list (none and NaN skipped); a tensor for a tensor", parameters: [
                "x": "a list of numbers (a table's column) or a tensor"])
        }
        e["options"] = Entry(topic: "language", returns: "a record of every setting's value, after the change", parameters:
            Dictionary(uniqueKeysWithValues: Settings.all.map { ($0.name, $0.meaning + " (none: unchanged)") }))
        e["load_table"] = Entry(topic: "data", returns: "a table", parameters: ["path": "a CSV file with a header line"])
        e["abs"] = Entry(topic: "language", returns: "a number, or a tensor for a tensor")
        for name in ["sqrt", "exp", "log"] { e[name] = Entry(topic: "language", returns: "a number, or a tensor for a tensor") }
        return e
    }()

    /// The meaning of a builtin's parameter: its own entry, then (for
    /// compare, which takes every trainer option) trainer's, then, for the
    /// builtins that take trainer options, the option table's line, then the common one.
    static func meaning(_ builtin: String, _ parameter: String) -> String? {
        if let m = entries[builtin]?.parameters[parameter] { return m }
        if builtin == "compare", let m = entries["trainer"]?.parameters[parameter] { return m }
        if ["trainer", "compare", "replay"].contains(builtin), let o = TrainerConfig.option(named: parameter) { return o.help }
        return common[parameter]
    }

    /// Attaches the catalogue to every registered builtin.
    static func attach(to interpreter: Interpreter) {
        for (name, builtin) in interpreter.builtins {
            let entry = entries[name]
            builtin.document(topic: entry?.topic ?? "", returns: entry?.returns ?? "") { meaning(name, $0) }
        }
    }
}
