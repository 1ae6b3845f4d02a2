import Foundation
import Tensors
import Testing

@Suite("Binary archives and file IO")
struct BinaryArchiveTests {
    static let tensor = try! Tensor(shape: [2, 3], scalars: [1, -2.5, 3.25, .infinity, -0.0, 1e-30])

    /// Writes one value of every kind.
    static func sample() -> [UInt8] {
        var w = BinaryWriter()
        w.write(UInt32(0xDEAD_BEEF))
        w.write(UInt64(0x0123_4567_89AB_CDEF))
        w.write(-42)
        w.write(Double.pi)
        w.write(Float(-1.5))
        w.write(true)
        w.write(false)
        w.write("héllo, wörld ✓")
        w.write("")
        w.writeBytes([9, 8, 7])
        w.write(tensor)
        w.write(Tensor(scalar: 7))
        return w.bytes
    }

    /// Reads back what `sample()` wrote, checking each value.
    static func readSample(_ bytes: [UInt8]) throws {
        var r = BinaryReader(bytes)
        #expect(try r.readUInt32() == 0xDEAD_BEEF)
        #expect(try r.readUInt64() == 0x0123_4567_89AB_CDEF)
        #expect(try r.readInt() == -42)
        #expect(try r.readDouble() == Double.pi)
        #expect(try r.readFloat() == -1.5)
        #expect(try r.readBool() == true)
        #expect(try r.readBool() == false)
        #expect(try r.readString() == "héllo, wörld ✓")
        #expect(try r.readString() == "")
        #expect(try r.readBytes(3, "bytes") == [9, 8, 7])
        let t = try r.readTensor()
        #expect(t.shape == [2, 3])
        #expect(t.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
        let s = try r.readTensor()
        #expect(s.shape == [] && s.scalars == [7])
        #expect(r.remaining == 0)
    }

    @Test("every kind of value round-trips")
    func roundTrip() throws {
        try Self.readSample(Self.sample())
    }

    @Test("integers are little-endian")
    func littleEndian() {
        var w = BinaryWriter()
        w.write(UInt32(0x0403_0201))
        w.write(1.0 as Float)
        #expect(w.bytes == [1, 2, 3, 4, 0x00, 0x00, 0x80, 0x3F])
    }

    @Test("tensors with a zero dimension round-trip", arguments: [[0], [0, 5], [5, 0], [3, 0, 2]])
    func emptyTensor(_ shape: [Int]) throws {
        var w = BinaryWriter()
        w.write(Tensor.zeros(shape))
        var r = BinaryReader(w.bytes)
        let t = try r.readTensor()
        #expect(t.shape == shape)
        #expect(r.remaining == 0)
    }

    @Test("every truncation throws ArchiveError.truncated")
    func truncated() {
        let bytes = Self.sample()
        for length in 0..<bytes.count {
            do {
                try Self.readSample(Array(bytes.prefix(length)))
                Issue.record("a prefix of \(length) of \(bytes.count) bytes decoded")
            } catch let error as ArchiveError {
                guard case .truncated = error else {
                    Issue.record("prefix \(length): \(error) is not a truncation")
                    continue
                }
            } catch {
                Issue.record("prefix \(length): unexpected error \(error)")
            }
        }
    }

    @Test("implausible lengths are rejected before allocating")
    func implausible() {
        // A string claiming 2^32 − 1 bytes.
        var w = BinaryWriter()
        w.write(UInt32.max)
        var r = BinaryReader(w.bytes)
        #expect(throws: ArchiveError.self) { try r.readString() }

        // A tensor of rank 100.
        w = BinaryWriter()
        w.write(UInt32(100))
        r = BinaryReader(w.bytes)
        #expect(throws: ArchiveError.self) { try r.readTensor() }

        // Dimensions whose product overflows, and a negative dimension.
        for dims in [[Int.max, Int.max], [1 << 40, 1 << 40], [-3]] {
            w = BinaryWriter()
            w.write(UInt32(dims.count))
            for d in dims { w.write(d) }
            w.write(Float(1))
            r = BinaryReader(w.bytes)
            #expect(throws: ArchiveError.self) { try r.readTensor() }
        }

        // A flag that is neither 0 nor 1, and invalid UTF-8.
        r = BinaryReader([2])
        #expect(throws: ArchiveError.corrupt("a flag has value 2, expected 0 or 1")) { try r.readBool() }
        r = BinaryReader([2, 0, 0, 0, 0xC3, 0x28])
        #expect(throws: ArchiveError.self) { try r.readString() }
    }

    @Test("truncation errors say what was being read and where")
    func truncationMessage() {
        var r = BinaryReader([1, 2])
        #expect(throws: ArchiveError.truncated(what: "the version", offset: 0, needed: 4, available: 2)) {
            try r.readUInt32("the version")
        }
        #expect(r.offset == 0)  // nothing consumed
    }

    @Test("CRC-32 matches the IEEE check value")
    func crc32() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        let bytes = Array("123456789".utf8)
        #expect(CRC32.checksum(bytes[0...]) == 0xCBF4_3926)
    }

    @Test("files are written atomically and read back; missing paths throw FileError")
    func fileIO() throws {
        let dir = "/tmp/fairgrpo-tensors-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/data.bin"
        let bytes = Self.sample()
        try FileIO.writeAtomically(bytes, to: path)
        #expect(try FileIO.read(path) == bytes)
        try FileIO.writeAtomically([1, 2, 3], to: path)
        #expect(try FileIO.read(path) == [1, 2, 3])
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["data.bin"])
        // A large file (more than one read chunk).
        let large = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try FileIO.writeAtomically(large, to: path)
        #expect(try FileIO.read(path) == large)

        #expect(throws: FileError.self) { try FileIO.read(dir + "/missing.bin") }
        #expect(throws: FileError.self) { try FileIO.read(dir) }
        #expect(throws: FileError.self) { try FileIO.writeAtomically([1], to: dir + "/no/such/dir/file") }
    }
}
