#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read or written, with the path and the system's reason.
public struct FileError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}

public enum FileIO {
    static func systemError(_ path: String) -> FileError { FileError(path: path, reason: String(cString: strerror(errno))) }

    /// The whole file's bytes. `regularOnly` refuses devices, pipes and
    /// sockets (a format with sizes in its header wants a file with a real
    /// size: `/dev/zero` would be read forever); then at most the size the
    /// file had when opened is read.
    public static func read(_ path: String, regularOnly: Bool = false) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw systemError(path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw systemError(path) }
        let kind = st.st_mode & S_IFMT
        guard kind != S_IFDIR else { throw FileError(path: path, reason: "is a directory") }
        if regularOnly && kind != S_IFREG {
            throw FileError(path: path, reason: "is not a regular file (\(describe(kind))); only files can be read here")
        }
        // Opened non-blocking so a FIFO without a writer cannot hang the
        // open; reads block as usual.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let limit = kind == S_IFREG && regularOnly ? Int(st.st_size) : Int.max
        var out: [UInt8] = []
        out.reserveCapacity(kind == S_IFREG ? Int(st.st_size) : 0)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while out.count < limit {
            let want = min(chunk.count, limit - out.count)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError(path)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a pipe"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        default: return "not a file"
        }
    }

    /// Writes atomically: a temporary file beside the target, flushed to disk
    /// with fsync, renamed over it, and the folder flushed so the rename
    /// itself survives a crash. A crash or full disk leaves either the old
    /// file or the new one, never a mix.
    ///
    /// A symbolic link at `path` is followed: its target is replaced and the
    /// link stays. Anything at the target that is not a regular file (a
    /// device such as /dev/full, a directory, a pipe) is refused and left
    /// untouched. Temporaries left by processes that died while saving are
    /// removed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let target = try resolvingLinks(path)
        var existing = stat()
        let exists = stat(target, &existing) == 0
        if exists && (existing.st_mode & S_IFMT) != S_IFREG {
            throw FileError(path: path, reason: "is not a regular file (\(describe(existing.st_mode & S_IFMT))); not replaced")
        }
        removeStaleTemporaries(of: target)
        let temporary = target + temporarySuffix + "\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw systemError(path) }
        // A replaced file keeps its permissions.
        if exists { _ = fchmod(fd, existing.st_mode & 0o7777) }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                written += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, target) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw FileError(path: path, reason: failure)
        }
        syncDirectory(of: target)
    }

    /// Temporaries are named `<file>.tmp-<process id>`.
    static let temporarySuffix = ".tmp-"

    /// The folder part of a path ("." for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Follows symbolic links at `path` (up to 40, as the kernel does) to
    /// the path of the file they name, which need not exist yet.
    static func resolvingLinks(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var st = stat()
            guard lstat(current, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { throw systemError(path) }
            let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : directory(of: current) + "/" + link
        }
        throw FileError(path: path, reason: "too many levels of symbolic links")
    }

    /// The names in a folder (with "." and ".."), nil when it cannot be read (errno says why).
    public static func entries(of folder: String) -> [String]? {
        guard let dir = opendir(folder) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) })
        }
        return names
    }

    /// Removes `<file>.tmp-<pid>` files whose process no longer exists: what
    /// a save killed midway leaves. A live process's temporary is kept.
    static func removeStaleTemporaries(of target: String) {
        let folder = directory(of: target)
        let name = target.lastIndex(of: "/").map { String(target[target.index(after: $0)...]) } ?? target
        let prefix = name + temporarySuffix
        for name in entries(of: folder) ?? [] {
            guard name.hasPrefix(prefix), let pid = pid_t(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + name) }
        }
    }

    /// Flushes a folder's entries (the rename) to disk; best effort, as some
    /// file systems refuse fsync on a folder.
    static func syncDirectory(of path: String) {
        let fd = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// A file's bytes mapped read-only into memory (no copy); unmapped on release.
public final class MappedFile: @unchecked Sendable {
    public let pointer: UnsafePointer<UInt8>
    public let count: Int
    private let mapping: UnsafeMutableRawPointer?

    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) != S_IFDIR else { throw FileError(path: path, reason: "is a directory") }
        count = Int(st.st_size)
        if count == 0 {
            mapping = nil
            pointer = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
            return
        }
        let m = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let m, m != MAP_FAILED else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        madvise(m, count, MADV_SEQUENTIAL)
        mapping = m
        pointer = UnsafePointer(m.assumingMemoryBound(to: UInt8.self))
    }

    deinit {
        if let mapping { munmap(mapping, count) } else { pointer.deallocate() }
    }
}

/// Runs two closures at once, on this thread and a new one, and returns when both are done.
public func runConcurrently(_ first: () -> Void, _ second: @escaping () -> Void) {
    final class Box { let work: () -> Void; init(_ w: @escaping () -> Void) { work = w } }
    let box = Unmanaged.passRetained(Box(second)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { raw in
        let b = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        b.work()
        return nil
    }, box)
    guard created == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        first(); second()
        return
    }
    first()
    pthread_join(thread, nil)
}
