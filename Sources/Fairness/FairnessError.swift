/// Why a fairness computation was rejected (labels, predictions and groups
/// that do not fit together, a bootstrap that cannot be drawn), in the
/// library's terms: the language's binding layer adds the builtin's name
/// and the call's place.
public struct FairnessError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
