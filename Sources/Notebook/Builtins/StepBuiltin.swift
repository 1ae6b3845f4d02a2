import Render
import Lang
import RL
import Tensors

/// `step(t, n)`: training steps with progress instead of a flood. On a
/// terminal one line is redrawn in place and a summary line ends the call;
/// without one (scripts, pipes, notebooks being replayed) periodic log lines.
/// Warnings found during the call are collected and shown once at its end.
enum StepBuiltin {
    static func register(in session: Session) {
        session.interpreter.register(BuiltinFunction(
            "step", [Parameter("trainer"), Parameter("n", default: .number(1)), Parameter("every", default: Value.none),
                     Parameter("quiet", default: .bool(false))],
            summary: "Runs n training steps with a progress line (or periodic log lines) and returns the last step's metrics; Ctrl-C stops after the current step.",
            details: """
                On a terminal, one line is updated in place (step k/n, steps/s, ETA, reward, live share) and a summary line \
                ends the call; every=N also prints the full log line every N steps. Without a terminal (scripts, pipes) there \
                is no animation: a log line every N steps, by default about ten lines per call (every line for n ≤ 10). \
                every=0: no periodic lines. quiet=true prints nothing. When several trainers are stepped in a session, \
                their lines carry the trainer's name. Groups that have had no live prompt (all rollouts agree) for \
                dead_steps steps are reported once, in one warning line at the end of the call (options(warnings=false) \
                silences it). The result is a record of the last step's metrics (history(t) has every step).
                """,
            example: "m = step(t, 300)\nm.reward"
        ) { [unowned session] a, interp in
            let object = try a.object("trainer", as: TrainerObject.self, "a trainer")
            let n = try a.integer("n")
            let every = try a.optionalInteger("every")
            let quiet = try a.bool("quiet")
            guard n >= 0 else { throw RuntimeError("step(): n must be ≥ 0, got \(n)") }
            guard (every ?? 0) >= 0 else { throw RuntimeError("step(): every must be ≥ 0 (0: no periodic log lines), got \(every!)") }
            return try run(object, steps: n, every: every, quiet: quiet, session: session, interp: interp)
        })
    }

    static func run(_ object: TrainerObject, steps n: Int, every: Int?, quiet: Bool, session: Session, interp: Interpreter) throws -> Value {
        let t = object.trainer
        let line = ProgressLine(quiet ? nil : session.progressDisplay)
        let label = session.label(for: object)
        let prefix = label.map { $0 + ": " } ?? ""
        // A single step shows its full log line, as it always has; longer runs a progress line or about ten lines.
        let period = quiet ? 0 : every ?? (n == 1 ? 1 : line.isActive ? 0 : max(1, (n + 9) / 10))
        session.activeProgress = line
        var dead: [String] = []
        var last: StepLog?
        var done = 0
        let start = monotonicSeconds()
        defer {
            line.clear()
            session.activeProgress = nil
            // Also after a failed step: what was found so far is still worth knowing.
            if !quiet, !dead.isEmpty { session.warn(deadGroupWarning(dead, label: label, limit: t.config.deadStepWarning, trainer: session.variableName(of: object)) + "\n") }
        }
        for k in 0..<n {
            let log = try t.step()
            last = log
            done = k + 1
            dead += t.lastDeadGroups
            if period > 0, done % period == 0 || done == n {
                let (text, pattern) = fittedLogLine(prefix + TrainingBuiltins.logLine(log, dynamic: t.config.dynamicSampling))
                session.emit(text + "\n", pattern: pattern + "\n")
            }
            line.update(force: done == 1) { progressText(prefix, done, n, log, seconds: monotonicSeconds() - start) }
            if Interrupt.isRequested {
                line.clear()
                interp.write(prefix + "interrupted after step \(t.stepCount); the trainer is consistent\n")
                // A headless script ends here (status 130); the REPL keeps the steps taken.
                try Interrupt.stoppedEarly()
                break
            }
        }
        guard let last else { return .none }
        line.clear()
        if line.isActive {
            // Only a terminal shows it; a replay without one prints periodic lines instead.
            session.emit(summaryText(prefix, done, last, seconds: monotonicSeconds() - start) + "\n", pattern: "...\n")
        }
        let result = RecordObject(zip(StepLog.columns, last.values).map { ($0, .number($1)) })
        // The summary or log line already showed it; echoing the record would repeat it.
        session.shownResult = result
        return .record(result)
    }

