import CSystem
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs `first` on this thread and `second` on the helper thread that splits
/// matrix products, returning when both are done. With one core, or when the
/// helper is serving another caller, both run here one after the other, so
/// work split this way must not depend on which thread runs which half.
public func runOnTwoCores(_ first: () -> Void, _ second: @escaping () -> Void) {
    if let pool = ParallelGEMM.shared {
        pool.run(first, second)
    } else {
        first()
        second()
    }
}

/// The cores this process may use: the Slurm allocation (SLURM_CPUS_PER_TASK)
/// inside a Slurm job, else the CPUs the process is allowed to run on (its
/// affinity mask, which taskset and container limits narrow), else the cores online.
public func availableCores() -> Int {
    if let raw = getenv("SLURM_CPUS_PER_TASK"), let n = Int(String(cString: raw)), n >= 1 { return n }
    let allowed = Int(fg_allowed_cpus())
    if allowed >= 1 { return allowed }
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// Starts `body` on a new (detached) thread. Callers learn that it has
/// finished from what it posts (see `Mailbox`), not by joining it.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: @unchecked Sendable { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    // Training recurses little but allocates on the stack in places; 8 MiB as the main thread has.
    pthread_attr_setstacksize(&attributes, 8 << 20)
    var thread = pthread_t()
    let status = pthread_create(&thread, &attributes, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, context)
    pthread_attr_destroy(&attributes)
    if status != 0 {
        // No thread: run it here rather than lose it.
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
    }
}

/// Messages from worker threads to the thread that coordinates them: posted
/// from any thread, received in order by one, waiting at most a given time.
public final class Mailbox<Message: Sendable>: @unchecked Sendable {
    private var messages: [Message] = []
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    public init() {
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    public func post(_ message: Message) {
        pthread_mutex_lock(&mutex)
        messages.append(message)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Every message posted so far, waiting up to `timeout` seconds for the first.
    public func receive(timeout: Double) -> [Message] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if messages.isEmpty {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let nanos = Int(now.tv_nsec) + Int(timeout * 1e9)
            var deadline = timespec(tv_sec: now.tv_sec + nanos / 1_000_000_000, tv_nsec: nanos % 1_000_000_000)
            while messages.isEmpty {
                if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT { break }
            }
        }
        let received = messages
        messages.removeAll()
        return received
    }
}

/// A flag one thread raises and others check often: a request to stop.
public final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public func raise() { value.store(true, ordering: .releasing) }
    public var isRaised: Bool { value.load(ordering: .acquiring) }
}
