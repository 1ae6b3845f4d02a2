import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The heap buffer behind a `Tensor`: `count` Float32 values, 64-byte aligned.
///
/// Tensors share a `Storage` until one of them is mutated (copy-on-write, see
/// `Tensor.makeUnique()`). Buffers of 1,024 elements or more are returned to a
/// small pool on release: a training step allocates the same shapes every
/// time, and reusing warm buffers avoids page faults and `mmap` churn.
public final class Storage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// An uninitialised buffer of `count` elements.
    init(uninitializedCount count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
    }

    /// A buffer filled with `value`.
    convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    /// A copy of `other`'s elements.
    convenience init(copying other: Storage) {
        self.init(uninitializedCount: other.count)
        pointer.update(from: other.pointer, count: count)
    }

    deinit { BufferPool.shared.give(pointer, count: count) }

    var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
}

/// Recycles buffers by exact element count, bounded in total bytes.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    /// Buffers smaller than this go straight to malloc, which is fast for them.
    static let minimumPooledCount = 1024
    static let maximumPooledBytes = 256 << 20
    static let maximumBuffersPerSize = 16

    private struct State: ~Copyable {
        var free: [Int: [UInt]] = [:]  // addresses, so the state stays Sendable
        var pooledBytes = 0
    }
    private let state = Mutex(State())

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        if n >= Self.minimumPooledCount {
            let reused: UInt? = state.withLock { s in
                guard let p = s.free[n]?.popLast() else { return nil }
                s.pooledBytes -= n * 4
                return p
            }
            if let reused, let p = UnsafeMutablePointer<Float>(bitPattern: reused) { return p }
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, n * MemoryLayout<Float>.stride) == 0, let raw else {
            fatalError("out of memory allocating \(n) floats")
        }
        return raw.bindMemory(to: Float.self, capacity: n)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let n = max(count, 1)
        if n >= Self.minimumPooledCount {
            let address = UInt(bitPattern: pointer)
            let kept = state.withLock { s -> Bool in
                guard s.pooledBytes + n * 4 <= Self.maximumPooledBytes,
                      s.free[n, default: []].count < Self.maximumBuffersPerSize else { return false }
                s.free[n, default: []].append(address)
                s.pooledBytes += n * 4
                return true
            }
            if kept { return }
        }
        free(pointer)
    }
}
