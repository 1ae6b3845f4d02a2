import ArgumentParser
import Tensors

/// The `fairgrpo` command: the REPL with no arguments, or a subcommand.
@main
struct FairgrpoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fairgrpo",
        abstract: "A notebook-style REPL and scripting environment for fairness-aware reinforcement learning (FairGRPO).",
        discussion: """
            With no subcommand, starts the interactive REPL.

            Performance: OpenBLAS reads OPENBLAS_CORETYPE when it loads. When it \
            would run its generic kernels on a CPU with AVX2 or AVX-512, fairgrpo \
            restarts itself once with the right core (SkylakeX or Haswell). Set \
            OPENBLAS_CORETYPE yourself to choose another; `fairgrpo --version` \
            shows the core in use.
            """,
        subcommands: [])

    @Flag(name: .long, help: "Print the version, the OpenBLAS version, its core and threads, and exit.")
    var version = false

    static func main() {
        // Must run before anything uses OpenBLAS (see BLASCoreSelection).
        BLASCoreSelection.ensureFastCore(arguments: CommandLine.arguments)
        main(nil)
    }

    func run() throws {
        if version {
            print(VersionInfo.report)
            return
        }
        print("fairgrpo \(VersionInfo.version) · \(VersionInfo.blasSummary)")
    }
}
