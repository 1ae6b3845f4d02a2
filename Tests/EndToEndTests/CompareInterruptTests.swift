import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) while `fairgrpo run` is inside compare(): after a run has
/// finished, the comparison keeps the finished runs and the script goes on;
/// before any has, the cell is interrupted like any other.
@Suite("compare() and Ctrl-C in a headless run", .serialized)
struct CompareInterruptTests {
    /// Runs `script`, sends SIGINT once stderr shows `trigger`, and returns what the process printed.
    func runInterrupted(_ script: String, after trigger: String) throws -> ProcessResult {
        let (result, signalled) = try EndToEndTests.runInterrupted(script, .whenStderr { $0.contains(trigger) })
        #expect(signalled, "never saw \(trigger) on stderr: \(result.stderr)")
        return result
    }

    // Runs long enough (hundreds of steps) that the signal lands inside the next run.
    static let call = "c = compare(demo(n=1000), seeds=[0, 1], steps=800, eval_every=0, G=4, batch=16, hidden=[8])"

    @Test("after the first run: the finished run is kept and the script continues")
    func afterFirstRun() throws {
        let r = try runInterrupted(Self.call.dropLast() + ", workers=1)\nprint(len(c.runs), c.interrupted)\nprint(c.table[\"method\"])\n", after: "[1/4]")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "interrupted: 1 of 4 runs finished; the comparison holds those\n1 true\n[\"grpo\"]\n", "\(r.stdout)")
        #expect(r.stderr.hasPrefix("compare: 2 methods × 2 seeds · 800 steps"))
        #expect(!r.stderr.contains("[2/4]"))
    }

    @Test("two workers: the runs that finished are kept, those in flight dropped, and the script continues")
    func afterFirstRunTwoWorkers() throws {
        // grpo seeds 0 and 1 train together and finish close together; the signal lands while fairgrpo's train.
        let r = try runInterrupted(Self.call.dropLast() + ", workers=2)\nprint(len(c.runs), c.interrupted)\nprint(c.table[\"method\"])\n", after: "[2/4]")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "interrupted: 2 of 4 runs finished; the comparison holds those\n2 true\n[\"grpo\"]\n", "\(r.stdout)")
        #expect(r.stderr.contains("up to 2 runs at a time"), "\(r.stderr)")
        #expect(!r.stderr.contains("[3/4]"))
    }

    @Test("before any run finishes: the cell is interrupted and the script stops with status 130")
    func beforeAnyRun() throws {
        let r = try runInterrupted(Self.call + "\nprint(\"not reached\")\n", after: "compare: ")
        #expect(r.status == 130, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout == "")
        #expect(r.stderr.hasSuffix("interrupted\n"), "\(r.stderr)")
    }
}
