import Tensors
import TestSupport
import Testing

@Suite("Matrix products")
struct MatMulTests {
    /// Sizes below and above the two-thread split threshold (2^18 = 262,144
    /// multiply-adds): 70·33·65 = 150,150 stays on one thread; the larger ones
    /// are split by rows (m ≥ n) or by columns (m < n), with odd remainders.
    static let sizes: [GEMMSize] = [
        GEMMSize(m: 1, k: 1, n: 1),
        GEMMSize(m: 3, k: 5, n: 7),
        GEMMSize(m: 70, k: 33, n: 65),
        GEMMSize(m: 130, k: 70, n: 90),   // 819,000: row split
        GEMMSize(m: 97, k: 61, n: 45),    // 266,265: row split, odd m
        GEMMSize(m: 40, k: 80, n: 130),   // 416,000: column split
        GEMMSize(m: 37, k: 59, n: 131),   // 285,973: column split, odd n
    ]

    @Test("matmul equals a naive triple loop", arguments: TransposeFlags.all, sizes)
    func naive(_ t: TransposeFlags, _ size: GEMMSize) throws {
        let (sa, sb) = t.shapes(m: size.m, k: size.k, n: size.n)
        let a = randomTensor(sa, seed: UInt64(size.m * 1000 + size.k)), b = randomTensor(sb, seed: UInt64(size.n))
        let c = try a.matmul(b, transposeSelf: t.a, transposeOther: t.b)
        #expect(c.shape == [size.m, size.n])
        let expected = Ref.matmul(doubles(a), doubles(b), m: size.m, k: size.k, n: size.n, transposeA: t.a, transposeB: t.b)
        expectClose(c, expected, rtol: 1e-4, atol: 1e-4)
    }

    @Test("a small product computed by hand")
    func handComputed() throws {
        let a = try Tensor([[1, 2, 3], [4, 5, 6]])
        let b = try Tensor([[7, 8], [9, 10], [11, 12]])
        #expect(try a.matmul(b) == Tensor([[58, 64], [139, 154]]))
        #expect(try a.matmul(a, transposeOther: true) == Tensor([[14, 32], [32, 77]]))
        #expect(try a.matmul(a, transposeSelf: true) == Tensor([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
        #expect(try b.matmul(a, transposeSelf: true, transposeOther: true) == Tensor([[58, 139], [64, 154]]))
        #expect(try Tensor.matmul(a, b) == a.matmul(b))
    }

    @Test("an empty inner dimension gives zeros")
    func emptyInner() throws {
        let c = try Tensor.zeros([3, 0]).matmul(Tensor.zeros([0, 4]))
        #expect(c == Tensor.zeros([3, 4]))
    }

    @Test("large products from concurrent tasks are correct and do not interfere")
    func concurrent() async throws {
        let size = GEMMSize(m: 130, k: 70, n: 90)
        let a = randomTensor([size.m, size.k], seed: 1), b = randomTensor([size.k, size.n], seed: 2)
        let wide = randomTensor([size.n, 130], seed: 3)
        let expected = try a.matmul(b)
        let expectedWide = try b.matmul(wide)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for _ in 0..<25 {
                        if task % 2 == 0 {
                            guard try a.matmul(b) == expected else { return false }
                        } else {
                            guard try b.matmul(wide) == expectedWide else { return false }
                        }
                    }
                    return true
                }
            }
            var all: [Bool] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results == [true, true, true, true])
    }

    @Test("transposed copies match the reference for shapes beyond one 32×32 block", arguments: [[33, 40], [70, 65], [1, 100]])
    func transposedLarge(_ shape: [Int]) throws {
        let x = randomTensor(shape, seed: 5)
        #expect(try x.transposed().scalars.map(Double.init) == Ref.permute(doubles(x), shape, [1, 0]))
    }
}
