import Data
import Fairness
import Foundation
import Lang
import Notebook
import Tensors
import Testing

// Shared helpers for the Fairness tests: the reference fixtures written by
// scripts/fairness_reference.py, small datasets built in code, and a
// notebook session whose output is collected.

/// The JSON fixtures in Tests/FairnessTests/Fixtures, found from this file's location.
enum Fixtures {
    static let directory: String = {
        let file = "\(#filePath)"
        return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    static let names = ["binary", "multiclass", "domains"]

    static func load(_ name: String) throws -> ReferenceFixture {
        let path = directory + "/\(name).json"
        guard let bytes = FileManager.default.contents(atPath: path) else { throw FixtureError.missing(path) }
        return try JSONDecoder().decode(ReferenceFixture.self, from: bytes)
    }
}

enum FixtureError: Error { case missing(String) }

/// One fixture: the inputs, and what scikit-learn and fairlearn make of them.
struct ReferenceFixture: Decodable {
    struct AttributeInput: Decodable {
        var name: String
        var levels: [String]
        var shortNames: [String]
        var codes: [Int]
        enum CodingKeys: String, CodingKey { case name, levels, shortNames = "short_names", codes }
    }

    struct Group: Decodable {
        var domain: String, attribute: String, level: String
        var n: Int
        var scores: [String: Double?]
        var positiveTPR: Double?, positiveFPR: Double?
        enum CodingKeys: String, CodingKey {
            case domain, attribute, level, n, scores, positiveTPR = "positive_tpr", positiveFPR = "positive_fpr"
        }
    }

    struct Undefined: Decodable {
        var domain: String, attribute: String, level: String
        var metrics: [String]
    }

    struct Spread: Decodable {
        var domain: String, attribute: String, metric: String
        var gap: Double, sigma: Double, mean: Double
        var groups: Int
    }

    struct Difference: Decodable {
        var domain: String, attribute: String
        var values: [String: Double?]
    }

    struct Differences: Decodable {
        var betweenGroups: [Difference], toOverall: [Difference]
        enum CodingKeys: String, CodingKey { case betweenGroups = "between_groups", toOverall = "to_overall" }
    }

    struct CalibrationGroup: Decodable {
        var domain: String, attribute: String, level: String
        var ece: Double?, brier: Double?
    }

    struct Calibration: Decodable {
        var overall: [String: Double?]
        var groups: [CalibrationGroup]
    }

    struct Expected: Decodable {
        var overall: [String: Double?]
        var groups: [Group]
        var undefined: [Undefined]
        var spreads: [Spread]
        var difference: Differences
        var ratio: Differences
        var calibration: Calibration
        var table: [String: Double?]
    }

    var name: String
    var classNames: [String]
    var domainNames: [String]
    var attributes: [AttributeInput]
    var domains: [Int]
    var yTrue: [Int], yPred: [Int]
    var yProb: [[Double]]
    var expected: Expected

    enum CodingKeys: String, CodingKey {
        case name, classNames = "class_names", domainNames = "domain_names", attributes, domains
        case yTrue = "y_true", yPred = "y_pred", yProb = "y_prob", expected
    }

    /// The fixture's rows as a dataset (labels are the ground truth).
    func dataset() throws -> Dataset {
        try makeDataset(labels: yTrue, classNames: classNames,
                        attributes: attributes.map { Attribute(name: $0.name, levels: $0.levels, shortNames: $0.shortNames, codes: $0.codes) },
                        domains: domains, domainNames: domainNames, name: name)
    }
}

/// A dataset with one constant feature, for scoring predictions on its groups.
func makeDataset(labels: [Int], classNames: [String], attributes: [Attribute],
                 domains: [Int]? = nil, domainNames: [String] = ["all"], name: String = "test") throws -> Dataset {
    let n = labels.count
    return Dataset(name: name, rawFeatures: try Tensor(shape: [n, 1], scalars: [Float](repeating: 1, count: n)),
                   featureNames: ["x"], numeric: [true], labels: labels, classNames: classNames,
                   attributes: attributes, domains: domains ?? [Int](repeating: 0, count: n), domainNames: domainNames,
                   ids: (0..<n).map { "row\($0)" }, groupIDs: nil)
}

/// Whether two optional numbers agree: both missing, or both present within `tolerance`.
func agree(_ a: Double?, _ b: Double?, tolerance: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return x.isFinite && y.isFinite && abs(x - y) <= tolerance
    default: return false
    }
}

func describe(_ v: Double?) -> String { v.map { "\($0)" } ?? "nil" }

/// A notebook session whose printed output is collected.
final class Transcript {
    let session: Session
    private let box: Box
    private final class Box { var text = "" }

    init() {
        let box = Box()
        session = Session(sink: { box.text += $0 })
        self.box = box
    }

    /// Runs one cell, echoing the last expression as the REPL does; returns what it printed.
    @discardableResult
    func run(_ code: String, echo: Bool = true) -> (status: Session.Status, output: String) {
        let before = box.text.count
        let status = session.execute(code, echo: echo)
        return (status, String(box.text.dropFirst(before)))
    }

    func define(_ name: String, _ value: Value) { session.interpreter.define(name, value) }
    func value(_ name: String) -> Value? { session.interpreter.value(of: name) }
}

/// A fresh directory under /tmp, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = "/tmp/fairgrpo-fairness-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}
