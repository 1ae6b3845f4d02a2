import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Splits mid-sized matrix products over two threads.
///
/// OpenBLAS's own threading pays tens of microseconds to wake its workers,
/// which is as long as a 256×128×128 product takes on one core, so small and
/// mid-sized products run faster single-threaded (see `ThreadPolicy`). This
/// keeps one helper thread that spins briefly between products: the product
/// is cut into two halves of C (by rows, or by columns when C is wide), each
/// computed by a single-threaded sgemm call on its own thread. Each element of
/// C is computed by one call with the same k-order, so results do not depend
/// on the split. Whichever thread is free first takes the second half, so a
/// busy machine degrades to one thread rather than to waiting.
final class ParallelGEMM: @unchecked Sendable {
    static let shared: ParallelGEMM? = {
        // Only worth it with a second core.
        sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 ? ParallelGEMM() : nil
    }()

    /// Products smaller than this (multiply-adds) stay on the calling thread.
    static let minimumWork = 1 << 18

    /// How long the helper spins for new work before sleeping (seconds).
    static let spinSeconds = 0.0005

    private let posted = Atomic<Int>(0)
    /// The last generation whose second half someone (helper or caller) took.
    private let claimed = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleeping = Atomic<Bool>(false)
    /// Held by the one caller currently using the helper.
    private let busy = Atomic<Bool>(false)
    private nonisolated(unsafe) var job: (() -> Void)?
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var thread = pthread_t()

    private init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { raw in
            Unmanaged<ParallelGEMM>.fromOpaque(raw!).takeUnretainedValue().run()
            return nil
        }, context)
    }

    /// Runs `first` here and `second` on the helper, returning when both are done.
    /// The helper serves one caller at a time: when another thread is using
    /// it, both halves run here, one after the other (same calls, same results).
    func run(_ first: () -> Void, _ second: @escaping () -> Void) {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            first()
            second()
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        job = second
        let generation = posted.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        if sleeping.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(&mutex)
            pthread_cond_signal(&condition)
            pthread_mutex_unlock(&mutex)
        }
        first()
        // If the helper has not started the second half (the machine is busy
        // and it is not scheduled), run it here: never slower than one thread.
        if claimed.compareExchange(expected: generation - 1, desired: generation, ordering: .acquiringAndReleasing).exchanged {
            second()
        } else {
            while finished.load(ordering: .acquiring) != generation {}
        }
        job = nil
    }

    private func run() {
        var seen = 0
        while true {
            let deadline = monotonicSeconds() + Self.spinSeconds
            var spins = 0
            while posted.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 1023 == 0 && monotonicSeconds() > deadline {
                    pthread_mutex_lock(&mutex)
                    sleeping.store(true, ordering: .sequentiallyConsistent)
                    while posted.load(ordering: .sequentiallyConsistent) == seen {
                        pthread_cond_wait(&condition, &mutex)
                    }
                    sleeping.store(false, ordering: .releasing)
                    pthread_mutex_unlock(&mutex)
                }
            }
            seen = posted.load(ordering: .acquiring)
            if claimed.compareExchange(expected: seen - 1, desired: seen, ordering: .acquiringAndReleasing).exchanged {
                job?()
                finished.store(seen, ordering: .releasing)
            }
        }
    }
}
