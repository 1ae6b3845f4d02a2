import Testing

/// Expects |actual − expected| ≤ tolerance, element by element (NaN matches NaN).
public func expectNear(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12, _ what: String = "",
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || a == e || abs(a - e) <= tolerance
        if !ok {
            Issue.record("\(what)[\(i)]: got \(a), expected \(e) (difference \(abs(a - e)) > \(tolerance))", sourceLocation: sourceLocation)
        }
    }
}

public func expectNear(_ actual: Double, _ expected: Double, tolerance: Double = 1e-12, _ what: String = "",
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    expectNear([actual], [expected], tolerance: tolerance, what, sourceLocation: sourceLocation)
}
