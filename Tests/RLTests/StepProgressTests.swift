import Lang
import Notebook
import Testing
import TestSupport

/// A front end that redraws a line in place, recording what it was asked to show.
final class RecordingDisplay: ProgressDisplay {
    var updates: [String] = []
    var clears = 0
    func update(_ line: String) { updates.append(line) }
    func clear() { clears += 1 }
}

@Suite("step(): progress instead of floods", .serialized)
struct StepProgressTests {
    static let setup = """
        d = demo(n=300)
        t = trainer(policy(d, hidden=[8]), d, G=4, batch=32, seed=0)
        """

    @Test("without a terminal: about ten periodic lines, every=N, every=0, quiet=true; never a carriage return")
    func periodicLines() throws {
        let s = Transcript()
        #expect(s.run(Self.setup).status == .ok)
        let lines = { (code: String) -> [String] in logicalLines(s.run(code).output) }
        let thirty = lines("step(t, 30)")
        #expect(thirty.count == 10 && thirty.allSatisfy { $0.hasPrefix("step ") }, "\(thirty)")
        #expect(thirty.first?.hasPrefix("step    3 |") == true && thirty.last?.hasPrefix("step   30 |") == true)
        #expect(lines("step(t, 4)").count == 4, "every line for n ≤ 10")
        let every = lines("step(t, 6, every=4)")
        #expect(every.map { String($0.prefix(9)) } == ["step   38", "step   40"], "every 4th and the last: \(every)")
        #expect(lines("step(t, 3, every=0)").isEmpty)
        #expect(s.run("step(t, 3, quiet=true)").output.isEmpty)
        #expect(!s.session.cells.contains { $0.outputs.contains { if case .text(let t) = $0 { return t.contains("\r") }; return false } })
        let bad = s.run("step(t, 2, every=-1)")
        #expect(bad.status == .runtimeError && bad.output.contains("every must be ≥ 0"), "\(bad.output)")
    }

    @Test("step returns the last step's metrics as a record, not echoed again")
    func returnsRecord() throws {
        let s = Transcript()
        #expect(s.run(Self.setup).status == .ok)
        let r = s.run("m = step(t, 2)\nprint(m.step, m.reward >= 0 and m.reward <= 1, len(keys(m)))")
        #expect(r.output.hasSuffix("2 true 16\n"), "\(r.output)")
        // Echoed in the REPL, the call shows its lines only; a field of the record echoes as usual.
        let echoed = s.run("step(t, 1)", echo: true).output
        #expect(logicalLines(echoed).count == 1 && echoed.hasPrefix("step    3 |"), "\(echoed)")
        #expect(s.run("step(t, 1).step", echo: true).output.hasSuffix("\n4\n"))
        #expect(s.run("step(t, 0)", echo: true).output.isEmpty, "no step, no record")
    }

    @Test("on a terminal: one line redrawn in place, then one summary line")
    func terminal() throws {
        let s = Transcript()
        let display = RecordingDisplay()
        s.session.progressDisplay = display
        #expect(s.run(Self.setup).status == .ok)
        let out = s.run("step(t, 25)").output
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 && lines[0].hasPrefix("step 25 · 25 steps in ") && lines[0].contains("steps/s") && lines[0].contains("reward "), "\(out)")
        #expect(!display.updates.isEmpty && display.clears >= 1)
        #expect(display.updates.allSatisfy { $0.contains("/25 ") && $0.contains("steps/s · ETA ") && $0.contains("live ") }, "\(display.updates)")
        #expect(display.updates.first?.hasPrefix("step 1/25 ") == true)
        // every=N adds the periodic log lines; quiet shows nothing at all.
        let periodic = logicalLines(s.run("step(t, 10, every=5)").output)
        #expect(periodic.count == 3 && periodic[0].hasPrefix("step   30 |") && periodic[1].hasPrefix("step   35 |") && periodic[2].hasPrefix("step 35 · 10 steps"), "\(periodic)")
        let before = display.updates.count
        #expect(s.run("step(t, 5, quiet=true)").output.isEmpty && display.updates.count == before)
        // The summary line is recorded for notebook exports as a pattern that a replay's periodic lines match.
        let cell = try #require(s.session.cells.first { $0.input == "step(t, 25)" })
        #expect(cell.patterns.values.contains("...\n"))
    }

    @Test("lines of several trainers are labelled with their names")
    func labels() throws {
        let s = Transcript()
        #expect(s.run(Self.setup).status == .ok)
        #expect(s.run("step(t, 1)").output.hasPrefix("step    1 |"), "one trainer: no label")
        #expect(s.run("u = trainer(policy(d, hidden=[8]), d, method=\"grpo\", G=4, batch=32, seed=1)").status == .ok)
        let both = logicalLines(s.run("for k in range(2) {\n step(t, 1)\n step(u, 1)\n}").output)
        #expect(both.map { String($0.prefix(12)) } == ["t: step    2", "u: step    1", "t: step    3", "u: step    2"], "\(both)")
    }
}
