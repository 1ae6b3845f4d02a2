import Foundation
import Tensors
import TestSupport
import Testing

@Suite("Autodiff behaviour")
struct AutodiffTests {
    @Test("gradients accumulate over two backward calls until zeroGrad")
    func accumulation() throws {
        let x = Tensor([1, -2, 3]).requiringGrad()
        try (x * 2).sum().backward()
        #expect(x.grad?.scalars == [2, 2, 2])
        try x.squared().sum().backward()
        #expect(x.grad?.scalars == [4, -2, 8])  // 2 + 2x
        x.zeroGrad()
        #expect(x.grad == nil)
        try (x * 3).sum().backward()
        #expect(x.grad?.scalars == [3, 3, 3])
    }

    @Test("withoutGradients records nothing")
    func withoutGradients() throws {
        let x = Tensor([1, 2]).requiringGrad()
        #expect(Autodiff.isRecording)
        let y = try Autodiff.withoutGradients {
            #expect(!Autodiff.isRecording)
            return try (x * x).sum()
        }
        #expect(Autodiff.isRecording)
        #expect(!y.requiresGrad)
        #expect(throws: TensorError.self) { try y.backward() }
        #expect(x.grad == nil)
        // Recording resumes outside the closure.
        #expect(try (x * x).sum().requiresGrad)
    }

    @Test("backward on a non-scalar throws and names the shape")
    func nonScalar() {
        let y = Tensor([1, 2, 3]).requiringGrad() * 2
        #expect {
            try y.backward()
        } throws: { error in
            (error as? TensorError)?.description.contains("[3]") == true
        }
    }

    @Test("backward on a one-element tensor of rank 2 is allowed")
    func oneElement() throws {
        let x = try Tensor([[2]]).requiringGrad()
        try (x * x).backward()
        #expect(x.grad?.scalars == [4])
    }

    @Test("a tensor used twice gets the summed gradient")
    func usedTwice() throws {
        let x = Tensor([3, -1]).requiringGrad()
        try (x * x).sum().backward()
        #expect(x.grad?.scalars == [6, -2])
        let y = Tensor([1, 2]).requiringGrad()
        // y feeds three paths: y + y·y + exp(0·y)
        try (y + y * y + (y * 0).exp()).sum().backward()
        #expect(y.grad?.scalars == [3, 5])
    }

    @Test("a diamond-shaped graph propagates every path once")
    func diamond() throws {
        let x = Tensor([0.5]).requiringGrad()
        let h = x * 3
        let y = try h * h + h.exp()  // d/dx = 2·9x + 3e^{3x}
        try y.sum().backward()
        expectClose(try #require(x.grad).scalars, [Float(9 + 3 * Foundation.exp(1.5))], rtol: 1e-6)
    }

    @Test("detached stops gradients")
    func detached() throws {
        let x = Tensor([2, 3]).requiringGrad()
        let y = try x * x.detached()  // gradient is x only through the first factor
        try y.sum().backward()
        #expect(x.grad?.scalars == [2, 3])
        #expect(!x.detached().requiresGrad)
        #expect(x.detached().grad == nil)
        #expect(x.detached() == x)
    }

    @Test("operations on tensors without gradients are not recorded")
    func noRecording() throws {
        let a = Tensor([1, 2]), b = Tensor([3, 4])
        #expect(!(try a * b).requiresGrad)
        #expect(!a.exp().requiresGrad)
        #expect(try (a * b.requiringGrad()).requiresGrad)
        #expect(throws: TensorError.self) { try (a * b).sum().backward() }
    }

    @Test("scaleGradient multiplies an accumulated gradient")
    func scaleGradient() throws {
        let x = Tensor([1, 2]).requiringGrad()
        try (x * Tensor([4, -6])).sum().backward()
        x.scaleGradient(by: 0.5)
        #expect(x.grad?.scalars == [2, -3])
    }

    @Test("a gradient shared by two inputs is not modified through the other")
    func sharedGradientStorage() throws {
        // `add` hands the same gradient tensor to both inputs; accumulating into
        // one of them must not change the other.
        let a = Tensor([1, 1]).requiringGrad(), b = Tensor([1, 1]).requiringGrad()
        try (a + b).sum().backward()
        try (a * 5).sum().backward()
        #expect(a.grad?.scalars == [6, 6])
        #expect(b.grad?.scalars == [1, 1])
        a.scaleGradient(by: 10)
        #expect(b.grad?.scalars == [1, 1])
    }

    @Test("recording state is local to the task")
    func taskLocal() async throws {
        let x = Tensor([1]).requiringGrad()
        async let inside: Bool = Autodiff.withoutGradients { (x * 2).requiresGrad }
        let outside = (x * 2).requiresGrad
        #expect(await inside == false)
        #expect(outside)
    }
}
