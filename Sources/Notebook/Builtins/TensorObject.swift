import Lang
import Tensors

/// A tensor as a language value: arithmetic with broadcasting, `@`,
/// comparisons, NumPy-style indexing, members (`shape`, `T`, `grad`, `sum()`, …).
public final class TensorObject: LangObject {
    public let tensor: Tensor
    public init(_ tensor: Tensor) { self.tensor = tensor }

    public var typeName: String { "tensor" }
    public func render() -> String { tensor.description }
    public func length() -> Int? { tensor.rank == 0 ? nil : tensor.shape[0] }

    public func iterationValues() throws -> [Value]? {
        guard tensor.rank > 0 else { throw RuntimeError("cannot iterate over a scalar tensor") }
        return try (0..<tensor.shape[0]).map { .object(TensorObject(try tensor.sliced([.index($0)]))) }
    }

    public func truthiness() throws -> Bool? {
        guard tensor.count == 1 else {
            throw RuntimeError("the truth value of a tensor with \(tensor.count) elements is ambiguous; use .sum(), .max() or compare elements")
        }
        return try tensor.item() != 0
    }

    public func equals(_ other: Value) -> Bool? {
        guard case .object(let o) = other, let t = o as? TensorObject else { return false }
        return t.tensor == tensor
    }

    static let unaryNames = ["exp", "log", "sqrt", "tanh", "relu", "sigmoid", "gelu", "abs", "softmax", "log_softmax"]

    public var memberNames: [String] {
        ["shape", "rank", "size", "T", "grad", "requires_grad", "item", "tolist", "sum", "mean", "max", "argmax",
         "logsumexp", "reshape", "transpose", "backward", "detach", "zero_grad"] + TensorObject.unaryNames
    }

    public func member(_ name: String) throws -> Value? {
        let t = tensor
        switch name {
        case "shape": return .list(t.shape.map { .number(Double($0)) })
        case "rank": return .number(Double(t.rank))
        case "size": return .number(Double(t.count))
        case "T": return .object(TensorObject(try t.transposed()))
        case "grad": return t.grad.map { .object(TensorObject($0)) } ?? Value.none
        case "requires_grad": return .bool(t.requiresGrad)
        case "item": return method(name) { _ in .number(Double(try t.item())) }
        case "tolist": return method(name) { _ in TensorObject.toValue(t) }
        case "backward": return method(name) { _ in try t.backward(); return .none }
        case "detach": return method(name) { _ in .object(TensorObject(t.detached())) }
        case "zero_grad": return method(name) { _ in t.zeroGrad(); return .none }
        case "sum", "mean", "max", "argmax", "logsumexp":
            return method(name, [Parameter("axis", default: Value.none), Parameter("keepdims", default: .bool(false))]) { a in
                .object(TensorObject(try TensorBuiltins.reduce(name, t, axis: try a.optionalInteger("axis"), keepDims: try a.bool("keepdims"))))
            }
        case "reshape":
            return method(name, [Parameter("shape")]) { a in .object(TensorObject(try t.reshaped(try TensorBuiltins.shape(a["shape"])))) }
        case "transpose":
            return method(name, [Parameter("axes", default: Value.none)]) { a in
                if a.isNone("axes") { return .object(TensorObject(try t.transposed())) }
                return .object(TensorObject(try t.permuted(try TensorBuiltins.shape(a["axes"]))))
            }
        case _ where TensorObject.unaryNames.contains(name):
            return method(name) { _ in .object(TensorObject(try t.unaryThrowing(name))) }
        default: return nil
        }
    }

    private func method(_ name: String, _ parameters: [Parameter] = [], _ body: @escaping (Arguments) throws -> Value) -> Value {
        .function(BoundMethod(name, parameters) { a, _ in try body(a) })
    }

    public func binary(_ op: BinaryOperator, _ other: Value, selfOnLeft: Bool) throws -> Value? {
        guard let o = try? TensorBuiltins.tensor(from: other, what: "operand") else { return nil }
        let (a, b) = selfOnLeft ? (tensor, o) : (o, tensor)
        let r: Tensor
        switch op {
        case .add: r = try a + b
        case .subtract: r = try a - b
        case .multiply: r = try a * b
        case .divide: r = try a / b
        case .matmul: r = try a.matmul(b)
        case .power:
            guard b.count == 1 else { throw RuntimeError("'**' on tensors needs a number exponent") }
            r = a.pow(try b.item())
        case .less: r = try a.compared(.less, b)
        case .lessEqual: r = try a.compared(.lessEqual, b)
        case .greater: r = try a.compared(.greater, b)
        case .greaterEqual: r = try a.compared(.greaterEqual, b)
        case .equal: r = try a.compared(.equal, b)
        case .notEqual: r = try a.compared(.notEqual, b)
        case .modulo, .in: return nil
        }
        return .object(TensorObject(r))
    }

    public func negated() throws -> Value? { .object(TensorObject(-tensor)) }

    public func subscripted(_ index: [SubscriptValue]) throws -> Value? {
        let components: [Tensor.SliceComponent] = try index.map { s in
            switch s {
            case .value(let v):
                guard case .number(let d) = v, d == d.rounded(), Swift.abs(d) < 9e15 else {
                    throw RuntimeError("tensor indices must be whole numbers or slices, got \(v.typeName)")
                }
                return .index(Int(d))
            case let .slice(start, end, step): return .range(start: start, end: end, step: step ?? 1)
            }
        }
        let r = try tensor.sliced(components)
        return .object(TensorObject(r))
    }

    /// A tensor as nested lists of numbers (a number for a scalar).
    static func toValue(_ t: Tensor) -> Value {
        let values = t.scalars
        func build(_ axis: Int, _ offset: Int) -> Value {
            if axis == t.rank { return .number(Double(values[offset])) }
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            return .list((0..<t.shape[axis]).map { build(axis + 1, offset + $0 * stride) })
        }
        return build(0, 0)
    }
}

extension Tensor {
    /// The unary operation of that language name.
    func unary(_ name: String) -> Tensor { (try? unaryThrowing(name)) ?? self }

    func unaryThrowing(_ name: String) throws -> Tensor {
        switch name {
        case "exp": return exp()
        case "log": return log()
        case "sqrt": return sqrt()
        case "tanh": return tanh()
        case "relu": return relu()
        case "sigmoid": return sigmoid()
        case "gelu": return gelu()
        case "abs": return abs()
        case "softmax": return try softmax()
        case "log_softmax": return try logSoftmax()
        default: throw RuntimeError("unknown tensor operation '\(name)'")
        }
    }
}
