import Foundation
import NN
import Tensors
import TestSupport
import Testing

/// A fresh directory under /tmp, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = "/tmp/fairgrpo-nn-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

func bitPatterns(_ layer: Layer) -> [[UInt32]] { layer.parameters.map { $0.value.scalars.map(\.bitPattern) } }

@Suite("Parameter files")
struct ParameterFileTests {
    func model(_ sizes: [Int], seed: UInt64) -> MLP {
        var rng = SeededGenerator(seed: seed)
        return MLP(sizes, using: &rng)
    }

    /// Expects `body` to throw the given load error.
    func expectLoadError(
        _ expected: ParameterFile.LoadError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        #expect(throws: expected, sourceLocation: sourceLocation, performing: body)
    }

    @Test("save then load restores identical values")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let source = model([3, 5, 2], seed: 1)
        let target = model([3, 5, 2], seed: 2)
        #expect(bitPatterns(source) != bitPatterns(target))
        try ParameterFile.save(source, to: dir.file("model.params"))
        try ParameterFile.load(target, from: dir.file("model.params"))
        #expect(bitPatterns(source) == bitPatterns(target))
        #expect(target.parameters.map(\.name) == source.parameters.map(\.name))
        // Loaded parameters still take part in training.
        #expect(target.parameters.allSatisfy { $0.value.requiresGrad })
        try target(Tensor.ones([1, 3])).sum().backward()
        #expect(target.parameters.allSatisfy { $0.grad != nil })
    }

    @Test("encode and decode round-trip named tensors, including special values")
    func encodeDecode() throws {
        let tensors: [(String, Tensor)] = [
            ("a", try Tensor(shape: [2, 2], scalars: [1, -0.0, .infinity, .leastNonzeroMagnitude])),
            ("scalar", Tensor(scalar: 3)),
            ("empty", Tensor.zeros([0, 4])),
            ("ünïcode name", Tensor([1, 2, 3])),
        ]
        let decoded = try ParameterFile.decode(ParameterFile.encode(tensors))
        #expect(decoded.map(\.0) == tensors.map(\.0))
        #expect(decoded.map(\.1.shape) == tensors.map(\.1.shape))
        #expect(decoded.map { $0.1.scalars.map(\.bitPattern) } == tensors.map { $0.1.scalars.map(\.bitPattern) })
        #expect(try ParameterFile.decode(ParameterFile.encode([])).isEmpty)
    }

    @Test("the header is the magic, version 1, then the tensor count")
    func layout() {
        let bytes = ParameterFile.encode([("x", Tensor([1]))])
        #expect(Array(bytes[0..<8]) == Array("FGRPOPRM".utf8))
        #expect(Array(bytes[8..<16]) == [1, 0, 0, 0, 1, 0, 0, 0])
        // name (4 + 1), rank (4), one dimension (8), one float (4), crc (4)
        #expect(bytes.count == 16 + 5 + 4 + 8 + 4 + 4)
        #expect(Array(bytes.suffix(4)) == withUnsafeBytes(of: CRC32.checksum(bytes.dropLast(4)).littleEndian, Array.init))
    }

    @Test("loading into a model of another shape is a mismatch and changes nothing",
          arguments: [[3, 6, 2], [3, 5, 2, 2], [3, 2]])
    func mismatch(_ otherSizes: [Int]) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("model.params")
        try ParameterFile.save(model([3, 5, 2], seed: 1), to: path)
        let other = model(otherSizes, seed: 3)
        let before = bitPatterns(other)
        do {
            try ParameterFile.load(other, from: path)
            Issue.record("loading parameters of [3, 5, 2] into \(otherSizes) succeeded")
        } catch ParameterFile.LoadError.mismatch(let errorPath, let message) {
            #expect(errorPath == path)
            #expect(!message.isEmpty)
        }
        #expect(bitPatterns(other) == before)
    }

    @Test("a file whose names differ from the model's is a mismatch")
    func nameMismatch() throws {
        let source = model([2, 2], seed: 1)
        let bytes = ParameterFile.encode(source.parameters.map { ($0.name == "layer0.bias" ? "other" : $0.name, $0.value) })
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try FileIO.writeAtomically(bytes, to: dir.file("p"))
        let target = model([2, 2], seed: 2)
        let before = bitPatterns(target)
        #expect {
            try ParameterFile.load(target, from: dir.file("p"))
        } throws: { error in
            guard case ParameterFile.LoadError.mismatch(_, let message)? = error as? ParameterFile.LoadError else { return false }
            return message.contains("other") && message.contains("layer0.bias")
        }
        #expect(bitPatterns(target) == before)
    }

    @Test("every truncated prefix of a file throws, never crashes")
    func truncated() throws {
        let bytes = ParameterFile.encode(model([2, 3, 2], seed: 4).parameters.map { ($0.name, $0.value) })
        for length in 0..<bytes.count {
            #expect(throws: ParameterFile.LoadError.self, "prefix of \(length) bytes") {
                try ParameterFile.decode(Array(bytes.prefix(length)))
            }
        }
        // And through the file system, at a few lengths.
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let target = model([2, 3, 2], seed: 5)
        let before = bitPatterns(target)
        for length in [0, 7, 8, 12, 20, 40, bytes.count - 5, bytes.count - 1] {
            try FileIO.writeAtomically(Array(bytes.prefix(length)), to: dir.file("t"))
            #expect(throws: ParameterFile.LoadError.self) { try ParameterFile.load(target, from: dir.file("t")) }
        }
        #expect(bitPatterns(target) == before)
    }

    @Test("a flipped byte anywhere is detected")
    func flippedByte() throws {
        let bytes = ParameterFile.encode(model([2, 3, 2], seed: 6).parameters.map { ($0.name, $0.value) })
        for i in bytes.indices {
            var corrupt = bytes
            corrupt[i] ^= 0x10
            let expected: ParameterFile.LoadError
            switch i {
            case 0..<8: expected = .notAParameterFile(path: "<memory>")
            case 8..<12: expected = .unsupportedVersion(path: "<memory>", found: 1 ^ (0x10 << (8 * UInt32(i - 8))))
            default: expected = .checksumMismatch(path: "<memory>")
            }
            #expect(throws: expected, "byte \(i)") { try ParameterFile.decode(corrupt) }
        }
    }

    @Test("wrong magic, a newer version, trailing bytes and a missing file")
    func corrupt() throws {
        let bytes = ParameterFile.encode([("x", Tensor([1, 2]))])
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let target = model([2, 2], seed: 1)

        var wrongMagic = bytes
        wrongMagic.replaceSubrange(0..<8, with: Array("PNG\r\n\u{1A}\n\0".utf8))
        try FileIO.writeAtomically(wrongMagic, to: dir.file("magic"))
        expectLoadError(.notAParameterFile(path: dir.file("magic"))) { try ParameterFile.load(target, from: dir.file("magic")) }

        var newer = bytes
        newer[8] = 2
        try FileIO.writeAtomically(newer, to: dir.file("version"))
        expectLoadError(.unsupportedVersion(path: dir.file("version"), found: 2)) {
            try ParameterFile.load(target, from: dir.file("version"))
        }
        // A newer version is reported as such even with a valid checksum.
        var resealed = Array(newer.dropLast(4))
        resealed += withUnsafeBytes(of: CRC32.checksum(resealed).littleEndian, Array.init)
        expectLoadError(.unsupportedVersion(path: "<memory>", found: 2)) { _ = try ParameterFile.decode(resealed) }

        // Extra bytes after the last tensor, under a valid checksum.
        var padded = Array(bytes.dropLast(4)) + [0, 0]
        padded += withUnsafeBytes(of: CRC32.checksum(padded).littleEndian, Array.init)
        #expect {
            try ParameterFile.decode(padded)
        } throws: { error in
            if case .malformed(_, .corrupt)? = error as? ParameterFile.LoadError { return true }
            return false
        }

        // An implausible tensor count under a valid checksum is malformed, not a crash.
        var bigCount = Array(bytes.dropLast(4))
        bigCount.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0xFF])
        bigCount += withUnsafeBytes(of: CRC32.checksum(bigCount).littleEndian, Array.init)
        #expect(throws: ParameterFile.LoadError.self) { try ParameterFile.decode(bigCount) }

        #expect(throws: FileError.self) { try ParameterFile.load(target, from: dir.file("does-not-exist")) }
        #expect(throws: (any Error).self) { try ParameterFile.save(target, to: dir.file("missing-dir/model.params")) }
    }

    @Test("error messages name the path")
    func messages() {
        let errors: [ParameterFile.LoadError] = [
            .notAParameterFile(path: "/x/p"), .unsupportedVersion(path: "/x/p", found: 9),
            .checksumMismatch(path: "/x/p"), .malformed(path: "/x/p", .corrupt("bad")), .mismatch(path: "/x/p", "shape"),
        ]
        for e in errors { #expect(e.description.hasPrefix("/x/p: ")) }
        #expect(errors[1].description.contains("9"))
    }
}
