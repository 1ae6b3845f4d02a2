import Data
import Foundation
import Lang
import Notebook
import Tensors
import Testing

// Shared helpers for the Data tests: where the fixtures are, temporary
// directories, comparing datasets, and running builtins through a session.

/// Paths of the committed fixtures (Tests/DataTests/Fixtures), found from this file's location.
enum Fixtures {
    static let directory: String = {
        let file = "\(#filePath)"
        return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    /// The repository root (two levels above Tests/DataTests).
    static let repositoryRoot: String = {
        var dir = directory
        for _ in 0..<3 { dir = String(dir[..<dir.lastIndex(of: "/")!]) }
        return dir
    }()

    static func csv(_ name: String) -> String { directory + "/csv/" + name }
    static func png(_ name: String) -> String { directory + "/png/" + name }

    /// Points `dataset()` at the shipped tables. Every caller sets the same value.
    static func useShippedClinicalData() {
        setenv("FAIRGRPO_DATA", repositoryRoot + "/data/clinical", 1)
    }
}

/// A fresh directory under /tmp, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = "/tmp/fairgrpo-data-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws -> String {
        try FileIO.writeAtomically(Array(text.utf8), to: file(name))
        return file(name)
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        try FileIO.writeAtomically(bytes, to: file(name))
        return file(name)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// The roles used with the patients*.csv fixtures.
func patientRoles(delimiter: UInt8? = nil) -> CSVRoles {
    var roles = CSVRoles(label: "label")
    roles.attributes = ["sex", "age"]
    roles.domain = "site"
    roles.id = "id"
    roles.groupID = "patient"
    roles.delimiter = delimiter
    return roles
}

/// Row-major values of a 2-D tensor as doubles.
func rows(_ t: Tensor) -> [[Double]] {
    let d = t.shape[1]
    let s = t.scalars.map(Double.init)
    return (0..<t.shape[0]).map { r in Array(s[r * d..<(r + 1) * d]) }
}

/// Equal with NaN matching NaN.
func sameValues(_ a: [Double], _ b: [Double], tolerance: Double = 0) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { x, y in (x.isNaN && y.isNaN) || abs(x - y) <= tolerance }
}

/// Per-row level names of an attribute ("" where missing).
func levelNames(_ a: Attribute) -> [String] { a.codes.map { $0 < 0 ? "" : a.levels[$0] } }

/// Per-row class names.
func classNames(_ d: Dataset) -> [String] { d.labels.map { d.classNames[$0] } }

/// Per-row domain names.
func domainNames(_ d: Dataset) -> [String] { d.domains.map { d.domainNames[$0] } }

/// Column `c` of the raw features.
func rawColumn(_ d: Dataset, _ c: Int) -> [Double] { rows(d.rawFeatures).map { $0[c] } }

/// Counts of each value.
func histogram<T: Hashable>(_ values: [T]) -> [T: Int] { values.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

/// A notebook session whose printed output is collected.
final class Transcript {
    let session: Session
    private(set) var text = ""

    init() {
        let box = Box()
        session = Session(sink: { box.text += $0 })
        self.box = box
    }

    private let box: Box
    private final class Box { var text = "" }

    /// Runs one cell and returns what it printed (including errors) and its status.
    @discardableResult
    func run(_ code: String) -> (status: Session.Status, output: String) {
        let before = box.text.count
        let status = session.execute(code, echo: false)
        let output = String(box.text.dropFirst(before))
        text = box.text
        return (status, output)
    }

    func value(_ name: String) -> Value? { session.interpreter.value(of: name) }

    func dataset(_ name: String) -> Dataset? {
        guard case .object(let o)? = value(name), let d = o as? DatasetObject else { return nil }
        return d.data
    }
}

/// Holds a result handed over from another thread.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
    let done = DispatchSemaphore(value: 0)
}

/// Runs `body` on a thread of its own and waits up to `seconds` for it; nil when it has
/// not returned by then (it is left running: a hang fails one test, not the whole run).
func withDeadline<T>(_ seconds: Double, _ body: @escaping @Sendable () -> T) -> T? {
    let box = ResultBox<T>()
    Thread.detachNewThread {
        box.value = body()
        box.done.signal()
    }
    guard box.done.wait(timeout: .now() + seconds) == .success else { return nil }
    return box.value
}
