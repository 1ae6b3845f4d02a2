import Tensors
import TestSupport
import Testing

/// The gradient checker and `expectClose` must fail when they should, or the
/// gradient tests above would pass vacuously.
@Suite("Test helpers detect errors")
struct CheckerSelfTests {
    @Test("a wrong backward rule is reported")
    func wrongGradient() throws {
        let x = randomTensor([2, 3], seed: 1)
        // Forward is x², but gradients flow through one factor only (x, not 2x).
        try withKnownIssue {
            try checkGradients([x], { try $0[0] * $0[0].detached() }) { x in x[0].map { $0 * $0 } }
        }
    }

    @Test("a wrong forward value is reported")
    func wrongForward() throws {
        let x = randomTensor([4], seed: 2)
        try withKnownIssue {
            try checkGradients([x], { $0[0].exp() }) { x in x[0].map { $0 * $0 } }
        }
    }

    @Test("expectClose reports differences beyond the tolerance and accepts those within")
    func closeness() {
        withKnownIssue { expectClose(Tensor([1, 2, 3]), Tensor([1, 2, 3.01])) }
        withKnownIssue { expectClose(Tensor([1, 2]), Tensor([1, 2, 3])) }
        withKnownIssue { expectClose(Float.nan, 1) }
        expectClose(Tensor([1, 2, 3]), Tensor([1, 2, 3.000001]))
        expectClose(Double.nan, .nan)
        let message = closenessFailure([1, 5, 3], [1, 2, 3.1], shape: [3], rtol: 1e-5, atol: 1e-6)
        #expect(message?.contains("worst at [1]") == true)
        #expect(message?.contains("2 of 3") == true)
    }
}
