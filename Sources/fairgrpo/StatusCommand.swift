import ArgumentParser
import Notebook
import RL

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `fairgrpo status folder`: what a results folder holds, per comparison planned in it.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how many runs of each comparison a results folder holds, how many remain, and which failed.",
        discussion: """
            The folder is the results= of compare(). Each compare() writes a plan (its \
            methods, seeds and run keys) there, and each finished run its own file; a \
            run that raised an error leaves a .failed file with the message, and is \
            tried again the next time the script runs. A run file that is damaged is \
            reported (and trained again by the next run). Exit status: 0 every planned \
            run is stored, 1 some remain or failed, 66 the folder cannot be read or \
            holds no plan.
            """)

    @Argument(help: "The results folder (compare's results=).")
    var folder: String

    @Option(name: .long, help: "How many remaining runs to list per comparison.")
    var show = 10

    func run() throws {
        let status: StoreStatus
        do { status = try StoreStatus.read(folder) } catch {
            Output.write("fairgrpo status: \(error)\n", to: stderr)
            throw ExitCode(66)
        }
        guard !status.plans.isEmpty else {
            Output.write("fairgrpo status: \(folder): no comparison has been planned here (no plan-*.txt; give compare() results=\"\(folder)\")\n", to: stderr)
            throw ExitCode(66)
        }
        var complete = true
        for (n, plan) in status.plans.enumerated() {
            let header = status.plans.count == 1 ? "comparison" : "comparison \(n + 1) of \(status.plans.count)"
            print("\(header) (\(plan.file)): \(plan.methods.joined(separator: ", ")) × seeds \(plan.seeds.joined(separator: ", ")): \(plan.runs) runs")
            print("  stored \(plan.stored.count) · remaining \(plan.remaining.count + plan.unusable.count) · failed \(plan.failed.count)")
            for f in plan.failed {
                // Training errors already start with the run ("grpo seed 3: …").
                let message = f.message.hasPrefix(f.run + ": ") ? String(f.message.dropFirst(f.run.count + 2)) : f.message
                print("  failed: \(f.run): \(message.prefix(300))")
            }
            for u in plan.unusable { print("  damaged (trained again next time): \(u.run): \(u.reason)") }
            if !plan.remaining.isEmpty {
                let listed = plan.remaining.prefix(max(0, show))
                print("  remaining: " + listed.joined(separator: ", ") + (plan.remaining.count > listed.count ? ", … and \(plan.remaining.count - listed.count) more" : ""))
            }
            if plan.stored.count < plan.runs { complete = false }
        }
        if status.unplanned > 0 {
            print("\(status.unplanned) stored run\(status.unplanned == 1 ? "" : "s") belong\(status.unplanned == 1 ? "s" : "") to no plan here (settings since changed)")
        }
        if !complete { throw ExitCode(1) }
    }
}
