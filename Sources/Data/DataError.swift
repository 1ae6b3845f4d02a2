/// Why a data file or a data operation was rejected. Every case names the
/// file and, where there is one, the line and column, and what was expected.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case malformed(file: String, line: Int, column: Int?, reason: String)
    case unknownColumn(file: String, role: String, name: String, available: [String])
    case invalidArgument(String)
    case badImage(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(file, line, column, reason):
            if let column { return "\(file):\(line):\(column): \(reason)" }
            return "\(file):\(line): \(reason)"
        case let .unknownColumn(file, role, name, available):
            return "\(file): \(role) column '\(name)' does not exist; the columns are: \(available.joined(separator: ", "))"
        case .invalidArgument(let message):
            return message
        case let .badImage(file, reason):
            return "\(file): \(reason)"
        }
    }
}
