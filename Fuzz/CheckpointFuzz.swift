// libFuzzer entry point for checkpoint loading: every section of the format
// (dataset, configuration, policy, optimizer, progress, statistics, history,
// named sections) decoded from arbitrary bytes. Built by
// scripts/fuzz-checkpoint against the Tensors, Render, Data, NN, Cluster,
// Fairness and RL modules.
//
// An input is a checkpoint without its last four bytes: the harness appends
// the right CRC-32, so mutations reach the decoder instead of stopping at the
// checksum. Loading may fail with a LoadError (with a message); it must never
// crash, hang, or allocate what the file only claims to hold (libFuzzer's
// -rss_limit_mb and -malloc_limit_mb catch that).

@testable import RL
import Tensors

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let crc = CRC32.checksum(bytes)
    withUnsafeBytes(of: crc.littleEndian) { bytes.append(contentsOf: $0) }
    do {
        let trainer = try Checkpoint.decode(bytes, path: "fuzz.ckpt", reward: nil)
        // What a notebook does next with a loaded trainer.
        _ = trainer.history.count
        _ = trainer.policy.parameters.count
    } catch {
        _ = "\(error)"
    }
    // And a reward function given for a run that had none.
    _ = try? Checkpoint.decode(bytes, path: "fuzz.ckpt", reward: { a, l, _ in a == l ? 1 : 0 })
    return 0
}
