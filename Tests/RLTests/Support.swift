import Data
import Foundation
import Lang
import Notebook
import RL
import Tensors
import Testing

// Shared helpers for the RL tests: exact-ish comparison of doubles, small
// hand-made datasets, temporary files, and a notebook session whose output
// is collected.

/// Sample (n − 1) standard deviation, written out independently of the library.
func sampleStd(_ v: [Double]) -> Double {
    let m = v.reduce(0, +) / Double(v.count)
    return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
}

/// A labelled prompt.
func prompt(_ domain: String, _ group: String?, _ rewards: [Double]) -> FairWeighting.Prompt {
    FairWeighting.Prompt(domain: domain, group: group, rewards: rewards)
}

/// A small dataset built by hand: `features` rows, labels, one attribute
/// `sex` (codes into ["F", "M"], −1 missing) and domains.
func makeDataset(features: [[Float]], labels: [Int], classes: [String], sex: [Int], domains: [Int],
                 domainNames: [String], name: String = "toy") throws -> Dataset {
    let n = features.count, d = features[0].count
    let x = try Tensor(shape: [n, d], scalars: features.flatMap { $0 })
    let attribute = Attribute(name: "sex", levels: ["F", "M"], shortNames: ["F", "M"], codes: sex)
    return Dataset(name: name, rawFeatures: x, featureNames: (0..<d).map { "x\($0)" }, numeric: [Bool](repeating: true, count: d),
                   labels: labels, classNames: classes, attributes: [attribute], domains: domains, domainNames: domainNames,
                   ids: (0..<n).map { "\(name)-\($0)" }, groupIDs: nil)
}

/// A linearly separable two-class problem: label 1 exactly when x0 + x1 > 0,
/// with a margin of 0.5 around the boundary; two domains, two sexes.
func separableDataset(n: Int, seed: UInt64) throws -> Dataset {
    var rng = SeededGenerator(seed: seed)
    var rows: [[Float]] = [], labels: [Int] = []
    while rows.count < n {
        let a = Float(rng.nextUnitDouble() * 4 - 2), b = Float(rng.nextUnitDouble() * 4 - 2)
        guard abs(a + b) > 0.5 else { continue }
        rows.append([a, b, Float(rng.nextUnitDouble())])
        labels.append(a + b > 0 ? 1 : 0)
    }
    return try makeDataset(features: rows, labels: labels, classes: ["neg", "pos"],
                           sex: (0..<n).map { $0 % 3 == 0 ? 0 : 1 }, domains: (0..<n).map { $0 % 4 == 0 ? 1 : 0 },
                           domainNames: ["site_a", "site_b"], name: "separable")
}

