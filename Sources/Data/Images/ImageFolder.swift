import Render
import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Loads an image dataset: a manifest CSV naming each PNG file (relative to
/// the manifest's folder) with its label, attributes and domain. A path
/// that leads outside that folder (absolute, `..`, or a symbolic link out)
/// is refused unless `allowOutside` is set: a manifest from elsewhere
/// cannot make the loader open arbitrary files. Each image
/// is converted to gray or RGB, resized to size×size, and its pixels
/// (scaled to [0, 1]) become the features.
public enum ImageFolder {
    public static func load(manifest: String, roles: CSVRoles, pathColumn: String = "path", size: Int = 16,
                            color: Bool = false, allowOutside: Bool = false, name: String? = nil) throws -> Dataset {
        guard (1...512).contains(size) else { throw DataError.invalidArgument("size must be 1…512, got \(size)") }
        var csvRoles = roles
        csvRoles.features = nil
        csvRoles.drop = roles.drop + [pathColumn]
        let bytes = try FileIO.read(manifest)
        // The manifest without features: parse roles (the path column is dropped from features).
        let reader = try CSVReader(bytes: bytes, file: manifest, delimiter: roles.delimiter)
        var header: [String] = []
        // Each row's path by the line its record starts on (the loader's ids are line − 1;
        // records and lines differ after blank lines or quoted newlines).
        var pathByLine: [Int: String] = [:]
        try reader.forEachRecord { line, fields in
            if header.isEmpty {
                header = fields.map { reader.text($0) }
                guard header.contains(pathColumn) else {
                    throw DataError.unknownColumn(file: manifest, role: "path", name: pathColumn, available: header)
                }
                return
            }
            guard fields.count == header.count else {
                throw DataError.malformed(file: manifest, line: line, column: nil, reason: "this row has \(fields.count) fields but the header has \(header.count)")
            }
            pathByLine[line] = reader.text(fields[header.firstIndex(of: pathColumn)!])
        }
        // Labels, attributes and domain through the CSV loader, without features.
        var metaRoles = csvRoles
        metaRoles.features = []
        metaRoles.id = nil  // ids are line numbers, to find each row's path
        var meta = try CSVLoader.load(bytes: bytes, file: manifest, roles: metaRoles, name: name ?? CSVLoader.baseName(manifest))
        let folder = manifest.contains("/") ? String(manifest[..<manifest.lastIndex(of: "/")!]) : "."
        let channels = color ? 3 : 1
        let d = size * size * channels
        // Rows kept by the loader (labelled ones) are identified by their line-based ids.
        var flat = [Float](repeating: 0, count: meta.count * d)
        let paths = try meta.ids.map { id -> String in
            guard let line = Int(id).map({ $0 + 1 }), let path = pathByLine[line] else {
                throw DataError.badFile(file: manifest, reason: "cannot find the path of row \(id)")
            }
            return path
        }
        let realFolder = allowOutside ? "" : try canonical(folder, manifest: manifest)
        for (row, relative) in paths.enumerated() {
            let path = relative.hasPrefix("/") ? relative : folder + "/" + relative
            if !allowOutside {
                let line = Int(meta.ids[row]).map { $0 + 1 } ?? 0
                let outside = DataError.malformed(file: manifest, line: line, column: nil,
                    reason: "the image path '\(relative)' leads outside the manifest's folder; pass allow_outside=true to load it")
                if relative.hasPrefix("/") { throw outside }
                // A missing file is reported by the PNG reader; one that
                // exists must resolve (links followed) inside the folder.
                if let real = try? canonical(path, manifest: manifest), !real.hasPrefix(realFolder == "/" ? "/" : realFolder + "/") {
                    throw outside
                }
            }
            let image = PNG.resized(try PNG.read(path, channels: channels), width: size, height: size)
            for j in 0..<d { flat[row * d + j] = Float(image.pixels[j]) / 255 }
        }
        let names = (0..<d).map { "px\($0)" }
        var data = Dataset(name: meta.name, rawFeatures: try Tensor(shape: [meta.count, d], scalars: flat), featureNames: names,
                           numeric: [Bool](repeating: false, count: d), labels: meta.labels, classNames: meta.classNames,
                           attributes: meta.attributes, domains: meta.domains, domainNames: meta.domainNames,
                           ids: paths, groupIDs: meta.groupIDs)
        data.notes = meta.notes.filter { !$0.contains("one-hot") } + ["\(meta.count) images, \(size)×\(size) \(color ? "RGB" : "gray"), pixels scaled to [0, 1]"]
        meta = data
        return meta
    }

    /// The absolute path with every link and `..` resolved.
    static func canonical(_ path: String, manifest: String) throws -> String {
        guard let raw = realpath(path, nil) else {
            throw DataError.badFile(file: manifest, reason: "cannot resolve \(path): \(String(cString: strerror(errno)))")
        }
        defer { free(raw) }
        return String(cString: raw)
    }
}
