import Tensors

/// What `fairgrpo --version` prints and the REPL banner summarises.
enum VersionInfo {
    static let version = "0.1.0"

    /// e.g. "OpenBLAS 0.3.21 (SkylakeX, 2 threads)".
    static var blasSummary: String {
        "OpenBLAS \(BLAS.version) (\(BLAS.coreName), \(BLAS.threadCount) thread\(BLAS.threadCount == 1 ? "" : "s"))"
    }

    /// The full report: versions, the core and how it was chosen, threads,
    /// and a warning with the fix when the core is slower than the CPU allows.
    static var report: String {
        var lines = ["fairgrpo \(version)"]
        lines.append("OpenBLAS \(BLAS.version): core \(BLAS.coreName), \(BLAS.threadCount) thread\(BLAS.threadCount == 1 ? "" : "s")")
        if let detected = BLASCoreSelection.originallyDetectedCore {
            lines.append("  core chosen by fairgrpo: OpenBLAS detected \(detected), a generic core, on a CPU with faster kernels;"
                + " set OPENBLAS_CORETYPE to choose another")
        } else if BLASCoreSelection.userChoseCore {
            lines.append("  core chosen by OPENBLAS_CORETYPE")
        } else {
            lines.append("  core detected by OpenBLAS")
        }
        lines.append("  build: \(BLAS.configuration.trimmingSpaces)")
        if let warning = BLASCoreSelection.warning() { lines.append(warning) }
        return lines.joined(separator: "\n")
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
