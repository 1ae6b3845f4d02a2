import Render
import Data
import Lang
import Plot
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Charts from tables (history, weights, reports), lists, tensors and clusterings, written as PNG.
enum PlotBuiltins {
    /// Columns of a table-like value: a table, a record of lists, a list of numbers, or a 1-D tensor.
    static func columns(_ v: Value, _ what: String) throws -> (names: [String], rows: [[Value]]) {
        switch v {
        case .object(let o) where o is TableObject:
            let t = (o as! TableObject).table
            return (t.names, (0..<t.rowCount).map { r in t.columns.indices.map { TableObject.value(t.cell(r, $0)) } })
        case .record(let r):
            let lists = try r.pairs.map { (k, v) -> [Value] in
                guard case .list(let l) = v else { throw RuntimeError("\(what): every field of the record must be a list") }
                return l.items
            }
            let n = lists.map(\.count).max() ?? 0
            return (r.keys, (0..<n).map { i in lists.map { i < $0.count ? $0[i] : .none } })
        case .list(let l):
            return (["index", "value"], l.items.enumerated().map { [.number(Double($0)), $1] })
        case .object(let o) where o is TensorObject:
            let t = (o as! TensorObject).tensor
            guard t.rank == 1 else { throw RuntimeError("\(what): a tensor to plot must be 1-D, got shape \(formatShape(t.shape))") }
            return (["index", "value"], t.scalars.enumerated().map { [.number(Double($0)), .number(Double($1))] })
        default:
            throw RuntimeError("\(what): cannot plot a \(v.typeName); give a table (history(t), weights(t), report.by_group), a record of lists, a list or a tensor")
        }
    }