    /// A log line with its time ("| 3.2 ms", always last) as doctest's wildcard.
    /// A step's log line broken at its " | " fields to fit the terminal, and the same
    /// text with the step's time as `...` for notebook replays. The breaks are chosen as if
    /// the time took its widest form, so they do not depend on how long the step took.
    static func fittedLogLine(_ line: String) -> (text: String, pattern: String) {
        var fields = line.split(separator: " | ", omittingEmptySubsequences: false).map(String.init)
        guard let time = fields.last, time.hasSuffix(" ms") else {
            let text = wrapItems(fields, separator: " | ", indent: "    ", width: Terminal.width)
            return (text, text)
        }
        let widest = String(repeating: "#", count: max(time.count, 10))
        fields[fields.count - 1] = widest
        let wrapped = wrapItems(fields, separator: " | ", indent: "    ", width: Terminal.width)
        let head = String(wrapped.dropLast(widest.count))
        return (head + time, head + "... ms")
    }

    static func percent(_ v: Double) -> String { v.isFinite ? formatFixed(v * 100, 0) + "%" : "-" }

    /// "t2: step 45/300 ███░░░░░░░ 23.1 steps/s · ETA 11.2 s · reward 0.712 · live 35%", fitted by the display.
    static func progressText(_ prefix: String, _ done: Int, _ n: Int, _ log: StepLog, seconds: Double) -> String {
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? durationText(Double(n - done) / rate) : "-"
        let barWidth = 10, filled = n > 0 ? done * barWidth / n : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        return prefix + "step \(done)/\(n) \(bar) \(formatFixed(rate, 1)) steps/s · ETA \(eta) · reward \(TrainingBuiltins.format(log.reward)) · live \(percent(log.liveShare))"
    }

    /// The line a terminal keeps after the progress line: where the trainer is and how fast it got there.
    static func summaryText(_ prefix: String, _ done: Int, _ log: StepLog, seconds: Double) -> String {
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var text = prefix + "step \(log.step) · \(done) step\(done == 1 ? "" : "s") in \(durationText(seconds)) (\(formatFixed(rate, 1)) steps/s)"
        // The rest as far as the terminal's width allows; history(t) has every column.
        for part in ["reward \(TrainingBuiltins.format(log.reward))", "live \(percent(log.liveShare))",
                     "kl \(TrainingBuiltins.format(log.kl, 4))", "entropy \(TrainingBuiltins.format(log.entropy))"] {
            guard text.count + 3 + part.count < Terminal.width else { break }
            text += " · " + part
        }
        return text
    }

    /// One line for every group that went dead during the call: how many, as many
    /// names as fit the terminal's width (at least one), and where to look.
    static func deadGroupWarning(_ groups: [String], label: String?, limit: Int, trainer: String?) -> String {
        let count = groups.count == 1 ? "1 group has" : "\(groups.count) groups have"
        let head = "warning: \(label.map { $0 + ": " } ?? "")\(count) had no live prompt for \(limit) steps (all rollouts agree, no learning signal): "
        let tail = "; see weights(\(trainer ?? "t")) (live%, dead steps)"
        var shown = 1
        func names(_ k: Int) -> String { groups.prefix(k).joined(separator: ", ") + (groups.count > k ? " and \(groups.count - k) more" : "") }
        // As many names as keep the warning to two lines.
        while shown < groups.count, (head + names(shown + 1) + tail).count <= 2 * Terminal.width - 4 { shown += 1 }
        // Whatever fits, the warning never runs past the terminal's edge.
        return wrapWords(head + names(shown) + tail, indent: "  ", width: Terminal.width)
    }
}

extension Session {
    /// The name a trainer's log lines carry when the session has more than one
    /// trainer (stepped, or held in a variable), so interleaved lines can be told
    /// apart: its variable's name, else its method and seed. nil with one trainer.
    func label(for object: TrainerObject) -> String? {
        steppedTrainers.removeAll { $0.trainer == nil }
        if !steppedTrainers.contains(where: { $0.trainer === object.trainer }) { steppedTrainers.append(WeakTrainer(trainer: object.trainer)) }
        let another = steppedTrainers.count > 1 || interpreter.variableNames.contains { name in
            guard case .object(let o)? = interpreter.value(of: name), let other = o as? TrainerObject else { return false }
            return other.trainer !== object.trainer
        }
        guard another else { return nil }
        return variableName(of: object) ?? "\(object.trainer.config.method.rawValue) seed \(object.trainer.config.seed)"
    }

    /// A global variable holding this trainer, if any.
    func variableName(of object: TrainerObject) -> String? {
        interpreter.variableNames.first { name in
            guard !name.hasPrefix("_"), case .object(let o)? = interpreter.value(of: name), let other = o as? TrainerObject else { return false }
            return other.trainer === object.trainer
        }
    }
}

/// A trainer the session has stepped, held weakly so a forgotten trainer stops counting.
struct WeakTrainer {
    weak var trainer: Trainer?
}
