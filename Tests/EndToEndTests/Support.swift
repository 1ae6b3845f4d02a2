import Foundation
import Testing
import TestSupport

/// Where things are: the package root (found from this file's path), the
/// golden scripts, and the `fairgrpo` binary under test.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // EndToEndTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let golden = packageRoot.appendingPathComponent("Tests/Golden")

    /// The binary: $FAIRGRPO_BIN, else `fairgrpo` beside the test runner
    /// (same build directory and configuration), else .build/debug/fairgrpo.
    static let binary: Result<String, BinaryMissing> = {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["FAIRGRPO_BIN"], !explicit.isEmpty {
            return fm.isExecutableFile(atPath: explicit)
                ? .success(explicit) : .failure(BinaryMissing(message: "FAIRGRPO_BIN=\(explicit) is not an executable file"))
        }
        var candidates: [String] = []
        if let runner = Bundle.main.executableURL {
            candidates.append(runner.deletingLastPathComponent().appendingPathComponent("fairgrpo").path)
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/fairgrpo").path)
        for c in candidates where fm.isExecutableFile(atPath: c) { return .success(c) }
        return .failure(BinaryMissing(message: """
            the fairgrpo executable was not found (looked for \(candidates.joined(separator: " and "))). \
            Build it first with `swift build --build-tests` (which builds every product), \
            or point FAIRGRPO_BIN at a built binary.
            """))
    }()

    struct BinaryMissing: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The binary, or a test failure saying how to build it. Also fails when
    /// a source file is newer than the binary, which would test stale code.
    static func fairgrpo() throws -> String {
        let path = try binary.get()
        if ProcessInfo.processInfo.environment["FAIRGRPO_BIN"] == nil, let stale = newerSource(than: path) {
            throw BinaryMissing(message: """
                \(path) is older than \(stale): rebuild it with `swift build --build-tests` \
                before running these tests (`swift test` alone does not rebuild executables)
                """)
        }
        return path
    }

    private static func newerSource(than binary: String) -> String? {
        let fm = FileManager.default
        guard let built = (try? fm.attributesOfItem(atPath: binary))?[.modificationDate] as? Date else { return nil }
        let sources = packageRoot.appendingPathComponent("Sources")
        guard let walker = fm.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey]) else { return nil }
        for case let url as URL in walker where url.pathExtension == "swift" || url.pathExtension == "c" || url.pathExtension == "h" {
            // Other executables (Sources/fairgrpo-bench, …) are not linked into fairgrpo.
            let relative = url.path.dropFirst(sources.path.count + 1)
            if relative.hasPrefix("fairgrpo-") { continue }
            if let date = try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate, date > built {
                return String(url.path.dropFirst(packageRoot.path.count + 1))
            }
        }
        return nil
    }
}

/// What a finished process left behind.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the fairgrpo binary with `arguments` in `directory`, feeding `stdin`
/// (or nothing), and collects its output. Output goes through temporary
/// files, so a chatty process cannot block on a full pipe.
/// The built binary as a process, not yet started: `arguments` run in
/// `directory`, with the environment the tests run in and no crash backtraces.
func fairgrpoProcess(_ arguments: [String], in directory: URL, binary: String? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try binary ?? Paths.fairgrpo())
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    return process
}

func fairgrpo(
    _ arguments: [String], in directory: URL = Paths.golden, stdin: String? = nil,
    environment extra: [String: String] = [:], timeout: Double = 120
) throws -> ProcessResult {
    let binary = try Paths.fairgrpo()
    let fm = FileManager.default
    let scratch = fm.temporaryDirectory.appendingPathComponent("fairgrpo-e2e-\(UUID().uuidString)")
    try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    let inURL = scratch.appendingPathComponent("stdin")
    try Data().write(to: outURL)
    try Data().write(to: errURL)
    try Data((stdin ?? "").utf8).write(to: inURL)

    let process = try fairgrpoProcess(arguments, in: directory, binary: binary)
    var environment = process.environment ?? [:]
    environment["FAIRGRPO_HISTORY"] = "off"
    // Output is fitted to $COLUMNS when not a terminal: the same width wherever the tests run.
    environment["COLUMNS"] = "100"
    for (k, v) in extra { environment[k] = v }
    process.environment = environment
    let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
    let inHandle = try FileHandle(forReadingFrom: inURL)
    defer { try? outHandle.close(); try? errHandle.close(); try? inHandle.close() }
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = inHandle
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
        if Date() > deadline {
            process.terminate()
            process.waitUntilExit()
            throw Paths.BinaryMissing(message: "fairgrpo \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        usleep(2_000)
    }
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return ProcessResult(
        status: status,
        stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// A readable account of how two texts differ: the first differing line of
/// each, with its number, and both texts in full.
func difference(_ actual: String, _ expected: String) -> String {
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var line = 0
    while line < min(a.count, e.count) && a[line] == e[line] { line += 1 }
    let got = line < a.count ? String(reflecting: String(a[line])) : "(end)"
    let want = line < e.count ? String(reflecting: String(e[line])) : "(end)"
    return """
        first difference at line \(line + 1):
          got:      \(got)
          expected: \(want)
        --- got ---
        \(actual)
        --- expected ---
        \(expected)
        """
}

/// A fresh directory for one test's files (as a URL, as Process wants it).
func temporaryDirectory() throws -> URL {
    URL(fileURLWithPath: try TemporaryDirectory().path)
}

/// When a test sends Ctrl-C to a running script.
enum Interruption {
    /// After this many seconds.
    case after(Double)
    /// Once what the process has printed so far on stdout (or stderr) satisfies the test.
    case whenStdout((String) -> Bool), whenStderr((String) -> Bool)
}

/// Runs `fairgrpo run script.fg` on `script` in a fresh directory, sends SIGINT
/// as `interruption` says, and returns what the process printed and whether the
/// signal was sent. A process that never sees its signal is ended after `timeout`
/// seconds, so it cannot hang the suite.
func runInterrupted(_ script: String, _ interruption: Interruption, timeout: Double = 180) throws -> (result: ProcessResult, signalled: Bool) {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(script.utf8).write(to: dir.appendingPathComponent("script.fg"))
    let process = try fairgrpoProcess(["run", "script.fg"], in: dir)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if process.isRunning { process.terminate() } }
    var signalled = false
    var watched = Data(), stdout = Data(), stderr = Data()
    switch interruption {
    case .after(let seconds):
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { if process.isRunning { kill(process.processIdentifier, SIGINT) } }
        signalled = true
        stdout = out.fileHandleForReading.readDataToEndOfFile()
        stderr = err.fileHandleForReading.readDataToEndOfFile()
    case .whenStdout(let trigger), .whenStderr(let trigger):
        let onStdout: Bool
        if case .whenStdout = interruption { onStdout = true } else { onStdout = false }
        let handle = (onStdout ? out : err).fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            watched.append(chunk)
            if !signalled, trigger(String(decoding: watched, as: UTF8.self)) {
                kill(process.processIdentifier, SIGINT)
                signalled = true
            }
        }
        let other = (onStdout ? err : out).fileHandleForReading.readDataToEndOfFile()
        (stdout, stderr) = onStdout ? (watched, other) : (other, watched)
    }
    process.waitUntilExit()
    return (ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self)), signalled)
}