    static func number(_ v: Value) -> Double {
        switch v {
        case .number(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Double(s.replacingPercent) ?? .nan
        default: return .nan
        }
    }

    static func names(_ v: Value, _ what: String) throws -> [String]? {
        switch v {
        case .none: return nil
        case .string(let s): return [s]
        case .list(let l):
            return try l.items.map { item in
                guard case .string(let s) = item else { throw RuntimeError("\(what) must be column names") }
                return s
            }
        default: throw RuntimeError("\(what) must be a column name or a list of names")
        }
    }

    static func index(_ name: String, in cols: [String], _ what: String) throws -> Int {
        guard let i = cols.firstIndex(of: name) else {
            throw RuntimeError("\(what): no column '\(name)'", notes: [Suggestions.note(for: name, among: cols) ?? "note: columns: \(cols.joined(separator: ", "))"])
        }
        return i
    }

    /// Writes the canvas, records it in the cell, prints where it went.
    /// `text` draws the chart for a terminal of a width and colours, when one is shown.
    static func write(_ canvas: Canvas, to path: String?, session: Session, interp: Interpreter, preview: String? = nil,
                      show: Bool = true, text: ((Int, TerminalChart.Colors) -> String)? = nil) throws -> Value {
        let target = path ?? session.nextPlotPath()
        let bytes: [UInt8]
        do {
            bytes = try canvas.png()
            try FileIO.writeAtomically(bytes, to: target)
        } catch {
            // An auto-named file was claimed empty; do not leave it behind.
            if path == nil { unlink(target) }
            throw error
        }
        let size = bytes.count
        session.recordImage(path: target, width: canvas.width, height: canvas.height)
        let tail = " (\(canvas.width)×\(canvas.height), "
        // The size and an auto-chosen name vary between runs; an exported notebook matches them loosely.
        session.emit("wrote \(target)\(tail)\(size / 1024 + 1) KB)" + (preview.map { "  " + $0 } ?? "") + "\n",
                     pattern: "wrote \(path == nil ? "..." : target)\(tail)... KB)" + (preview.map { "  " + $0 } ?? "") + "\n")
        // The terminal's copy is not part of the cell record: the PNG is.
        if show, session.settings.charts, let sink = session.chartSink, let text {
            let colors: TerminalChart.Colors = session.chartColors >= 256 ? .extended : session.chartColors >= 8 ? .basic : .none
            let chart = text(Terminal.width - 1, colors)
            if !chart.isEmpty { sink(chart + "\n") }
        }
        return .none
    }

    /// One line per y column (and per value of the `by` columns), x from column `xi` or the row number.
    static func lineSeries(_ cols: [String], _ rows: [[Value]], xi: Int?, yNames: [String], byIdx: [Int]) throws -> [Series] {
        var series: [Series] = []
        for yName in yNames {
            let yi = try index(yName, in: cols, "plot()")
            var groups: [String: Series] = [:], order: [String] = []
            for (r, row) in rows.enumerated() {
                let key = byIdx.map { row[$0].display }.joined(separator: "/")
                let name = byIdx.isEmpty ? yName : (yNames.count > 1 ? "\(key) \(yName)" : key)
                if groups[name] == nil { groups[name] = Series(name: name, x: [], y: []); order.append(name) }
                groups[name]!.x.append(xi.map { number(row[$0]) } ?? Double(r))
                groups[name]!.y.append(number(row[yi]))
            }
            var found = order.map { groups[$0]! }
            if !byIdx.isEmpty {
                // Put every line on the same x values, with NaN where a group has no row
                // (a group absent from a step's batch), so its line breaks instead of
                // bridging the gap with a straight segment. Several rows at one x (by="domain"
                // over per-group rows) are averaged over their finite values.
                let xs = Array(Set(found.flatMap(\.x).filter(\.isFinite))).sorted()
                found = found.map { s in
                    var sum: [Double: (Double, Int)] = [:]
                    for (x, y) in zip(s.x, s.y) where y.isFinite { sum[x, default: (0, 0)].0 += y; sum[x, default: (0, 0)].1 += 1 }
                    return Series(name: s.name, x: xs, y: xs.map { x in sum[x].map { $0.0 / Double($0.1) } ?? .nan })
                }
            }
            series += found
        }
        return series
    }

    /// A chart in both forms: the PNG's canvas and the terminal's text.
    struct Drawn {
        var canvas: Canvas
        var text: (Int, TerminalChart.Colors) -> String
    }

    /// Bars of y per category (x, with the other text columns when x alone repeats).
    static func barChart(_ cols: [String], _ rows: [[Value]], xName: String?, yNames: [String]?, title: String?, width: Int, height: Int) throws -> Drawn {
        let xName = xName ?? cols.first { c in rows.contains { if case .string = $0[cols.firstIndex(of: c)!] { return true }; return false } } ?? cols[0]
        let xi = try index(xName, in: cols, "bar()")
        // The column people mean by default: a trainer's weight, a report's F1, else the first numeric one.
        let numeric = cols.filter { c in c != xName && rows.contains { r in number(r[cols.firstIndex(of: c)!]).isFinite } }
        let preferred = ["weight", "f1", "F1", "accuracy", "value"].first { numeric.contains($0) }
        let yNames = yNames ?? [preferred ?? numeric.first ?? cols.last!]
        // Categories keep other text columns (e.g. domain with group) when x alone repeats, in column order.
        // ("-" cells, as in a report's overall row, read as none and do not make a column numeric.)
        let textCols = cols.indices.filter { c in
            c != xi && rows.contains { if case .string = $0[c] { return true }; return false } && rows.allSatisfy {
                switch $0[c] {
                case .string(let t): return !number(.string(t)).isFinite
                case .none: return true
                default: return false
                }
            }
        }
        let plain = rows.map { $0[xi].display }
        let unique = Set(plain).count == plain.count
        let categoryCols = unique ? [xi] : (textCols + [xi]).sorted()
        let categories = rows.map { r in categoryCols.compactMap { if case .none = r[$0] { return nil }; return r[$0].display }.joined(separator: " ") }
        let series = try yNames.map { y -> (String, [Double]) in
            let yi = try index(y, in: cols, "bar()")
            return (yNames.count > 1 ? y : "", rows.map { number($0[yi]) })
        }
        let title = title ?? yNames.joined(separator: ", ") + " by " + categoryCols.map { cols[$0] }.joined(separator: ", ")
        let canvas = Charts.bars(categories: categories, series: series, title: title,
                                 yLabel: yNames.count == 1 ? yNames[0] : "", width: width, height: height)
        guard series.contains(where: { $0.1.contains(where: \.isFinite) }) else {
            throw RuntimeError("bar(): every value of \(yNames.joined(separator: ", ")) is missing; columns: \(cols.joined(separator: ", "))")
        }
        return Drawn(canvas: canvas) { w, c in TerminalChart.bars(categories: categories, series: series, title: title, width: w, colors: c) }
    }

    static let common = [Parameter("to", default: Value.none), Parameter("title", default: Value.none),
                         Parameter("width", default: .number(800)), Parameter("height", default: .number(480)),
                         Parameter("show", default: .bool(true))]

    static func size(_ a: Arguments) throws -> (Int, Int) {
        let w = try a.integer("width"), h = try a.integer("height")
        guard (200...4000).contains(w), (150...4000).contains(h) else { throw RuntimeError("\(a.callee)(): width must be 200…4000 and height 150…4000 pixels") }
        return (w, h)
    }

    static func register(in session: Session) {
        let i = session.interpreter
        i.register(BuiltinFunction(
            "plot", [Parameter("series"), Parameter("x", default: Value.none), Parameter("y", default: Value.none),
                     Parameter("by", default: Value.none), Parameter("log", default: .bool(false))] + common,
            summary: "A chart to PNG: given only a table, the chart it calls for; else y against x, one line per `by` value (or per y column).",
            details: "With no x, y or by: x is a step-like column (else the row number), y the numeric columns, and one coloured, legended series per value of the text columns (method, domain, group); several metrics of several series are drawn side by side. plot(history(t)): reward and live share; plot(weights(t)): bars per (domain, group); plot(c.dynamics): a line per method for each metric; plot(c) for a comparison: grouped bars ± std. A table with nothing to draw is an error. series: a table such as history(t) or history(t, groups=true), a comparison, a record of lists, a list or a 1-D tensor. x defaults to \"step\" when there is one; y to the first other column; y may list several columns. With by, rows sharing an x are averaged and a missing or non-finite value breaks the line. log=true draws positive values only. The REPL prints the file, its size and (for one line) a sparkline, and on a terminal draws the chart as text (show=false or options(charts=false): not).",
            example: "plot(history(t, groups=true), y=\"weight\", by=\"group\", log=true, to=\"weights.png\")"
        ) { [unowned session] a, interp in
            let (w0, h0) = try size(a)
            let show = try a.bool("show"), to = try a.optionalString("to"), userTitle = try a.optionalString("title")
            if case .object(let o) = a["series"], let c = o as? ComparisonObject {
                let chart = try PlotDefaults.comparison(c.comparison, title: userTitle, width: w0, height: h0)
                return try write(chart.canvas, to: to, session: session, interp: interp, show: show, text: chart.text)
            }
            let (cols, rows) = try columns(a["series"], "plot()")
            if a.isNone("x"), a.isNone("y"), a.isNone("by") {
                var table: DataTable?
                if case .object(let o) = a["series"] { table = (o as? TableObject)?.table }
                let plan = try PlotDefaults.plan(cols, rows, kind: table?.kind, keys: table?.keys ?? [])
                if plan.bars {
                    let chart = try barChart(cols, rows, xName: nil, yNames: plan.y.isEmpty ? nil : plan.y, title: userTitle, width: w0, height: h0)
                    return try write(chart.canvas, to: to, session: session, interp: interp, show: show, text: chart.text)
                }
                if plan.panels {
                    let chart = try PlotDefaults.panels(cols, rows, plan: plan, title: userTitle, log: try a.bool("log"), width: w0, height: h0)
                    return try write(chart.canvas, to: to, session: session, interp: interp, show: show, text: chart.text)
                }
                if plan.y.count > 1 || !plan.by.isEmpty {
                    let xi = try plan.x.map { try index($0, in: cols, "plot()") }
                    let series = try lineSeries(cols, rows, xi: xi, yNames: plan.y, byIdx: try plan.by.map { try index($0, in: cols, "plot()") })
                    try PlotDefaults.requireFinite(series, plan.y)
                    let title = userTitle ?? plan.y.joined(separator: ", ") + (plan.by.isEmpty ? "" : " by " + plan.by.joined(separator: ", "))
                    let logY = try a.bool("log")
                    let canvas = Charts.line(series, title: title, xLabel: plan.x ?? "row", yLabel: plan.y.count == 1 ? plan.y[0] : "", log: logY, width: w0, height: h0)
                    return try write(canvas, to: to, session: session, interp: interp, show: show) { w, c in
                        TerminalChart.line(series, title: title, xLabel: plan.x ?? "row", log: logY, width: w, colors: c)
                    }
                }
            }
            let yNames = try names(a["y"], "y") ?? [cols.first { $0 != "step" && $0 != "index" && $0 != (try? a.string("x")) } ?? cols.last!]
            let xName = try a.optionalString("x") ?? (cols.contains("step") ? "step" : cols.contains("index") ? "index" : nil)
            let xi = try xName.map { try index($0, in: cols, "plot()") }
            let byNames = try names(a["by"], "by") ?? []
            let byIdx = try byNames.map { try index($0, in: cols, "plot()") }
            var series = try lineSeries(cols, rows, xi: xi, yNames: yNames, byIdx: byIdx)
            try PlotDefaults.requireFinite(series, yNames)
            if byIdx.isEmpty && yNames.count == 1 { series = series.map { Series(name: "", x: $0.x, y: $0.y) } }
            let (w, h) = try size(a)
            let title = try a.optionalString("title") ?? yNames.joined(separator: ", ")
            let canvas = Charts.line(series, title: title, xLabel: xName ?? "index", yLabel: yNames.count == 1 ? yNames[0] : "",
                                     log: try a.bool("log"), width: w, height: h)
            let preview = series.count == 1 ? Charts.sparkline(series[0].y) : nil
            let logY = try a.bool("log")
            return try write(canvas, to: try a.optionalString("to"), session: session, interp: interp, preview: preview, show: try a.bool("show")) { w, c in
                TerminalChart.line(series, title: title, xLabel: xName ?? "index", log: logY, width: w, colors: c)
            }
        })
        i.register(BuiltinFunction(
            "bar", [Parameter("table"), Parameter("x", default: Value.none), Parameter("y", default: Value.none)] + common,
            summary: "A bar chart to PNG: one bar per row (category x), grouped when y names several columns.",
            details: "table: weights(t), report.by_group, a record of lists. x defaults to the first text column (joined with the other text columns when it repeats, e.g. domain and group); y defaults to weight, f1 or accuracy when present, else the first numeric column.",
            example: "bar(weights(t), x=\"group\", y=\"weight\"); bar(report.by_group, x=\"group\", y=[\"f1\", \"ovr_acc\"])"
        ) { [unowned session] a, interp in
            let (cols, rows) = try columns(a["table"], "bar()")
            let (w, h) = try size(a)
            let chart = try barChart(cols, rows, xName: try a.optionalString("x"), yNames: try names(a["y"], "y"), title: try a.optionalString("title"), width: w, height: h)
            return try write(chart.canvas, to: try a.optionalString("to"), session: session, interp: interp, show: try a.bool("show"), text: chart.text)
        })
        i.register(BuiltinFunction(
            "scatter", [Parameter("points"), Parameter("color", default: Value.none)] + common,
            summary: "A scatter plot to PNG of 2-D points (e.g. pca(x, 2)), coloured by cluster or group.",
            details: "points: an [n, 2] tensor (further columns are ignored) or a dataset's features. color: a clustering (kmeans(...)), a list of labels (data.sex, missing values shown as \"missing\") or a tensor of whole numbers.",
            example: "scatter(pca(data, 2), color=kmeans(data, k=3), to=\"clusters.png\")"
        ) { [unowned session] a, interp in
            var t: Tensor
            if case .object(let o) = a["points"], let d = o as? DatasetObject { t = d.data.features } else { t = try TensorBuiltins.tensor(from: a["points"], what: "points") }
            guard t.rank == 2, t.shape[1] >= 2 else { throw RuntimeError("scatter(): points must be [n, 2] (use pca(x, 2)), got shape \(formatShape(t.shape))") }
            let n = t.shape[0]
            let v = t.scalars
            var groups = [Int](repeating: 0, count: n), groupNames: [String] = []
            if !a.isNone("color") {
                var labels: [Int]
                var names: [String: Int] = [:]
                if case .list(let l) = a["color"], l.items.contains(where: { if case .string = $0 { return true }; return false }) {
                    labels = l.items.map { item in
                        let s = item.display
                        if let k = names[s] { return k }
                        names[s] = names.count
                        return names.count - 1
                    }
                    groupNames = names.sorted { $0.value < $1.value }.map(\.key)
                } else {
                    labels = try ClusterBuiltins.labels(a["color"], "color")
                    let distinct = Array(Set(labels)).sorted()
                    let remap = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
                    labels = labels.map { remap[$0]! }
                    groupNames = distinct.map { $0 < 0 ? "missing" : "cluster \($0)" }
                }
                guard labels.count == n else { throw RuntimeError("scatter(): \(labels.count) colours for \(n) points") }
                groups = labels
            }
            let (w, h) = try size(a)
            let xs = (0..<n).map { Double(v[$0 * t.shape[1]]) }, ys = (0..<n).map { Double(v[$0 * t.shape[1] + 1]) }
            let title = try a.optionalString("title") ?? "\(n) points"
            let canvas = Charts.scatter(x: xs, y: ys, groups: groups, groupNames: groupNames, title: title,
                                        xLabel: "component 1", yLabel: "component 2", width: w, height: h)
            return try write(canvas, to: try a.optionalString("to"), session: session, interp: interp, show: try a.bool("show")) { width, c in
                TerminalChart.scatter(x: xs, y: ys, groups: groups, groupNames: groupNames, title: title, width: width, colors: c)
            }
        })
        i.register(BuiltinFunction(
            "heatmap", [Parameter("matrix"), Parameter("rows", default: Value.none), Parameter("columns", default: Value.none)] + common,
            summary: "A heatmap to PNG with the values written in the cells (confusion or contingency tables).",
            details: "matrix: a 2-D tensor, a list of lists, or a table whose first column names the rows (confusion(y_true, y_pred, data), align(a, b).table). rows/columns override the labels.",
            example: "heatmap(confusion(test.labels, predict(p, test), test), to=\"confusion.png\")"
        ) { [unowned session] a, interp in
            var values: [[Double]]
            var tableRows: [String]? = nil, tableColumns: [String]? = nil
            if case .object(let o) = a["matrix"], let tbl = o as? TableObject {
                // A table such as confusion(...) or align(...).table: the first column names the rows.
                let t = tbl.table
                guard t.columns.count >= 2, t.rowCount > 0 else { throw RuntimeError("heatmap(): the table needs a label column and at least one column of numbers and one row") }
                values = (0..<t.rowCount).map { r in t.columns.indices.dropFirst().map { t.cell(r, $0).number ?? .nan } }
                tableRows = (0..<t.rowCount).map { r in
                    switch t.cell(r, 0) {
                    case .text(let s): return s
                    case .number(let v): return exactNumber(v)
                    case .missing: return ""
                    }
                }
                tableColumns = t.columns.dropFirst().map(\.label)
            } else {
                let t = try TensorBuiltins.tensor(from: a["matrix"], what: "matrix")
                guard t.rank == 2 else { throw RuntimeError("heatmap(): the matrix must be 2-D, got shape \(formatShape(t.shape))") }
                let s = t.scalars
                values = (0..<t.shape[0]).map { r in (0..<t.shape[1]).map { Double(s[r * t.shape[1] + $0]) } }
            }
            let rows = try names(a["rows"], "rows") ?? tableRows ?? values.indices.map(String.init)
            let columns = try names(a["columns"], "columns") ?? tableColumns ?? (values.first ?? []).indices.map(String.init)
            let (w, h) = try size(a)
            let title = try a.optionalString("title") ?? ""
            let canvas = Charts.heatmap(values, rows: rows, columns: columns, title: title, width: w, height: h)
            return try write(canvas, to: try a.optionalString("to"), session: session, interp: interp, show: try a.bool("show")) { width, _ in
                TerminalChart.heatmap(values, rows: rows, columns: columns, title: title, width: width)
            }
        })
    }
}

extension String {
    var replacingPercent: String { hasSuffix("%") ? String(dropLast()) : self }
}
