import Foundation
@testable import Tensors
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The atomic writer every save goes through, and reads that must not run
/// forever: what is at the path decides what happens.
@Suite("File IO on what is really at the path")
struct FileIOTests {
    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fileio-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func kind(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0
    }

    @Test("a symbolic link is followed: its target is replaced and the link stays")
    func symlinkKept() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileIO.writeAtomically([1, 2, 3], to: dir + "/target.bin")
        #expect(symlink("target.bin", dir + "/link.bin") == 0)
        try FileIO.writeAtomically([4, 5], to: dir + "/link.bin")
        #expect(kind(dir + "/link.bin") == S_IFLNK)
        #expect(try FileIO.read(dir + "/target.bin") == [4, 5])
        // A link to a file that does not exist yet creates it.
        #expect(symlink(dir + "/new.bin", dir + "/dangling.bin") == 0)
        try FileIO.writeAtomically([6], to: dir + "/dangling.bin")
        #expect(kind(dir + "/dangling.bin") == S_IFLNK)
        #expect(try FileIO.read(dir + "/new.bin") == [6])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["dangling.bin", "link.bin", "new.bin", "target.bin"])
    }

    @Test("a link loop is an error, not a hang")
    func symlinkLoop() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(symlink("b", dir + "/a") == 0)
        #expect(symlink("a", dir + "/b") == 0)
        #expect(throws: FileError(path: dir + "/a", reason: "too many levels of symbolic links")) {
            try FileIO.writeAtomically([1], to: dir + "/a")
        }
    }

    @Test("devices and folders are refused and left as they are", arguments: ["/dev/full", "/dev/null", "/tmp"])
    func nonRegularTargets(path: String) throws {
        let before = kind(path)
        #expect(throws: FileError.self) { try FileIO.writeAtomically([1, 2, 3], to: path) }
        #expect(kind(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
    }

    @Test("a replaced file keeps its permissions")
    func permissionsKept() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileIO.writeAtomically([1], to: dir + "/f")
        #expect(chmod(dir + "/f", 0o600) == 0)
        try FileIO.writeAtomically([2], to: dir + "/f")
        var st = stat()
        #expect(stat(dir + "/f", &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test("temporaries of dead processes are removed; a live process's is kept")
    func staleTemporaries() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A process id that is not running: a child that has exited and been reaped.
        var dead: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&dead, "/bin/true", nil, nil, &argv, nil) == 0)
        var status: Int32 = 0
        waitpid(dead, &status, 0)
        for name in ["f.tmp-\(dead)", "f.tmp-1", "g.tmp-\(dead)", "f.tmp-x"] {
            try Data([9]).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        try FileIO.writeAtomically([1], to: dir + "/f")
        // Process 1 lives; g's temporaries belong to another file; "x" is no process id.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["f", "f.tmp-1", "f.tmp-x", "g.tmp-\(dead)"])
    }

    @Test("reading only regular files: devices, pipes and folders fail at once")
    func regularOnly() throws {
        for path in ["/dev/zero", "/dev/urandom"] {
            #expect(throws: FileError(path: path, reason: "is not a regular file (a character device); only files can be read here")) {
                _ = try FileIO.read(path, regularOnly: true)
            }
        }
        #expect(throws: FileError(path: "/tmp", reason: "is a directory")) { _ = try FileIO.read("/tmp", regularOnly: true) }
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        #expect(throws: FileError(path: dir + "/fifo", reason: "is not a regular file (a pipe); only files can be read here")) {
            _ = try FileIO.read(dir + "/fifo", regularOnly: true)
        }
        try FileIO.writeAtomically(Array(repeating: 7, count: 100_000), to: dir + "/big")
        #expect(try FileIO.read(dir + "/big", regularOnly: true).count == 100_000)
    }
}
