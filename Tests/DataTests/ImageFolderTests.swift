import Foundation
import Data
import Tensors
import Testing
import TestSupport

@Suite("Image folders")
struct ImageFolderTests {
    func roles() -> CSVRoles {
        var roles = CSVRoles(label: "finding")
        roles.attributes = ["sex", "age"]
        roles.domain = "site"
        return roles
    }

    @Test("a manifest gives labels, attributes, domains and resized gray pixels in [0, 1]")
    func grayManifest() throws {
        let d = try ImageFolder.load(manifest: Fixtures.png("manifest.csv"), roles: roles(), size: 2)
        #expect(d.name == "manifest")
        #expect(d.count == 4)
        #expect(d.ids == ["gray8.png", "rgb8.png", "palette8.png", "graya8.png"])
        #expect(d.classNames == ["abnormal", "normal"])
        #expect(d.labels == [1, 0, 1, 0])
        #expect(d.attributes.map(\.name) == ["sex", "age"])
        #expect(d.attributes[0].codes == [0, 1, 1, 0])
        #expect(d.attributes[1].codes == [1, 3, -1, 0])  // 30, 80, missing, 20
        #expect(d.domainNames == ["north", "south"])
        #expect(d.domains == [0, 1, 0, 1])
        #expect(d.featureNames == ["px0", "px1", "px2", "px3"])
        let expected: [[Double]] = [
            [43, 213, 13, 27],  // gray8 3×2 shrunk across (see PNGTests.shrinkOneAxis)
            [126, 219, 76, 100],  // rgb8 converted to gray
            [0, 255, 172, 255],  // palette8
            [100, 0, 100, 0],  // graya8 2×1 (alpha composited on black) stretched down
        ].map { $0.map { $0 / 255 } }
        for (r, row) in rows(d.rawFeatures).enumerated() {
            #expect(sameValues(row, expected[r], tolerance: 1e-6), "row \(r): \(row)")
        }
        // Pixels are not standardised: the features are the pixels.
        #expect(d.features.scalars == d.rawFeatures.scalars)
        #expect(d.notes.last == "4 images, 2×2 gray, pixels scaled to [0, 1]")
    }

    @Test("color=true keeps three channels per pixel")
    func colorManifest() throws {
        let d = try ImageFolder.load(manifest: Fixtures.png("manifest.csv"), roles: roles(), size: 2, color: true)
        #expect(d.featureCount == 12)
        #expect(rows(d.rawFeatures)[1].map { Int(($0 * 255).rounded()) } == [255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 100, 100])
        #expect(d.notes.last == "4 images, 2×2 RGB, pixels scaled to [0, 1]")
    }

    @Test("a missing image file is an error naming it")
    func missingImage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let manifest = try dir.write("manifest.csv", "path,finding\n\(Fixtures.png("gray8.png")),a\nscans/missing.png,b\n")
        let error = #expect(throws: DataError.self) { try ImageFolder.load(manifest: manifest, roles: CSVRoles(label: "finding"), allowOutside: true) }
        guard case .badFile(file: let f, reason: let r)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(f == dir.file("scans/missing.png"))
        #expect(r.hasPrefix("cannot read"))
    }

    @Test("a corrupt image in the manifest is an error naming it")
    func corruptImage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let bad = Fixtures.png("bad_crc.png")
        let manifest = try dir.write("manifest.csv", "path,finding\n\(Fixtures.png("gray8.png")),a\n\(bad),b\n")
        let error = #expect(throws: DataError.self) { try ImageFolder.load(manifest: manifest, roles: CSVRoles(label: "finding"), allowOutside: true) }
        guard case .badFile(file: let f, reason: _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(f == bad)
    }

    @Test("rows after blank lines and quoted newlines get their own images; unlabelled rows are dropped")
    func manifestLineStructure() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let gray = Fixtures.png("gray8.png"), rgb = Fixtures.png("rgb8.png"), palette = Fixtures.png("palette8.png")
        let text = "path,finding,note\n\(gray),a,\"two\nlines\"\n\(rgb),,unlabelled\n\n\(palette),b,x\n"
        let manifest = try dir.write("manifest.csv", text)
        let d = try ImageFolder.load(manifest: manifest, roles: CSVRoles(label: "finding"), size: 2, allowOutside: true)
        #expect(d.ids == [gray, palette])
        #expect(d.labels == [0, 1])
        #expect(rows(d.rawFeatures)[1].map { Int(($0 * 255).rounded()) } == [0, 255, 172, 255])
        #expect(d.notes.contains("1 rows without a label were dropped"))
    }

    @Test("manifest errors: no path column, bad size, ragged row")
    func manifestErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let noPath = try dir.write("nopath.csv", "file,finding\na.png,x\n")
        #expect(throws: DataError.unknownColumn(file: noPath, role: "path", name: "path", available: ["file", "finding"])) {
            try ImageFolder.load(manifest: noPath, roles: CSVRoles(label: "finding"))
        }
        #expect(throws: DataError.invalidArgument("size must be 1…512, got 0")) {
            try ImageFolder.load(manifest: noPath, roles: CSVRoles(label: "finding"), size: 0)
        }
        let ragged = try dir.write("ragged.csv", "path,finding\na.png,x\nb.png\n")
        #expect(throws: DataError.malformed(file: ragged, line: 3, column: nil, reason: "this row has 1 fields but the header has 2")) {
            try ImageFolder.load(manifest: ragged, roles: CSVRoles(label: "finding"))
        }
    }

    @Test("paths leading outside the manifest's folder are refused unless allowed",
          arguments: ["../outside.png", "/etc/passwd", "inner/../../outside.png", "link.png", "inner/link-to-parent/outside.png"])
    func confinedToFolder(path: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let gray = try FileIO.read(Fixtures.png("gray8.png"))
        try FileManager.default.createDirectory(atPath: dir.file("scans/inner"), withIntermediateDirectories: true)
        _ = try dir.write("outside.png", bytes: gray)
        _ = try dir.write("scans/inside.png", bytes: gray)
        try FileManager.default.createSymbolicLink(atPath: dir.file("scans/link.png"), withDestinationPath: "../outside.png")
        try FileManager.default.createSymbolicLink(atPath: dir.file("scans/inner/link-to-parent"), withDestinationPath: "../..")
        let manifest = try dir.write("scans/manifest.csv", "path,finding\ninside.png,a\n\(path),b\n")
        #expect(throws: DataError.malformed(file: manifest, line: 3, column: nil,
                                            reason: "the image path '\(path)' leads outside the manifest's folder; pass allow_outside=true to load it")) {
            try ImageFolder.load(manifest: manifest, roles: CSVRoles(label: "finding"), size: 2)
        }
        if path != "/etc/passwd" {
            let d = try ImageFolder.load(manifest: manifest, roles: CSVRoles(label: "finding"), size: 2, allowOutside: true)
            #expect(d.count == 2)
        }
    }

    @Test("paths inside the folder, through links that stay inside, load")
    func insideFolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let gray = try FileIO.read(Fixtures.png("gray8.png"))
        try FileManager.default.createDirectory(atPath: dir.file("scans/a"), withIntermediateDirectories: true)
        _ = try dir.write("scans/a/one.png", bytes: gray)
        try FileManager.default.createSymbolicLink(atPath: dir.file("scans/two.png"), withDestinationPath: "a/one.png")
        let manifest = try dir.write("scans/manifest.csv", "path,finding\na/one.png,a\n./a/../two.png,b\n")
        let d = try ImageFolder.load(manifest: manifest, roles: CSVRoles(label: "finding"), size: 2)
        #expect(d.count == 2)
    }
}
