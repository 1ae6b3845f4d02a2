/// Reverse-mode automatic differentiation.
///
/// Each differentiable operation calls one of the `record` functions below
/// with its backward rule, written next to its forward code. Recording
/// happens only when gradient mode is on and at least one input requires a
/// gradient, so inference pays nothing for autodiff.
public enum Autodiff {
    @TaskLocal static var gradientsEnabled = true

    /// Whether operations currently record for backpropagation.
    public static var isRecording: Bool { gradientsEnabled }

    /// Runs `body` with recording switched off (inference, optimizer updates).
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try $gradientsEnabled.withValue(false) { try body() }
    }
}

extension Tensor {
    /// Whether gradients flow back to (or through) this tensor.
    public var requiresGrad: Bool { node != nil }

    /// This tensor as a leaf that accumulates a gradient in `grad`.
    public func requiringGrad(_ name: String = "leaf") -> Tensor {
        Tensor(shape: shape, storage: storage, node: GradNode(leafNamed: name))
    }

    /// The same values, cut off from the autodiff graph.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// The gradient accumulated by `backward()`, for leaves (and for any
    /// tensor whose node still holds one).
    public var grad: Tensor? { node?.grad }

    /// Multiplies the accumulated gradient in place (gradient clipping).
    public func scaleGradient(by factor: Float) {
        guard let node, var g = node.grad else { return }
        node.grad = nil  // so the multiply below does not copy
        g.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= factor } }
        node.grad = g
    }

    /// Clears the accumulated gradient of a leaf.
    public func zeroGrad() { node?.grad = nil }

    /// Backpropagates from this scalar: fills `grad` of every leaf it depends on,
    /// adding to gradients already there. The recorded graph is released.
    public func backward() throws {
        guard count == 1 else {
            throw TensorError.invalidArgument(
                "backward(): the output must be a scalar, got shape \(formatShape(shape)); reduce it first (sum or mean)")
        }
        guard let root = node else {
            throw TensorError.invalidArgument(
                "backward(): this tensor does not depend on any tensor that requires a gradient")
        }
        try Autodiff.withoutGradients {
            root.accumulate(Tensor.ones(shape))
            for node in topologicalOrder(from: root).reversed() {
                guard let rule = node.backwardRule, let g = node.grad else { continue }
                let inputGrads = try rule(g)
                for (input, ig) in zip(node.inputs, inputGrads) {
                    if let input, let ig { input.accumulate(ig) }
                }
                node.backwardRule = nil
                node.grad = nil
            }
        }
    }

    /// Nodes reachable from `root`, each after all of its inputs.
    private func topologicalOrder(from root: GradNode) -> [GradNode] {
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Bool)] = [(root, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for case let input? in node.inputs where !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    // MARK: Recording

    /// Records a one-input operation. `rule` maps the output gradient to the
    /// input gradient.
    @inline(__always)
    func recorded(_ name: String, _ a: Tensor, _ rule: @escaping (Tensor) throws -> Tensor) -> Tensor {
        guard let na = a.node, Autodiff.gradientsEnabled else { return self }
        var out = self
        out.node = GradNode(name: name, inputs: [na]) { g in [try rule(g)] }
        return out
    }

    /// Records a two-input operation. `rule` receives the output gradient and
    /// which inputs need gradients, and returns both (nil where not needed).
    @inline(__always)
    func recorded(
        _ name: String, _ a: Tensor, _ b: Tensor,
        _ rule: @escaping (Tensor, Bool, Bool) throws -> (Tensor?, Tensor?)
    ) -> Tensor {
        guard a.node != nil || b.node != nil, Autodiff.gradientsEnabled else { return self }
        let needA = a.node != nil, needB = b.node != nil
        var out = self
        out.node = GradNode(name: name, inputs: [a.node, b.node]) { g in
            let (ga, gb) = try rule(g, needA, needB)
            return [ga, gb]
        }
        return out
    }

    /// Records an operation over any number of inputs.
    func recorded(_ name: String, _ inputs: [Tensor], _ rule: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard inputs.contains(where: { $0.node != nil }), Autodiff.gradientsEnabled else { return self }
        var out = self
        out.node = GradNode(name: name, inputs: inputs.map(\.node), backward: rule)
        return out
    }
}
