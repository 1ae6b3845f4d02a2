import Data
import Foundation
import Tensors

/// The JSON fixtures in Tests/FairnessTests/Fixtures, found from this file's location.
public enum FairnessFixtures {
    public static let directory = TestPaths.fixtures("FairnessTests")

    public static let names = ["binary", "multiclass", "domains"]

    public static func load(_ name: String) throws -> ReferenceFixture {
        let path = directory + "/\(name).json"
        guard let bytes = FileManager.default.contents(atPath: path) else { throw FixtureError.missing(path) }
        return try JSONDecoder().decode(ReferenceFixture.self, from: bytes)
    }
}

public enum FixtureError: Error { case missing(String) }

/// One fixture: the inputs, and what scikit-learn and fairlearn make of them.
public struct ReferenceFixture: Decodable {
    public struct AttributeInput: Decodable {
        public var name: String
        public var levels: [String]
        public var shortNames: [String]
        public var codes: [Int]
        enum CodingKeys: String, CodingKey { case name, levels, shortNames = "short_names", codes }
    }

    public struct Group: Decodable {
        public var domain: String, attribute: String, level: String
        public var n: Int
        public var scores: [String: Double?]
        public var positiveTPR: Double?, positiveFPR: Double?
        enum CodingKeys: String, CodingKey {
            case domain, attribute, level, n, scores, positiveTPR = "positive_tpr", positiveFPR = "positive_fpr"
        }
    }

    public struct Undefined: Decodable {
        public var domain: String, attribute: String, level: String
        public var metrics: [String]
    }

    public struct Spread: Decodable {
        public var domain: String, attribute: String, metric: String
        public var gap: Double, sigma: Double, mean: Double
        public var groups: Int
    }

    public struct Difference: Decodable {
        public var domain: String, attribute: String
        public var values: [String: Double?]
    }

    public struct Differences: Decodable {
        public var betweenGroups: [Difference], toOverall: [Difference]
        enum CodingKeys: String, CodingKey { case betweenGroups = "between_groups", toOverall = "to_overall" }
    }

    public struct CalibrationGroup: Decodable {
        public var domain: String, attribute: String, level: String
        public var ece: Double?, brier: Double?
    }

    public struct Calibration: Decodable {
        public var overall: [String: Double?]
        public var groups: [CalibrationGroup]
    }

    public struct Expected: Decodable {
        public var overall: [String: Double?]
        public var groups: [Group]
        public var undefined: [Undefined]
        public var spreads: [Spread]
        public var difference: Differences
        public var ratio: Differences
        public var calibration: Calibration
        public var table: [String: Double?]
    }

    public var name: String
    public var classNames: [String]
    public var domainNames: [String]
    public var attributes: [AttributeInput]
    public var domains: [Int]
    public var yTrue: [Int], yPred: [Int]
    public var yProb: [[Double]]
    public var expected: Expected

    enum CodingKeys: String, CodingKey {
        case name, classNames = "class_names", domainNames = "domain_names", attributes, domains
        case yTrue = "y_true", yPred = "y_pred", yProb = "y_prob", expected
    }

    /// The fixture's rows as a dataset (labels are the ground truth).
    public func dataset() throws -> Dataset {
        try makeDataset(labels: yTrue, classNames: classNames,
                        attributes: attributes.map { Attribute(name: $0.name, levels: $0.levels, shortNames: $0.shortNames, codes: $0.codes) },
                        domains: domains, domainNames: domainNames, name: name)
    }
}

/// A dataset with one constant feature, for scoring predictions on its groups.
public func makeDataset(labels: [Int], classNames: [String], attributes: [Attribute],
                 domains: [Int]? = nil, domainNames: [String] = ["all"], name: String = "test") throws -> Dataset {
    let n = labels.count
    return Dataset(name: name, rawFeatures: try Tensor(shape: [n, 1], scalars: [Float](repeating: 1, count: n)),
                   featureNames: ["x"], numeric: [true], labels: labels, classNames: classNames,
                   attributes: attributes, domains: domains ?? [Int](repeating: 0, count: n), domainNames: domainNames,
                   ids: (0..<n).map { "row\($0)" }, groupIDs: nil)
}
