import Data
import Lang
import Notebook

/// A notebook session whose printed output is collected: how tests run
/// language cells and builtins as a person at the REPL would.
public final class Transcript {
    public let session: Session
    private final class Box { var text = "" }
    private let box = Box()
    private let echoByDefault: Bool

    /// With `echo`, cells print the value of a final expression as the REPL does (unless `run` says otherwise).
    public init(echo: Bool = false) {
        let box = self.box
        echoByDefault = echo
        session = Session(sink: { box.text += $0 })
    }

    /// Everything printed so far.
    public var text: String { box.text }

    /// Runs one cell and returns its status and what it printed (including errors).
    @discardableResult
    public func run(_ code: String, echo: Bool? = nil) -> (status: Session.Status, output: String) {
        let before = box.text.count
        let status = session.execute(code, echo: echo ?? echoByDefault)
        return (status, String(box.text.dropFirst(before)))
    }

    public func value(_ name: String) -> Value? { session.interpreter.value(of: name) }
    public func define(_ name: String, _ value: Value) { session.interpreter.define(name, value) }

    /// A number variable, or nil.
    public func number(_ name: String) -> Double? {
        guard case .number(let d)? = value(name) else { return nil }
        return d
    }

    /// A dataset variable, or nil.
    public func dataset(_ name: String) -> Dataset? {
        guard case .object(let o)? = value(name), let d = o as? DatasetObject else { return nil }
        return d.data
    }
}

/// The numbers in printed text ("[1, 2.0, 3]" → [1, 2, 3]).
public func numbers(_ text: String) -> [Double] {
    text.split(whereSeparator: { " ,[]()\n".contains($0) }).compactMap { Double($0) }
}

/// Printed output as the lines it was before fitting to the terminal: a step's
/// log line broken at its " | " fields, or a warning broken at spaces, is one
/// line again (continuation lines are indented).
public func logicalLines(_ output: String) -> [String] {
    var lines: [String] = []
    for line in output.split(separator: "\n").map(String.init) {
        if line.hasPrefix(" "), let previous = lines.last {
            let joiner = previous.hasPrefix("warning") ? " " : " | "
            lines[lines.count - 1] = previous + joiner + line.trimmingCharacters(in: .whitespaces)
        } else {
            lines.append(line)
        }
    }
    return lines
}

/// Output with wrapped error messages joined back into one line each: errors
/// wrap between words at the display width, continuing with a two-space indent.
public func unwrapped(_ output: String) -> String {
    output.replacingOccurrences(of: "\n  ", with: " ")
}
