/// Why a data file or a data operation was rejected, in the library's terms.
/// A file's problem names the file and, where there is one, the line and
/// column; an operation's (`invalidArgument`) says what was expected, and
/// the language's binding layer adds the builtin's name and the call's place.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case malformed(file: String, line: Int, column: Int?, reason: String)
    case unknownColumn(file: String, role: String, name: String, available: [String])
    case invalidArgument(String)
    /// A file that cannot be used as it is (an unreadable image, a table without a header, …).
    case badFile(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(file, line, column, reason):
            if let column { return "\(file):\(line):\(column): \(reason)" }
            return "\(file):\(line): \(reason)"
        case let .unknownColumn(file, role, name, available):
            return "\(file): \(role) column '\(name)' does not exist; the columns are: \(available.joined(separator: ", "))"
        case .invalidArgument(let message):
            return message
        case let .badFile(file, reason):
            return "\(file): \(reason)"
        }
    }
}
