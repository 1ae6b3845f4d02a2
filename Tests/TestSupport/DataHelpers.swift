import Data
import Foundation
import Tensors

// Helpers shared by the Data, Cluster and builtin tests.


/// Paths of the committed fixtures (Tests/DataTests/Fixtures), found from this file's location.
public enum DataFixtures {
    public static let directory = TestPaths.fixtures("DataTests")

    /// The repository root.
    public static let repositoryRoot = TestPaths.packageRoot

    public static func csv(_ name: String) -> String { directory + "/csv/" + name }
    public static func png(_ name: String) -> String { directory + "/png/" + name }

    /// Points `dataset()` at the shipped tables. Every caller sets the same value.
    public static func useShippedClinicalData() {
        setenv("FAIRGRPO_DATA", repositoryRoot + "/data/clinical", 1)
    }
}

/// The roles used with the patients*.csv fixtures.
public func patientRoles(delimiter: UInt8? = nil) -> CSVRoles {
    var roles = CSVRoles(label: "label")
    roles.attributes = ["sex", "age"]
    roles.domain = "site"
    roles.id = "id"
    roles.groupID = "patient"
    roles.delimiter = delimiter
    return roles
}

/// Per-row level names of an attribute ("" where missing).
public func levelNames(_ a: Attribute) -> [String] { a.codes.map { $0 < 0 ? "" : a.levels[$0] } }

/// Per-row domain names.
public func domainNames(_ d: Dataset) -> [String] { d.domains.map { d.domainNames[$0] } }

/// A [n, d] tensor from rows of doubles (stored as Float32).
public func matrix(_ rows: [[Double]]) throws -> Tensor {
    try Tensor(rows.map { $0.map(Float.init) })
}

/// |a − b| ≤ atol + rtol·|b|.
public func close(_ a: Double, _ b: Double, rtol: Double = 0, atol: Double) -> Bool {
    abs(a - b) <= atol + rtol * abs(b)
}

/// A number with four decimals, as the builtins print it.
public func fixed(_ v: Double) -> String { String(format: "%.4f", v) }
