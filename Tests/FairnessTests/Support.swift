import Data
import Fairness
import Foundation
import Lang
import Notebook
import Tensors
import Testing
import TestSupport

// Shared helpers for the Fairness tests: the reference fixtures written by
// scripts/fairness_reference.py, small datasets built in code, and a
// notebook session whose output is collected.

/// The Fairness tests' fixtures (TestSupport's, shared with the builtin tests).
typealias Fixtures = FairnessFixtures

/// Whether two optional numbers agree: both missing, or both present within `tolerance`.
func agree(_ a: Double?, _ b: Double?, tolerance: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return x.isFinite && y.isFinite && abs(x - y) <= tolerance
    default: return false
    }
}

func describe(_ v: Double?) -> String { v.map { "\($0)" } ?? "nil" }


