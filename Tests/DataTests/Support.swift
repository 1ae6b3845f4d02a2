import Data
import Foundation
import Lang
import Notebook
import Tensors
import Testing
import TestSupport

/// The Data tests' fixtures (TestSupport's, shared with the builtin tests).
typealias Fixtures = DataFixtures

// Shared helpers for the Data tests: where the fixtures are, temporary
// directories, comparing datasets, and running builtins through a session.



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


/// Per-row class names.
func classNames(_ d: Dataset) -> [String] { d.labels.map { d.classNames[$0] } }


/// Column `c` of the raw features.
func rawColumn(_ d: Dataset, _ c: Int) -> [Double] { rows(d.rawFeatures).map { $0[c] } }

/// Counts of each value.
func histogram<T: Hashable>(_ values: [T]) -> [T: Int] { values.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

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
