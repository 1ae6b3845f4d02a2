// k-means benchmark, the Swift side of scripts/bench/kmeans_bench.py, which
// writes the data and runs scikit-learn's KMeans on the same rows.
//
//   fairgrpo-bench kmeans --data PATH [--rows 200000] [--dims 32] [--k 8]
//                         [--n-init 4] [--max-iter 100] [--tol 1e-4] [--seed 0]
//                         [--rounds 1] [--labels PATH]
//
// PATH holds rows × dims float32 values, little-endian, row-major. Each round
// prints one JSON line:
//   {"bench":"kmeans","round":0,"rows":200000,"dims":32,"k":8,"seconds":1.23,
//    "inertia":...,"iterations":...,"labels":"PATH","core":"Haswell","threads":2}
// Only the fit is timed. The labels of the last round are written to the
// --labels file (one integer per line) when given.
import Cluster
import Tensors

#if canImport(Glibc)
import Glibc
#endif

struct KMeansBenchError: Error, CustomStringConvertible {
    let description: String
}

func kmeansBench(_ args: [String]) throws {
    func value(_ name: String) -> String? {
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        return args[i + 1]
    }
    func integer(_ name: String, _ fallback: Int) throws -> Int {
        guard let s = value(name) else { return fallback }
        guard let v = Int(s) else { throw KMeansBenchError(description: "\(name) expects an integer, got \(s)") }
        return v
    }
    guard let path = value("--data") else {
        throw KMeansBenchError(description: "kmeans: --data PATH (raw float32 rows) is required")
    }
    let rows = try integer("--rows", 200_000), dims = try integer("--dims", 32), k = try integer("--k", 8)
    let nInit = try integer("--n-init", 4), maxIter = try integer("--max-iter", 100)
    let seed = try integer("--seed", 0), rounds = max(1, try integer("--rounds", 1))
    let tol = try value("--tol").map { s -> Double in
        guard let t = Double(s) else { throw KMeansBenchError(description: "--tol expects a number, got \(s)") }
        return t
    } ?? 1e-4

    let file = try MappedFile(path: path)
    guard file.count == rows * dims * 4 else {
        throw KMeansBenchError(description: "kmeans: \(path) has \(file.count) bytes, expected \(rows) × \(dims) × 4")
    }
    var scalars = [Float](repeating: 0, count: rows * dims)
    scalars.withUnsafeMutableBytes { out in
        UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(start: file.pointer, count: file.count))
    }
    #if _endian(big)
    scalars = scalars.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    #endif
    let x = try Tensor(shape: [rows, dims], scalars: scalars)
    let model = KMeans(k: k, nInit: nInit, maxIter: maxIter, tol: tol, seed: UInt64(max(0, seed)))
    let labelsPath = value("--labels")
    for round in 0..<rounds {
        let t0 = monotonicSeconds()
        let result = try model.fit(x)
        let seconds = monotonicSeconds() - t0
        if round == rounds - 1, let labelsPath {
            let text = result.labels.map(String.init).joined(separator: "\n") + "\n"
            try FileIO.writeAtomically(Array(text.utf8), to: labelsPath)
        }
        let fields: [(String, String)] = [
            ("bench", "\"kmeans\""), ("round", String(round)), ("rows", String(rows)), ("dims", String(dims)),
            ("k", String(k)), ("seconds", String(seconds)), ("inertia", String(result.inertia)),
            ("iterations", String(result.iterations)), ("labels", labelsPath.map { "\"\($0)\"" } ?? "null"),
            ("core", "\"\(BLAS.coreName)\""), ("threads", String(BLAS.threadCount)),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
}
