import CSystem

#if canImport(Glibc)
import Glibc
#endif

/// Chooses OpenBLAS's kernels when its own detection falls back to a generic
/// core.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent Xeon models and runs its
/// "Prescott" kernels, several times slower than the AVX-512 ("SkylakeX") or
/// AVX2 ("Haswell") ones the CPU supports. OpenBLAS reads `OPENBLAS_CORETYPE`
/// once, in its load-time constructor, before any of our code runs; so the
/// only way to change the core is to set the variable and start the process
/// again. `ensureFastCore(arguments:)` does that at the very start of `main`,
/// once, and only when the user has not chosen a core themselves.
public enum BLASCoreSelection {
    /// Cores that OpenBLAS picks when it does not know the CPU; all lack AVX.
    public static let genericCores: Set<String> = [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine",
        "Northwood", "Banias", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "generic", "Unknown",
    ]
    /// Cores without AVX2/AVX-512 kernels that a capable CPU should not run.
    static let preAVX2Cores: Set<String> = ["Sandybridge", "Bulldozer", "Piledriver"]

    /// Set in the restarted process so a failed selection never loops.
    public static let markerVariable = "FAIRGRPO_BLAS_CORE_SELECTED"

    /// The core worth running on this CPU, or nil when OpenBLAS's choice is fine.
    public static func recommendedCore(current: String = BLAS.coreName) -> String? {
        let weak = genericCores.contains(current) || preAVX2Cores.contains(current)
        guard weak else { return nil }
        if fg_cpu_has_avx512() != 0 { return "SkylakeX" }
        if fg_cpu_has_avx2() != 0 { return "Haswell" }
        return nil
    }

    /// Whether the user chose a core (`OPENBLAS_CORETYPE` is set).
    public static var userChoseCore: Bool { getenv("OPENBLAS_CORETYPE") != nil && !coreWasSelected }

    /// Whether this process was restarted by `ensureFastCore` to change the core.
    public static var coreWasSelected: Bool { getenv(markerVariable) != nil }

    /// The generic core OpenBLAS had picked before `ensureFastCore` replaced it.
    public static var originallyDetectedCore: String? {
        guard let raw = getenv(markerVariable) else { return nil }
        return String(cString: raw)
    }

    /// Restarts the process with a better `OPENBLAS_CORETYPE` when OpenBLAS
    /// chose a generic core on a CPU with AVX2 or AVX-512 and the user has not
    /// set the variable. Returns normally when nothing needs doing, or when the
    /// restart failed (then `--version` shows the warning and the fix).
    public static func ensureFastCore(arguments: [String]) {
        guard !userChoseCore, !coreWasSelected, let core = recommendedCore() else { return }
        let detected = BLAS.coreName
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(markerVariable, detected, 1)
        var cArgs: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArgs.append(nil)
        _ = fg_reexec_self(&cArgs)
        // Still here: exec failed. Undo, so child processes see the real state.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(markerVariable)
        for p in cArgs { free(p) }
    }

    /// One line for `--version`: the warning with its fix, or nil when the core is good.
    public static func warning() -> String? {
        guard let better = recommendedCore() else { return nil }
        return "warning: OpenBLAS runs its generic \(BLAS.coreName) kernels on a CPU that supports faster ones; "
            + "set OPENBLAS_CORETYPE=\(better) (or unset OPENBLAS_CORETYPE to let fairgrpo choose)"
    }
}
