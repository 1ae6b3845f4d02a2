// libFuzzer entry point for the data loaders: the CSV reader and loader
// (then every dataset operation on what they load) and the PNG decoder with
// resizing. Built by scripts/fuzz-data against the Tensors and Data modules.
//
// The first byte of an input chooses what the rest is:
//
//   bit 0       0 = CSV, 1 = PNG
//   CSV: bits 1-4 give the last column the label role and, when set, column 0
//        an attribute, column 1 the domain, column 2 the patient id, column 3
//        the id; bits 5-6 choose the split's stratification; bit 7 forces a
//        semicolon delimiter.
//   PNG: bits 1-2 choose gray, RGB or RGBA output; bits 3-7 the size to
//        resize to (1-32 pixels square).
//
// Loading may fail with a DataError (that is the point of the messages); it
// must never crash, hang or read out of bounds.

import Data
import Tensors

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataLoaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let selector = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if selector & 1 == 0 {
        fuzzCSV(bytes, selector: selector)
    } else {
        fuzzPNG(bytes, selector: selector)
    }
    return 0
}

/// Tokenises, then loads with roles picked from the header, then runs the
/// dataset operations a notebook would.
private func fuzzCSV(_ bytes: [UInt8], selector: UInt8) {
    let delimiter: UInt8? = selector & 0x80 != 0 ? UInt8(ascii: ";") : nil
    guard let reader = try? CSVReader(bytes: bytes, file: "fuzz.csv", delimiter: delimiter) else { return }
    var header: [String] = []
    var checksum = 0
    _ = try? reader.forEachRecord { line, fields in
        if header.isEmpty { header = fields.map { reader.text($0) } }
        for f in fields {
            checksum &+= reader.text(f).utf8.count &+ (reader.isMissing(f) ? 1 : 0) &+ (reader.number(f) == nil ? 0 : 2) &+ line
        }
    }
    guard !header.isEmpty else { return }

    var roles = CSVRoles(label: header[header.count - 1])
    roles.delimiter = delimiter
    let others = Array(header.dropLast())
    if selector & 0x02 != 0, others.count > 0 { roles.attributes = [others[0]] }
    if selector & 0x04 != 0, others.count > 1 { roles.domain = others[1] }
    if selector & 0x08 != 0, others.count > 2 { roles.groupID = others[2] }
    if selector & 0x10 != 0, others.count > 3 { roles.id = others[3] }
    guard let d = try? CSVLoader.load(bytes: bytes, file: "fuzz.csv", roles: roles, name: "fuzz") else { return }
    exercise(d, selector: selector, checksum: &checksum)

    // What save_csv writes must load back.
    var back = CSVRoles(label: "label")
    back.attributes = d.attributes.map(\.name)
    back.domain = "domain"
    back.id = "id"
    if d.groupIDs != nil { back.groupID = "group_id" }
    let text = Array(d.csvText().utf8)
    do {
        let reloaded = try CSVLoader.load(bytes: text, file: "saved.csv", roles: back, name: "saved")
        if reloaded.count != d.count { fatalError("save_csv round trip changed the row count: \(d.count) → \(reloaded.count)") }
    } catch {
        fatalError("save_csv output does not load back: \(error)\n\(String(decoding: text.prefix(2000), as: UTF8.self))")
    }
    if checksum == 42 { print("") }  // keep the work observable
}

private func exercise(_ d: Dataset, selector: UInt8, checksum: inout Int) {
    checksum &+= d.describe().utf8.count
    checksum &+= String(describing: d.head(3)).utf8.count
    checksum &+= d.groupKeys().count &+ d.groupKeys(truth: true).count
    if let masked = try? d.masked(attribute: nil, fraction: 0.5, seed: UInt64(selector)) {
        checksum &+= masked.describe().utf8.count
    }
    if let first = d.domainNames.first, let part = try? d.filtered(domain: first, group: d.groupKeys().first) {
        checksum &+= part.describe().utf8.count
    }
    let stratify: [Dataset.Stratification] = [.none, .label, .group, .none]
    if let (train, test) = try? d.split(test: 0.3, seed: UInt64(selector), stratify: stratify[Int(selector >> 5) & 3],
                                        groupedByID: d.groupIDs != nil) {
        if train.count + test.count != d.count { fatalError("split lost rows: \(train.count) + \(test.count) != \(d.count)") }
        if train.count == 0 || test.count == 0 { fatalError("split left one side empty") }
        checksum &+= String(describing: train.head(2)).utf8.count &+ String(describing: test.head(2)).utf8.count
    }
}

/// Decodes to the chosen channel count and resizes; checks the result's shape.
private func fuzzPNG(_ bytes: [UInt8], selector: UInt8) {
    let channels = [1, 3, 4, 1][Int(selector >> 1) & 3]
    let side = Int(selector >> 3) + 1
    guard let image = try? PNG.decode(bytes, channels: channels, name: "fuzz.png") else { return }
    if image.pixels.count != image.width * image.height * channels {
        fatalError("decoded \(image.pixels.count) bytes for \(image.width)×\(image.height)×\(channels)")
    }
    let small = PNG.resized(image, width: side, height: side)
    if small.pixels.count != side * side * channels { fatalError("resized to the wrong size") }
    // An encoded copy decodes to the same pixels.
    if image.width * image.height <= 1 << 16, let encoded = try? PNG.encode(image) {
        guard let again = try? PNG.decode(encoded, channels: channels, name: "again.png"), again.pixels == image.pixels else {
            fatalError("re-encoding a decoded PNG changed its pixels")
        }
    }
}
