import Foundation
import Testing

/// The golden scripts: every `Tests/Golden/NAME.fg` is run as
/// `fairgrpo run NAME.fg` from that directory, and must print exactly
/// `NAME.out` on stdout and `NAME.err` on stderr (a missing file means no
/// output) and exit with the status in `NAME.status` (missing means 0).
///
/// After an intended change of output, regenerate the expectations with
///
///     FAIRGRPO_UPDATE_GOLDEN=1 swift test --skip-build --filter EndToEndTests.golden
///
/// and review the diff.
let goldenFiles: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: Paths.golden.path)) ?? []
    return names.filter { $0.hasSuffix(".fg") }.sorted()
}()

struct Expectation {
    let stdout: String
    let stderr: String
    let status: Int32

    static func load(_ script: String) -> Expectation {
        let base = Paths.golden.appendingPathComponent(String(script.dropLast(3)))
        func read(_ ext: String) -> String? {
            (try? Data(contentsOf: base.appendingPathExtension(ext))).map { String(decoding: $0, as: UTF8.self) }
        }
        let status = read("status").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        return Expectation(stdout: read("out") ?? "", stderr: read("err") ?? "", status: status)
    }

    /// Writes `result` as the new expectation for `script`.
    static func record(_ result: ProcessResult, for script: String) throws {
        let base = Paths.golden.appendingPathComponent(String(script.dropLast(3)))
        let fm = FileManager.default
        for (ext, text) in [("out", result.stdout), ("err", result.stderr), ("status", result.status == 0 ? "" : "\(result.status)\n")] {
            let url = base.appendingPathExtension(ext)
            if text.isEmpty { try? fm.removeItem(at: url) } else { try Data(text.utf8).write(to: url) }
        }
    }
}

@Test("golden script", arguments: goldenFiles)
func golden(_ script: String) throws {
    let result = try fairgrpo(["run", script])
    if ProcessInfo.processInfo.environment["FAIRGRPO_UPDATE_GOLDEN"] == "1" {
        try Expectation.record(result, for: script)
        return
    }
    let expected = Expectation.load(script)
    #expect(result.stdout == expected.stdout, "stdout of \(script) differs: \(difference(result.stdout, expected.stdout))")
    #expect(result.stderr == expected.stderr, "stderr of \(script) differs: \(difference(result.stderr, expected.stderr))")
    #expect(result.status == expected.status, "exit status of \(script): got \(result.status), expected \(expected.status)")
}

@Test("the golden folder has scripts, and every expectation file belongs to one")
func goldenFolderIsConsistent() throws {
    #expect(goldenFiles.count >= 20, "found only \(goldenFiles.count) golden scripts in \(Paths.golden.path)")
    let names = try FileManager.default.contentsOfDirectory(atPath: Paths.golden.path)
    for name in names where !name.hasSuffix(".fg") {
        let script = (name as NSString).deletingPathExtension + ".fg"
        #expect(["out", "err", "status"].contains((name as NSString).pathExtension), "unexpected file \(name) in Tests/Golden")
        #expect(names.contains(script), "\(name) has no script \(script)")
    }
}
