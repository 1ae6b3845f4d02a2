import Lang
import Plot
import RL

/// What `plot(table)` draws when given no x, y or by: x is a step-like column
/// (else the row number), y the numeric columns (or the ones the table's kind
/// says matter), and one series per value of the columns that identify a row
/// (the table's keys: method, domain and group), each with its own colour and
/// a legend. A table without a kind or keys (one loaded from a file) is read
/// from its column names and types instead.
enum PlotDefaults {
    struct Plan {
        var x: String?
        var y: [String]
        var by: [String] = []
        /// Bars per category (a table with no step: weights, a report's groups).
        var bars = false
        /// One chart per y column, side by side (several metrics of several series).
        var panels = false
    }

    static let stepLike = ["step", "epoch", "iteration", "index"]
    /// Columns that describe a row rather than measure it, left out of the default y.
    static let bookkeeping: Set<String> = ["seeds", "seed", "n", "n_batch", "drawn", "kept", "dropped", "ms", "live_drawn", "reclustered"]

    static func isText(_ rows: [[Value]], _ c: Int) -> Bool {
        rows.contains { if case .string(let t) = $0[c] { return !PlotBuiltins.number(.string(t)).isFinite && t != "-" }; return false }
    }

    static func plan(_ cols: [String], _ rows: [[Value]], kind: String? = nil, keys: [String] = []) throws -> Plan {
        let x = stepLike.first { cols.contains($0) }
        // The text columns that tell rows apart: the table's keys when it has
        // them (a note or label column is not a series), else every text column.
        let allText = cols.indices.filter { isText(rows, $0) }.map { cols[$0] }
        let text = keys.isEmpty ? allText : allText.filter { keys.contains($0) }
        let numeric = cols.indices.filter { c in !isText(rows, c) && rows.contains { PlotBuiltins.number($0[c]).isFinite } }.map { cols[$0] }
        guard numeric.contains(where: { $0 != x }) else {
            throw RuntimeError("plot(): the table has no column of numbers to draw",
                               notes: ["note: columns: \(cols.joined(separator: ", ")); give y=\"column\" with numbers, or bar(table, y=...)"])
        }
        // A trainer's weights: a bar per (domain, group).
        if x == nil, cols.contains("weight"), kind == "weights" || (kind == nil && cols.contains("group")) {
            return Plan(x: nil, y: ["weight"], bars: true)
        }
        // A trainer's history: the reward and the share of live prompts, both fractions.
        if x == "step", cols.contains("reward"), cols.contains("live"), kind == "history" || (kind == nil && text.isEmpty) {
            return Plan(x: x, y: ["reward", "live"])
        }
        // Categories without a step (a report's groups): bars of the column bar() would choose.
        if x == nil, !text.isEmpty { return Plan(x: nil, y: [], bars: true) }
        let y = numeric.filter { $0 != x && !$0.hasSuffix("_std") && !bookkeeping.contains($0) }
        guard let xName = x else { return Plan(x: nil, y: y.isEmpty ? [numeric[0]] : y) }
        // Rows sharing a step belong to different series: the text columns tell them apart.
        let xi = cols.firstIndex(of: xName)!
        let repeats = Set(rows.map { $0[xi].display }).count < rows.count
        let by = repeats ? text : []
        return Plan(x: xName, y: y, by: by, panels: !by.isEmpty && y.count > 1)
    }

    /// A chart per y column, one line per series in each, side by side.
    static func panels(_ cols: [String], _ rows: [[Value]], plan: Plan, title: String?, log: Bool, width: Int, height: Int) throws -> PlotBuiltins.Drawn {
        let xi = try plan.x.map { try PlotBuiltins.index($0, in: cols, "plot()") }
        let byIdx = try plan.by.map { try PlotBuiltins.index($0, in: cols, "plot()") }
        let perY = try plan.y.map { try PlotBuiltins.lineSeries(cols, rows, xi: xi, yNames: [$0], byIdx: byIdx) }
        try requireFinite(perY.flatMap { $0 }, plan.y)
        let names = plan.y.map { y in title.map { "\($0): \(y)" } ?? "\(y) by \(plan.by.joined(separator: ", "))" }
        let canvas = Charts.panels({ w, h in zip(perY, names).map { Charts.line($0, title: $1, xLabel: plan.x ?? "row", log: log, width: w, height: h) } },
                                   count: perY.count, width: width, height: height)
        return PlotBuiltins.Drawn(canvas: canvas) { w, c in
            zip(perY, names).map { TerminalChart.line($0, title: $1, xLabel: plan.x ?? "row", log: log, width: w, height: 10, colors: c) }.joined(separator: "\n")
        }
    }

    /// The paper's table as grouped bars: a bar per method for each metric, ± the std over seeds;
    /// the ×100 gaps and the fractions in separate panels, since their scales differ.
    static func comparison(_ c: Comparison, title: String?, width: Int, height: Int) throws -> PlotBuiltins.Drawn {
        let methods = c.finishedMethods
        guard !methods.isEmpty else { throw RuntimeError("plot(): the comparison has no finished run to draw") }
        let groups = [TableMetric.allCases.filter { $0.scale != 1 }, TableMetric.allCases.filter { $0.scale == 1 }].filter { !$0.isEmpty }
        func parts(_ metrics: [TableMetric]) -> (categories: [String], series: [(String, [Double])], errors: [[Double]]) {
            let series = methods.map { m in (m.rawValue, metrics.map { c.summary(m, $0).mean ?? .nan }) }
            let errors = methods.map { m in metrics.map { c.summary(m, $0).std ?? .nan } }
            return (metrics.map(\.rawValue), series, errors)
        }
        let names = groups.map { g in (title.map { $0 + ": " } ?? "") + (g.first!.scale == 1 ? "fractions" : "gaps ×100") + ", mean ± std" }
        let canvas = Charts.panels({ w, h in zip(groups, names).map { g, name in
            let p = parts(g)
            return Charts.bars(categories: p.categories, series: p.series, errors: p.errors, title: name, width: w, height: h)
        } }, count: groups.count, width: width, height: height)
        return PlotBuiltins.Drawn(canvas: canvas) { w, colors in
            zip(groups, names).map { g, name in
                let p = parts(g)
                return TerminalChart.bars(categories: p.categories, series: p.series, errors: p.errors, title: name, width: w, colors: colors)
            }.joined(separator: "\n")
        }
    }

    /// A chart is never silently empty: nothing finite to draw is an error that says so.
    static func requireFinite(_ series: [Series], _ y: [String]) throws {
        guard series.contains(where: { s in s.y.contains(where: \.isFinite) }) else {
            throw RuntimeError("plot(): every value of \(y.joined(separator: ", ")) is missing or not finite; nothing to draw")
        }
    }
}

