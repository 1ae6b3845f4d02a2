import Tensors

/// Parameters on disk: a small versioned binary format.
///
/// ```
/// magic    8 bytes  "FGRPOPRM"
/// version  u32      1
/// count    u32      number of tensors
/// count ×  name (u32 length + UTF-8), rank (u32), dims (rank × i64), elements (f32)
/// crc32    u32      CRC-32 of every byte before it
/// ```
/// All integers and floats are little-endian. Writes are atomic; reads check
/// the magic, version, every length against the bytes left, and the checksum,
/// so a truncated, corrupted or foreign file is a clear error.
public enum ParameterFile {
    public static let magic: [UInt8] = Array("FGRPOPRM".utf8)
    public static let version: UInt32 = 1

    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case notAParameterFile(path: String)
        case unsupportedVersion(path: String, found: UInt32)
        case checksumMismatch(path: String)
        case malformed(path: String, ArchiveError)
        case mismatch(path: String, String)

        public var description: String {
            switch self {
            case .notAParameterFile(let path):
                return "\(path): not a fairgrpo parameter file (wrong magic bytes)"
            case let .unsupportedVersion(path, found):
                return "\(path): parameter file version \(found) is not supported (this build reads version \(ParameterFile.version))"
            case .checksumMismatch(let path):
                return "\(path): checksum mismatch: the file is corrupt or was modified"
            case let .malformed(path, error):
                return "\(path): \(error)"
            case let .mismatch(path, message):
                return "\(path): \(message)"
            }
        }
    }

    /// Encodes named tensors.
    public static func encode(_ tensors: [(String, Tensor)]) -> [UInt8] {
        var w = BinaryWriter()
        w.writeBytes(magic)
        w.write(version)
        w.write(UInt32(tensors.count))
        for (name, t) in tensors {
            w.write(name)
            w.write(t)
        }
        w.write(CRC32.checksum(w.bytes))
        return w.bytes
    }

    /// Decodes named tensors; `path` only labels errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> [(String, Tensor)] {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw LoadError.notAParameterFile(path: path)
        }
        do {
            guard bytes.count >= magic.count + 8 + 4 else {
                throw ArchiveError.truncated(what: "the header", offset: 0, needed: magic.count + 12, available: bytes.count)
            }
            let body = bytes[0..<(bytes.count - 4)]
            var tail = BinaryReader(Array(bytes[(bytes.count - 4)...]))
            let stored = try tail.readUInt32("the checksum")
            var r = BinaryReader(Array(body))
            _ = try r.readBytes(magic.count, "the magic bytes")
            let v = try r.readUInt32("the version")
            guard v == version else { throw LoadError.unsupportedVersion(path: path, found: v) }
            guard CRC32.checksum(body) == stored else { throw LoadError.checksumMismatch(path: path) }
            let count = Int(try r.readUInt32("the tensor count"))
            var out: [(String, Tensor)] = []
            for i in 0..<count {
                let name = try r.readString("the name of tensor \(i)")
                out.append((name, try r.readTensor("tensor '\(name)'")))
            }
            guard r.remaining == 0 else { throw ArchiveError.corrupt("\(r.remaining) unexpected bytes after the last tensor") }
            return out
        } catch let e as ArchiveError {
            throw LoadError.malformed(path: path, e)
        }
    }

    /// Saves a layer's parameters atomically.
    public static func save(_ layer: Layer, to path: String) throws {
        try FileIO.writeAtomically(encode(layer.parameters.map { ($0.name, $0.value) }), to: path)
    }

    /// Loads parameters saved from a layer of the same architecture, checking
    /// names and shapes before changing anything (all or nothing).
    public static func load(_ layer: Layer, from path: String) throws {
        let loaded = try decode(try FileIO.read(path, regularOnly: true), path: path)
        let params = layer.parameters
        guard loaded.count == params.count else {
            throw LoadError.mismatch(path: path, "holds \(loaded.count) tensors but the model has \(params.count) parameters")
        }
        for (p, (name, t)) in zip(params, loaded) {
            guard p.name == name, p.shape == t.shape else {
                throw LoadError.mismatch(path: path,
                    "tensor '\(name)' \(formatShape(t.shape)) does not fit parameter '\(p.name)' \(formatShape(p.shape))")
            }
        }
        for (p, (_, t)) in zip(params, loaded) { p.value = t.requiringGrad(p.name) }
    }
}
