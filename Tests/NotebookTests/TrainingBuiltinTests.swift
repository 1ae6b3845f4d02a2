import Render
import Lang
import Notebook
import RL
import Testing
import TestSupport

@Suite("Training builtins through a notebook session")
struct TrainingBuiltinTests {
    static let setup = """
        data = demo(n=3000)
        p = policy(data, hidden=[32])
        t = trainer(p, data, method="fairgrpo", G=4, batch=64)
        """

    func trainer(_ s: Transcript, _ name: String = "t") -> Trainer? {
        guard case .object(let o)? = s.value(name), let t = o as? TrainerObject else { return nil }
        return t.trainer
    }

    @Test("step(t, 5) prints a log line per step; history(t) has one row per step")
    func stepAndHistory() throws {
        let s = Transcript()
        #expect(s.run(Self.setup).status == .ok)
        let (status, output) = s.run("step(t, 5)")
        #expect(status == .ok, "\(output)")
        let lines = logicalLines(output)
        #expect(lines.count == 5)
        #expect(lines.first?.hasPrefix("step    1 | reward ") == true)
        #expect(lines.last?.hasPrefix("step    5 | reward ") == true)
        let h = s.run("h = history(t)\nprint(len(h))\nprint(h.columns)")
        #expect(h.status == .ok, "\(h.output)")
        #expect(numbers(String(h.output.prefix { $0 != "\n" })) == [5])
        for column in StepLog.columns { #expect(h.output.contains("\"\(column)\""), "history column \(column)") }
        #expect(numbers(s.run("print(h[\"step\"])").output) == [1, 2, 3, 4, 5])
        // The printed table fits the width (its columns wrapped into blocks or elided) and starts with its header.
        let table = s.run("history(t)", echo: true).output.split(separator: "\n")
        #expect(table.first?.hasPrefix("step") == true && table.first?.contains("reward") == true, "\(table)")
        #expect(table.allSatisfy { $0.count <= Terminal.width }, "\(table)")
        // The rewards are the trainer's.
        let t = try #require(trainer(s))
        #expect(t.stepCount == 5 && t.history.count == 5)
        #expect(logicalLines(s.run("step(t, 3, every=2)").output).count == 2)  // steps 7 and 8
        #expect(numbers(s.run("print(len(history(t)))").output) == [8])
    }

    @Test("weights(t) prints every term of the formula, one row per (domain, group)")
    func weights() throws {
        let s = Transcript()
        s.run(Self.setup)
        let early = s.run("weights(t)", echo: true)
        #expect(early.status == .runtimeError)
        #expect(early.output.contains("weights(): nothing has run yet"))
        s.run("step(t, 5)")
        let (status, output) = s.run("weights(t)", echo: true)
        #expect(status == .ok, "\(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.first == "step 5 · fairgrpo")
        // The weight and the formula's terms come first, so they are what a narrow terminal shows.
        #expect(lines[1].hasPrefix("domain") && lines[1].contains("weight") && lines[1].contains("μ_g"))
        #expect(numbers(s.run("print(len(weights(t).columns))").output) == [16])
        let names = s.run("print(weights(t).columns)").output
        for column in ["domain", "group", "weight", "factor", "N_d", "mu_d", "T_d", "N_g", "mu_g", "n_batch", "mean_abs_adv", "share",
                       "live", "live_share", "live_grad_share", "dead_steps"] {
            #expect(names.contains("\"\(column)\""), "weights column \(column)")
        }
        let t = try #require(trainer(s))
        let logs = try #require(t.groupHistory.last)
        // Title, header, a row per group, and the size when columns were elided.
        #expect(lines.count == 2 + logs.count || (lines.count == 3 + logs.count && lines.last == "\(logs.count) rows × 16 columns"))
        // Each printed row shows the logged terms, and factor = T_d·√N_g·μ_g holds for every row.
        for l in logs {
            expectNear(l.factor, l.tDomain * l.nGroup.squareRoot() * l.muGroup, tolerance: 1e-12, "\(l.domain)/\(l.group)")
            #expect(lines.contains { $0.hasPrefix(Substring(l.domain)) && $0.contains(" \(l.group) ") })
        }
        #expect(logs.map(\.batchPrompts).reduce(0, +) == 64)
        // Shares of Σ|A| add up to 1.
        expectNear(logs.map(\.gradientShare).reduce(0, +), 1, tolerance: 1e-9, "Σ share")
    }

    @Test("trace(t) has B·G rows with the formula's per-rollout columns")
    func trace() throws {
        let s = Transcript()
        s.run(Self.setup)
        s.run("step(t, 2)")
        let (status, output) = s.run("tr = trace(t)\nprint(len(tr))\nprint(tr.columns)")
        #expect(status == .ok, "\(output)")
        #expect(numbers(String(output.prefix { $0 != "\n" })) == [256])
        for column in TraceRow.columns { #expect(output.contains("\"\(column)\"")) }
        #expect(numbers(s.run("print(tr[0][\"step\"], tr[255][\"step\"])").output) == [2, 2])
        let t = try #require(trainer(s))
        #expect(t.lastTrace.count == 64 * 4)
        // Rewards 0/1, and each advantage is the GRPO advantage over the factor, renormalised.
        #expect(t.lastTrace.allSatisfy { $0.reward == 0 || $0.reward == 1 })
        #expect(t.lastTrace.allSatisfy { ($0.grpoAdvantage == 0) == ($0.advantage == 0) })
    }

    @Test("save and load through the session continue the same run")
    func saveLoad() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("run.ckpt")
        let s = Transcript()
        s.run(Self.setup)
        s.run("step(t, 2)")
        #expect(s.run("save(t, \"\(path)\")").output == "saved \(path) (step 2)\n")
        s.run("u = load(\"\(path)\")\nstep(t, 2)\nstep(u, 2)")
        let t = try #require(trainer(s)), u = try #require(trainer(s, "u"))
        #expect(TrainerFingerprint(t) == TrainerFingerprint(u))
        let bad = s.run("load(\"\(dir.file("missing.ckpt"))\")")
        #expect(bad.status == .runtimeError)
    }

    @Test("evaluate(p, test) gives the report fields the study reads")
    func evaluateFields() {
        let s = Transcript()
        let (status, output) = s.run("""
            data = demo(n=1500, seed=2)
            train, test = split(data, test=0.2, seed=0, stratify="label")
            p = policy(train, hidden=[16])
            t = trainer(p, train, method="grpo", G=4, batch=64, lr=3e-3)
            step(t, 3, every=10)
            r = evaluate(p, test)
            print(r.PP_pct, r.EOD_pct, r.dF1, r.sF1, r.F1, r.Acc)
            print(r.ECE, r.dECE, r.Brier, r.dBrier, r.FOR_diff_pct)
            """)
        #expect(status == .ok, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(numbers(lines[lines.count - 2]).count == 6, "\(lines[lines.count - 2])")
        // Calibration from the policy's own probabilities: ECE and Brier in their ranges.
        let calibration = numbers(lines[lines.count - 1])
        #expect(calibration.count == 5, "\(lines[lines.count - 1])")
        if calibration.count == 5 {
            #expect((0...1).contains(calibration[0]) && (0...2).contains(calibration[2]), "\(calibration)")
        }
    }
}
