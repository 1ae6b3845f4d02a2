/// Bad input to a tensor operation: shapes that do not fit, an axis or index
/// out of range, an argument outside its domain. The message names what was
/// given and what was expected, so it can be shown to a user as it is.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// `op` received shapes that cannot be combined.
    case shapeMismatch(op: String, [Int], [Int], reason: String)
    /// An axis outside `-rank..<rank`.
    case invalidAxis(op: String, axis: Int, rank: Int)
    /// An index outside its dimension.
    case indexOutOfRange(op: String, index: Int, size: Int)
    /// Anything else, with a full sentence.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, a, b, reason):
            return "\(op): shapes \(formatShape(a)) and \(formatShape(b)) \(reason)"
        case let .invalidAxis(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .indexOutOfRange(op, index, size):
            return "\(op): index \(index) is out of range for a dimension of size \(size)"
        case let .invalidArgument(message):
            return message
        }
    }
}

/// `[2, 3]`, the way shapes appear in every message.
public func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// Normalises a possibly negative axis, or throws naming the operation.
@inline(__always)
func normalizedAxis(_ axis: Int, rank: Int, op: String) throws(TensorError) -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else { throw .invalidAxis(op: op, axis: axis, rank: rank) }
    return a
}
