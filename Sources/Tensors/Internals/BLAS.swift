import CBLAS
import CSystem

#if canImport(Glibc)
import Glibc
#endif

/// The one place that talks to OpenBLAS: matrix products and what the
/// library reports about itself.
public enum BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major. `op` transposes
    /// when the flag is set, without copying: A is stored [m, k], or [k, m]
    /// when `transposeA`; B is [k, n], or [n, k] when `transposeB`.
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        beta: Float, c: UnsafeMutablePointer<Float>
    ) {
        if m == 0 || n == 0 { return }
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        let work = m * n * k
        guard work >= ParallelGEMM.minimumWork, maySplit, let parallel = ParallelGEMM.shared,
              work < ThreadPolicy.threadedWork, Swift.max(m, n) >= 32 else {
            ThreadPolicy.prepare(work: work)
            rawSgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
            return
        }
        ThreadPolicy.prepare(work: 0)  // each half runs single-threaded
        if m >= n {
            // Split C (and op(A)) by rows. Row r of op(A) starts at a + r*k, or
            // at column r (a + r) when A is stored transposed.
            let m1 = (m / 2 + 7) & ~7
            let a2 = transposeA ? a + m1 : a + m1 * k
            parallel.run(
                { rawSgemm(transposeA, transposeB, m1, n, k, alpha, a, lda, b, ldb, beta, c, n) },
                { rawSgemm(transposeA, transposeB, m - m1, n, k, alpha, a2, lda, b, ldb, beta, c + m1 * n, n) })
        } else {
            // Split C (and op(B)) by columns.
            let n1 = (n / 2 + 7) & ~7
            let b2 = transposeB ? b + n1 * k : b + n1
            parallel.run(
                { rawSgemm(transposeA, transposeB, m, n1, k, alpha, a, lda, b, ldb, beta, c, n) },
                { rawSgemm(transposeA, transposeB, m, n - n1, k, alpha, a, lda, b2, ldb, beta, c + n1, n) })
        }
    }

    /// One product, as `sgemm` takes it (C row-major with ldc = n).
    struct Product {
        var transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int
        var a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
        var work: Int { m * n * k }
        func run() {
            BLAS.rawSgemm(transposeA, transposeB, m, n, k, 1, a, transposeA ? m : k, b, transposeB ? k : n, 0, c, n)
        }
    }

    /// Products of at least this many multiply-adds pair up in `sgemmPair`.
    /// Measured on the development machine: pairing the 1024-row products of
    /// a 256→512→512→10 MLP saved about 2% of a training step, while pairing
    /// products of a few million multiply-adds (256 rows, 128 wide) cost 10%
    /// against splitting each one, so smaller pairs are split as before.
    static let pairedWork = 1 << 24

    /// Two independent products C = op(A)·op(B) (alpha 1, beta 0), e.g. the
    /// two gradients of a linear layer. When both are large they run at the
    /// same time, one per thread, each as one single-threaded call, instead
    /// of each being cut in half in turn. Every element is computed by one
    /// call with the same k-order as `sgemm` computes it, so results are the same.
    static func sgemmPair(_ first: Product, _ second: Product) {
        if first.m == 0 || first.n == 0 || second.m == 0 || second.n == 0 || Swift.min(first.work, second.work) < pairedWork
            || !maySplit || ParallelGEMM.shared == nil {
            sgemm(transposeA: first.transposeA, transposeB: first.transposeB, m: first.m, n: first.n, k: first.k,
                  alpha: 1, a: first.a, b: first.b, beta: 0, c: first.c)
            sgemm(transposeA: second.transposeA, transposeB: second.transposeB, m: second.m, n: second.n, k: second.k,
                  alpha: 1, a: second.a, b: second.b, beta: 0, c: second.c)
            return
        }
        ThreadPolicy.prepare(work: 0)
        ParallelGEMM.shared!.run({ first.run() }, { second.run() })
    }

    @inline(__always)
    fileprivate static func rawSgemm(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(Swift.max(lda, 1)), b, blasint(Swift.max(ldb, 1)),
            beta, c, blasint(Swift.max(ldc, 1)))
    }

    /// The kernel set OpenBLAS runs, e.g. "SkylakeX" or "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// Library version and build options, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ...".
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The version number alone, e.g. "0.3.21".
    public static var version: String {
        let words = configuration.split(separator: " ")
        if let i = words.firstIndex(of: "OpenBLAS"), i + 1 < words.count { return String(words[i + 1]) }
        return "unknown"
    }

    /// Threads OpenBLAS uses for one call.
    public static var threadCount: Int { ThreadPolicy.state.withLock { $0.maximum } }

    /// The most threads a product started on this thread may use, when set
    /// (`BLAS.$threadsHere.withValue(1) { … }`): work that runs several
    /// computations side by side, one per core, keeps each to its share
    /// without changing the process-wide setting other threads see. Products
    /// give the same bits however they are split, so this changes speed only.
    @TaskLocal public static var threadsHere: Int?

    /// Whether a product started on this thread may be split over two threads.
    @inline(__always)
    static var maySplit: Bool { ThreadPolicy.maximumThreads >= 2 && (threadsHere ?? 2) >= 2 }

    /// Sets the most threads one product may use (the default is what
    /// OpenBLAS chose: the number of cores, or OPENBLAS_NUM_THREADS).
    public static func setThreadCount(_ n: Int) {
        ThreadPolicy.state.withLock { $0 = ThreadPolicy.State(maximum: Swift.max(1, n), current: Swift.max(1, n)) }
        openblas_set_num_threads(Int32(Swift.max(1, n)))
    }
}

import Synchronization

/// Keeps OpenBLAS's own threading off; `ParallelGEMM` splits products instead.
///
/// OpenBLAS splits any product above about 2.6·10⁵ multiply-adds across all
/// threads, and waking its sleeping workers costs tens of microseconds: more
/// than a 256×128×128 product takes on one core. Its idle workers also spin
/// with sched_yield, taking the second core from our own helper. Measured
/// here, one MLP training step at 256 rows ran 1.8× faster with
/// single-threaded products, and splitting products ourselves matched
/// OpenBLAS's threaded speed at 1024³. Products of at least `threadedWork`
/// multiply-adds would use OpenBLAS's threads (none do at present).
enum ThreadPolicy {
    static let threadedWork = Int.max

    struct State { var maximum: Int; var current: Int }
    static var maximumThreads: Int { state.withLock { $0.maximum } }
    static let state: Mutex<State> = {
        let n = Int(openblas_get_num_threads())
        return Mutex(State(maximum: n, current: n))
    }()

    @inline(__always)
    static func prepare(work: Int) {
        state.withLock { s in
            let wanted = work >= threadedWork ? s.maximum : 1
            if wanted != s.current {
                openblas_set_num_threads(Int32(wanted))
                s.current = wanted
            }
        }
    }
}
