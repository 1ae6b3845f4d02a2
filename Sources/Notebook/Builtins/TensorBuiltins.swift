import Render
import Lang
import Tensors

/// Tensor creation and operations as builtins.
enum TensorBuiltins {
    /// Converts a number, nested list of numbers, or tensor into a tensor.
    static func tensor(from v: Value, what: String) throws -> Tensor {
        switch v {
        case .number(let d): return Tensor(scalar: Float(d))
        case .bool(let b): return Tensor(scalar: b ? 1 : 0)
        case .object(let o):
            if let t = o as? TensorObject { return t.tensor }
        case .list:
            var shape: [Int] = []
            var flat: [Float] = []
            try flatten(v, depth: 0, shape: &shape, into: &flat)
            return try Tensor(shape: shape, scalars: flat)
        default: break
        }
        throw RuntimeError("\(what) must be a tensor, a number or a nested list of numbers, got \(v.typeName)")
    }

    private static func flatten(_ v: Value, depth: Int, shape: inout [Int], into flat: inout [Float]) throws {
        guard depth < 32 else { throw RuntimeError("tensor(): lists nested more than 32 deep") }
        switch v {
        case .number(let d):
            guard depth == shape.count else { throw RuntimeError("tensor(): ragged nested list (a number where a list was expected)") }
            flat.append(Float(d))
        case .bool(let b):
            guard depth == shape.count else { throw RuntimeError("tensor(): ragged nested list") }
            flat.append(b ? 1 : 0)
        case .list(let l):
            if depth == shape.count {
                guard flat.isEmpty || depth > 0 else { throw RuntimeError("tensor(): ragged nested list") }
                if depth == 0 || shape.count == depth { shape.append(l.items.count) }
            } else if depth > shape.count || shape[depth] != l.items.count {
                throw RuntimeError("tensor(): ragged nested list: rows of different lengths (\(shape.count > depth ? shape[depth] : 0) and \(l.items.count))")
            }
            for item in l.items { try flatten(item, depth: depth + 1, shape: &shape, into: &flat) }
        default:
            throw RuntimeError("tensor(): expected numbers, found \(v.typeName)")
        }
    }

    /// A shape from a number or a list of whole, non-negative numbers.
    static func shape(_ v: Value) throws -> [Int] {
        let items: [Value]
        switch v {
        case .number: items = [v]
        case .list(let l): items = l.items
        default: throw RuntimeError("a shape must be a list of whole numbers, got \(v.typeName)")
        }
        var total = 1
        let dims = try items.map { item -> Int in
            guard case .number(let d) = item, d == d.rounded(), d >= -1, d < 1e12 else {
                throw RuntimeError("a shape must be a list of whole numbers, got \(item.repr)")
            }
            return Int(d)
        }
        for d in dims where d > 0 {
            total = total.multipliedReportingOverflow(by: d).partialValue
            guard total <= 1 << 31 else { throw RuntimeError("shape \(formatShape(dims)) is too large (more than 2^31 elements)") }
        }
        return dims
    }

    static func creationShape(_ v: Value) throws -> [Int] {
        let s = try shape(v)
        guard s.allSatisfy({ $0 >= 0 }) else { throw RuntimeError("a shape cannot have negative dimensions: \(formatShape(s))") }
        return s
    }

    /// A shape given NumPy's two ways: `zeros(3, 4)` or `zeros([3, 4])`.
    static func variadicShape(_ a: Arguments) throws -> [Int] {
        let dims = try a.list("shape")
        if dims.count == 1, case .list = dims[0] { return try creationShape(dims[0]) }
        guard !dims.isEmpty else { throw RuntimeError("\(a.callee)() needs a shape, e.g. \(a.callee)(3, 4) or \(a.callee)([3, 4])") }
        return try creationShape(.list(dims))
    }

    static func reduce(_ name: String, _ t: Tensor, axis: Int?, keepDims: Bool) throws -> Tensor {
        switch (name, axis) {
        case ("sum", nil): return try t.sum()
        case ("mean", nil): return try t.mean()
        case ("max", nil): return try t.reshaped([-1]).max(axis: 0)
        case ("argmax", nil): return try t.reshaped([-1]).argmax(axis: 0)
        case ("logsumexp", nil): return try t.reshaped([-1]).logSumExp(axis: 0)
        case ("sum", let a?): return try t.sum(axis: a, keepDims: keepDims)
        case ("mean", let a?): return try t.mean(axis: a, keepDims: keepDims)
        case ("max", let a?): return try t.max(axis: a, keepDims: keepDims)
        case ("argmax", let a?): return try t.argmax(axis: a, keepDims: keepDims)
        case ("logsumexp", let a?): return try t.logSumExp(axis: a, keepDims: keepDims)
        default: throw RuntimeError("unknown reduction \(name)")
        }
    }

