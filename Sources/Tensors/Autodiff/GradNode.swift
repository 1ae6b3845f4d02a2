/// One recorded operation in the autodiff graph, or a leaf (a tensor the user
/// asked gradients for).
///
/// A node keeps the nodes of its differentiable inputs and a closure that maps
/// the gradient of its output to gradients of those inputs. The closure
/// captures whatever the forward pass saved (inputs, outputs, masks).
final class GradNode: @unchecked Sendable {
    /// Input nodes, in the order the backward closure returns gradients;
    /// `nil` for inputs that need no gradient.
    let inputs: [GradNode?]
    /// Output gradient -> input gradients (same order as `inputs`). `nil` for leaves,
    /// and released after `backward()` has used it.
    var backwardRule: ((Tensor) throws -> [Tensor?])?
    /// Accumulated gradient of the output of this node.
    var grad: Tensor?
    let isLeaf: Bool
    /// The operation's name, for error messages and debugging.
    let name: String

    init(leafNamed name: String = "leaf") {
        self.inputs = []
        self.backwardRule = nil
        self.isLeaf = true
        self.name = name
    }

    init(name: String, inputs: [GradNode?], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.inputs = inputs
        self.backwardRule = backward
        self.isLeaf = false
        self.name = name
    }

    /// Adds `g` into this node's gradient.
    func accumulate(_ g: Tensor) {
        if var existing = grad {
            grad = nil  // drop our reference so the add can happen in place
            existing.addInPlace(g)
            grad = existing
        } else {
            grad = g
        }
    }
}
