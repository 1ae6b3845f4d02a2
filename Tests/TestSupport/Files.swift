import Foundation
import Tensors

/// A fresh directory under /tmp, removed by `cleanUp()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = "/tmp/fairgrpo-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` in the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) throws -> String {
        try FileIO.writeAtomically(bytes, to: file(name))
        return file(name)
    }

    public func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// Where the test sources are, found from this file's location.
public enum TestPaths {
    /// The package root (the folder holding Tests/).
    public static let packageRoot: String = {
        var dir = "\(#filePath)"
        for _ in 0..<3 { dir = String(dir[..<dir.lastIndex(of: "/")!]) }
        return dir
    }()

    /// A test target's committed fixtures: Tests/<target>/Fixtures.
    public static func fixtures(_ target: String) -> String { packageRoot + "/Tests/" + target + "/Fixtures" }
}