    static func register(in session: Session) {
        let i = session.interpreter
        func t(_ v: Tensor) -> Value { .object(TensorObject(v)) }

        i.register(BuiltinFunction(
            "tensor", [Parameter("data"), Parameter("requires_grad", default: .bool(false))],
            summary: "A Float32 tensor from a number or nested lists of numbers.",
            details: "With requires_grad=true, operations on it record gradients: call .backward() on a scalar result, then read .grad.",
            example: "x = tensor([[1, 2], [3, 4]], requires_grad=true)"
        ) { a, _ in
            let x = try tensor(from: a["data"], what: "data")
            return t(try a.bool("requires_grad") ? x.detached().requiringGrad() : x)
        })
        for (name, value) in [("zeros", Float(0)), ("ones", Float(1))] {
            i.register(BuiltinFunction(
                name, [.variadic("shape")], summary: "A tensor of \(name) of the given shape.",
                details: "The shape is given as numbers or as one list, as in NumPy: \(name)(2, 3) and \(name)([2, 3]) are the same.",
                example: "\(name)(2, 3)"
            ) { a, _ in t(Tensor.full(try variadicShape(a), value)) })
        }
        i.register(BuiltinFunction(
            "full", [Parameter("shape"), Parameter("value")], summary: "A tensor filled with one value.", example: "full([2, 2], 0.5)"
        ) { a, _ in t(Tensor.full(try creationShape(a["shape"]), Float(try a.number("value")))) })
        i.register(BuiltinFunction(
            "arange", CoreBuiltins.rangeParameters,
            summary: "Evenly spaced values from start (default 0) up to but not including stop, as numpy.arange.",
            example: "arange(5)"
        ) { a, _ in
            let (start, stop, step) = try CoreBuiltins.rangeBounds(a.number, a.optionalNumber, zero: 0.0)
            guard step != 0, ((stop - start) / step) < 1e9 else { throw RuntimeError("arange(): step must be non-zero and the range not enormous") }
            return t(try Tensor.arange(Float(start), Float(stop), step: Float(step)))
        })
        for (name, summary) in [("randn", "Samples from the standard normal distribution N(0, 1)."),
                                ("rand", "Samples uniformly from [0, 1).")] {
            i.register(BuiltinFunction(
                name, [.variadic("shape"), Parameter("seed", default: Value.none, kind: .keywordOnly)],
                summary: summary,
                details: "The shape is given as numbers or as one list, as in NumPy: \(name)(2, 3) and \(name)([2, 3]) are the same. Uses the session generator (see seed()) unless seed= is given (by keyword only).",
                example: "\(name)(2, 3, seed=0)"
            ) { [unowned session] a, _ in
                let shape = try variadicShape(a)
                var own = try a.optionalInteger("seed").map { SeededGenerator(seed: UInt64(truncatingIfNeeded: $0)) }
                func sample(_ g: inout SeededGenerator) -> Tensor {
                    name == "randn" ? Tensor.randomNormal(shape, using: &g) : Tensor.randomUniform(shape, using: &g)
                }
                if own != nil { return t(sample(&own!)) }
                return t(sample(&session.generator))
            })
        }
        i.register(BuiltinFunction(
            "matmul", [Parameter("a"), Parameter("b")], summary: "Matrix product of two 2-D tensors (also written a @ b).",
            example: "matmul(ones([2, 3]), ones([3, 4]))"
        ) { a, _ in t(try tensor(from: a["a"], what: "a").matmul(try tensor(from: a["b"], what: "b"))) })
        for name in ["argmax", "logsumexp"] {
            i.register(BuiltinFunction(
                name, [Parameter("x"), Parameter("axis", default: Value.none), Parameter("keepdims", default: .bool(false))],
                summary: "The \(name) of a tensor's elements, or along one axis.",
                example: "\(name)(tensor([[1, 2], [3, 4]]), axis=1)"
            ) { a, _ in
                t(try reduce(name, try tensor(from: a["x"], what: "x"), axis: try a.optionalInteger("axis"), keepDims: try a.bool("keepdims")))
            })
        }
        // sum, mean, max and min also work on plain lists of numbers (a table's columns), skipping missing values.
        for name in ["sum", "mean", "max", "min"] {
            i.register(BuiltinFunction(
                name, [Parameter("x"), Parameter("axis", default: Value.none), Parameter("keepdims", default: .bool(false))],
                summary: "The \(name) of a list of numbers (skipping none and NaN, as in a table's column), or of a tensor's elements (optionally along an axis).",
                details: "On a list, missing values (none) and NaN are left out, as pandas does; a list with no number left gives none\(name == "sum" ? " (sum gives 0)" : ""). Other items are an error.",
                example: "\(name)([1, none, 3]); \(name)(weights(t)[\"weight\"])" + (name == "min" ? "" : "; \(name)(tensor([[1, 2], [3, 4]]), axis=0)")
            ) { a, _ in
                if case .list(let l) = a["x"], a.isNone("axis") {
                    let numbers = try l.items.compactMap { v -> Double? in
                        switch v {
                        case .number(let d): return d
                        case .none: return nil
                        default: throw RuntimeError("\(name)(): the list must hold numbers (none is skipped), found \(v.typeName)")
                        }
                    }
                    let aggregate = Aggregate(rawValue: name)!
                    return aggregate.apply(numbers).map { .number($0) } ?? (name == "sum" ? .number(0) : Value.none)
                }
                let x = try tensor(from: a["x"], what: "x")
                if name == "min" {
                    guard a.isNone("axis") else { throw RuntimeError("min(): on a tensor, only without axis (use -max(-x, axis=...))") }
                    guard let m = x.scalars.min() else { throw RuntimeError("min(): empty tensor") }
                    return .number(Double(m))
                }
                return t(try reduce(name, x, axis: try a.optionalInteger("axis"), keepDims: try a.bool("keepdims")))
            })
        }
        for name in ["tanh", "relu", "sigmoid", "gelu", "softmax", "log_softmax"] {
            i.register(BuiltinFunction(
                name, [Parameter("x")], summary: "Elementwise \(name) of a tensor\(name.contains("softmax") ? " (along the last axis)" : "").",
                example: "\(name)(tensor([-1, 0, 1]))"
            ) { a, _ in t(try tensor(from: a["x"], what: "x").unaryThrowing(name)) })
        }
        i.register(BuiltinFunction(
            "reshape", [Parameter("x"), Parameter("shape")], summary: "The same elements in a new shape (one dimension may be -1).",
            example: "reshape(arange(6), [2, 3])"
        ) { a, _ in t(try tensor(from: a["x"], what: "x").reshaped(try shape(a["shape"]))) })
        i.register(BuiltinFunction(
            "transpose", [Parameter("x"), Parameter("axes", default: Value.none)],
            summary: "Matrix transpose, or the axes reordered.", example: "transpose(ones([2, 3]))"
        ) { a, _ in
            let x = try tensor(from: a["x"], what: "x")
            if a.isNone("axes") { return t(try x.transposed()) }
            return t(try x.permuted(try shape(a["axes"])))
        })
        for (name, join) in [("concat", true), ("stack", false)] {
            i.register(BuiltinFunction(
                name, [Parameter("tensors"), Parameter("axis", default: .number(0))],
                summary: join ? "Joins tensors along an existing axis, or tables by rows (columns matched by name)." : "Joins tensors of equal shape along a new axis.",
                details: join ? "Tables: concat([t1, t2]) gives t1's rows then t2's; a column one table lacks is missing (none) in its rows." : "",
                example: "\(name)([ones([2, 2]), zeros([2, 2])], axis=0)" + (join ? "; concat([weights(t1), weights(t2)])" : "")
            ) { a, _ in
                let items = try a.list("tensors")
                if join, let tables = TableBuiltins.tables(items) { return .object(TableObject(DataTable.concatenating(tables))) }
                let ts = try items.enumerated().map { try tensor(from: $1, what: "tensor \($0)") }
                let axis = try a.integer("axis")
                return t(join ? try Tensor.concatenate(ts, axis: axis) : try Tensor.stack(ts, axis: axis))
            })
        }
        i.register(BuiltinFunction(
            "where", [Parameter("condition"), Parameter("a"), Parameter("b")],
            summary: "Elementwise choice: a where condition is non-zero, else b (all broadcast).",
            example: "where(tensor([1, 0]), tensor([1, 2]), tensor([9, 9]))"
        ) { a, _ in
            t(try Tensor.where(try tensor(from: a["condition"], what: "condition"), try tensor(from: a["a"], what: "a"), try tensor(from: a["b"], what: "b")))
        })
        i.register(BuiltinFunction(
            "backward", [Parameter("loss")],
            summary: "Backpropagates from a scalar tensor: fills .grad of every tensor created with requires_grad=true.",
            example: "x = tensor([1, 2], requires_grad=true); backward((x * x).sum()); x.grad"
        ) { a, _ in try tensor(from: a["loss"], what: "loss").backward(); return .none })
    }
}
