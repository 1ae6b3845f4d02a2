/// Little-endian binary encoding with bounds-checked decoding, shared by every
/// file format of the project (parameters, checkpoints). A reader never reads
/// past its buffer: a truncated or foreign file is an `ArchiveError`, never a crash.
public struct BinaryWriter {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    public mutating func write(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ v: Int) { write(UInt64(bitPattern: Int64(v))) }
    public mutating func write(_ v: Double) { write(v.bitPattern) }
    public mutating func write(_ v: Float) { write(v.bitPattern) }
    public mutating func write(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func writeBytes(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    public mutating func write(_ s: String) {
        let utf8 = Array(s.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    public mutating func write(_ floats: UnsafeBufferPointer<Float>) {
        for f in floats { write(f) }
    }
    /// A tensor: rank, dimensions, then its elements.
    public mutating func write(_ t: Tensor) {
        write(UInt32(t.rank))
        for d in t.shape { write(d) }
        t.withUnsafeBufferPointer { write($0) }
    }
}

/// Why a file could not be decoded.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    case corrupt(String)

    public var description: String {
        switch self {
        case let .truncated(what, offset, needed, available):
            return "file is truncated: reading \(what) at byte \(offset) needs \(needed) bytes but only \(available) remain"
        case let .corrupt(message):
            return "file is corrupt: \(message)"
        }
    }
}

public struct BinaryReader {
    public let bytes: [UInt8]
    public private(set) var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else {
            throw ArchiveError.truncated(what: what, offset: offset, needed: n, available: remaining)
        }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    public mutating func readUInt32(_ what: String = "an integer") throws -> UInt32 {
        let s = try take(4, what)
        return s.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    public mutating func readUInt64(_ what: String = "an integer") throws -> UInt64 {
        let s = try take(8, what)
        return s.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    public mutating func readInt(_ what: String = "an integer") throws -> Int {
        let v = Int64(bitPattern: try readUInt64(what))
        guard let i = Int(exactly: v) else { throw ArchiveError.corrupt("\(what) \(v) is out of range") }
        return i
    }
    public mutating func readDouble(_ what: String = "a number") throws -> Double { Double(bitPattern: try readUInt64(what)) }
    public mutating func readFloat(_ what: String = "a number") throws -> Float { Float(bitPattern: try readUInt32(what)) }
    public mutating func readBool(_ what: String = "a flag") throws -> Bool {
        let b = try take(1, what).first!
        guard b <= 1 else { throw ArchiveError.corrupt("\(what) has value \(b), expected 0 or 1") }
        return b == 1
    }
    public mutating func readBytes(_ n: Int, _ what: String) throws -> [UInt8] { Array(try take(n, what)) }
    public mutating func readString(_ what: String = "a name", maxLength: Int = 1 << 20) throws -> String {
        let n = Int(try readUInt32("the length of \(what)"))
        guard n <= maxLength else { throw ArchiveError.corrupt("\(what) claims \(n) bytes") }
        let raw = try take(n, what)
        guard let s = String(validating: raw, as: UTF8.self) else { throw ArchiveError.corrupt("\(what) is not valid UTF-8") }
        return s
    }
    /// A tensor written by `BinaryWriter.write(_: Tensor)`. Sizes are checked
    /// against the bytes left before anything is allocated.
    public mutating func readTensor(_ what: String = "a tensor") throws -> Tensor {
        let rank = Int(try readUInt32("the rank of \(what)"))
        guard rank <= 16 else { throw ArchiveError.corrupt("\(what) claims rank \(rank)") }
        var shape: [Int] = []
        for _ in 0..<rank {
            let d = try readInt("a dimension of \(what)")
            guard d >= 0 else { throw ArchiveError.corrupt("\(what) claims a dimension of \(d)") }
            shape.append(d)
        }
        // A zero dimension makes the tensor empty whatever the others are
        // (and its dimensions are followed by no elements).
        var count = shape.contains(0) ? 0 : 1
        for d in shape where count > 0 {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= remaining / 4 else {
                throw ArchiveError.truncated(what: "the elements of \(what)", offset: offset,
                                             needed: overflow || product > Int.max / 4 ? Int.max : 4 * product,
                                             available: remaining)
            }
            count = product
        }
        let raw = try take(4 * count, "the elements of \(what)")
        var t = Tensor.zeros(shape)
        t.withUnsafeMutableBufferPointer { dst in
            var i = raw.startIndex
            for k in 0..<count {
                dst[k] = Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
                i += 4
            }
        }
        return t
    }
}

/// CRC-32 (IEEE 802.3, the one zlib and PNG use).
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
