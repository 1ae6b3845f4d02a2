import Data
import Foundation
import Tensors
import Testing
import TestSupport

/// The fixtures come from scripts/make_png_fixtures.py, which lists every pixel.
@Suite("PNG decoding and resizing")
struct PNGTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var width: Int, height: Int
        var gray: [UInt8]
        var rgb: [UInt8]
        var testDescription: String { file }
    }

    /// Exact decoded values. Gray images replicate into RGB; RGB images become
    /// gray by libpng's conversion (checked against the formula separately).
    static let cases: [Case] = [
        Case(file: "gray8.png", width: 3, height: 2, gray: [0, 128, 255, 10, 20, 30],
             rgb: [0, 0, 0, 128, 128, 128, 255, 255, 255, 10, 10, 10, 20, 20, 20, 30, 30, 30]),
        // 16-bit values k·257 scale to exactly k (the file has no gamma chunk: read as sRGB, not linear).
        Case(file: "gray16.png", width: 2, height: 2, gray: [0, 128, 255, 10],
             rgb: [0, 0, 0, 128, 128, 128, 255, 255, 255, 10, 10, 10]),
        Case(file: "gray1.png", width: 5, height: 2, gray: [255, 0, 255, 255, 0, 0, 255, 0, 255, 255],
             rgb: [255, 0, 255, 255, 0, 0, 255, 0, 255, 255].flatMap { [$0, $0, $0] }),
        Case(file: "gray2.png", width: 3, height: 1, gray: [0, 85, 255], rgb: [0, 0, 0, 85, 85, 85, 255, 255, 255]),
        Case(file: "rgb8.png", width: 2, height: 2, gray: [126, 219, 76, 100],
             rgb: [255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 100, 100]),
        // Alpha is removed by compositing on black, in linear light: white at alpha 128 is 188.
        Case(file: "rgba8.png", width: 3, height: 1, gray: [128, 0, 188], rgb: [200, 100, 50, 0, 0, 0, 188, 188, 188]),
        Case(file: "palette4.png", width: 3, height: 2, gray: [0, 255, 172, 172, 255, 0],
             rgb: [0, 0, 0, 255, 255, 255, 10, 200, 30, 10, 200, 30, 255, 255, 255, 0, 0, 0]),
        Case(file: "palette8.png", width: 2, height: 2, gray: [0, 255, 172, 255],
             rgb: [0, 0, 0, 255, 255, 255, 10, 200, 30, 255, 255, 255]),
        Case(file: "graya8.png", width: 2, height: 1, gray: [100, 0], rgb: [100, 100, 100, 0, 0, 0]),
        Case(file: "rgb16.png", width: 1, height: 2, gray: [130, 10], rgb: [255, 0, 128, 10, 10, 10]),
        // 16-bit alpha: half-transparent white over black is 188 as in the 8-bit case.
        Case(file: "graya16.png", width: 3, height: 1, gray: [255, 188, 0], rgb: [255, 255, 255, 188, 188, 188, 0, 0, 0]),
    ]

    @Test("decodes every colour type and bit depth to 8-bit gray and RGB", arguments: cases)
    func decode(_ c: Case) throws {
        let gray = try PNG.read(Fixtures.png(c.file), channels: 1)
        #expect(gray.width == c.width && gray.height == c.height && gray.channels == 1)
        #expect(gray.pixels == c.gray)
        let rgb = try PNG.read(Fixtures.png(c.file), channels: 3)
        #expect(rgb.width == c.width && rgb.height == c.height && rgb.channels == 3)
        #expect(rgb.pixels == c.rgb)
    }

    /// sRGB → linear, Rec. 709 luminance, → sRGB: what the gray conversion computes.
    static func luminance(_ r: Double, _ g: Double, _ b: Double) -> Double {
        func linear(_ c: Double) -> Double { let v = c / 255; return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
        let y = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
        return 255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * pow(y, 1 / 2.4) - 0.055)
    }

    @Test("colour to gray follows the sRGB luminance formula (within libpng's table rounding)")
    func grayConversionFormula() throws {
        let rgb = try PNG.read(Fixtures.png("rgb8.png"), channels: 3).pixels
        let gray = try PNG.read(Fixtures.png("rgb8.png"), channels: 1).pixels
        for i in 0..<4 {
            let expected = Self.luminance(Double(rgb[3 * i]), Double(rgb[3 * i + 1]), Double(rgb[3 * i + 2]))
            #expect(abs(Double(gray[i]) - expected) <= 1.5, "pixel \(i): \(gray[i]) vs \(expected)")
        }
        let palette = try PNG.read(Fixtures.png("palette8.png"), channels: 1).pixels
        #expect(abs(Double(palette[2]) - Self.luminance(10, 200, 30)) <= 1.5)
    }

    @Test("RGBA output keeps the alpha channel")
    func rgbaOutput() throws {
        let image = try PNG.read(Fixtures.png("rgba8.png"), channels: 4)
        #expect(image.pixels == [200, 100, 50, 255, 255, 255, 255, 0, 255, 255, 255, 128])
    }

    @Test("encode then decode returns the same pixels", arguments: [1, 3, 4])
    func roundTrip(channels: Int) throws {
        var rng = SeededGenerator(seed: UInt64(channels))
        let pixels = (0..<(7 * 5 * channels)).map { _ in UInt8(rng.nextIndex(below: 256)) }
        let image = PNG.Image(width: 7, height: 5, channels: channels, pixels: pixels)
        let bytes = try PNG.encode(image)
        #expect(try PNG.encode(image) == bytes)  // deterministic
        let back = try PNG.decode(bytes, channels: channels, name: "mem.png")
        #expect(back.width == 7 && back.height == 5)
        #expect(back.pixels == pixels)
    }

    // MARK: - Corrupt files

    static let corrupt: [(String, String)] = [
        ("truncated.png", "corrupt PNG data"),
        ("bad_crc.png", "CRC error"),
        ("not_png.png", "not a PNG file (wrong signature)"),
        ("empty.png", "not a PNG file (wrong signature)"),
        ("bad_ihdr.png", "cannot read PNG"),
    ]

    @Test("corrupt files throw a DataError naming the file", arguments: corrupt)
    func corruptFile(file: String, reasonFragment: String) {
        let path = Fixtures.png(file)
        for channels in [1, 3] {
            do {
                _ = try PNG.read(path, channels: channels)
                Issue.record("\(file) decoded without an error")
            } catch let DataError.badFile(file: named, reason: reason) {
                #expect(named == path)
                #expect(reason.contains(reasonFragment), "reason: \(reason)")
                #expect("\(DataError.badFile(file: named, reason: reason))".hasPrefix(path + ": "))
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("a missing file is a DataError naming it")
    func missingFile() {
        let path = Fixtures.png("no_such.png")
        let error = #expect(throws: DataError.self) { try PNG.read(path, channels: 1) }
        guard case .badFile(file: let f, reason: let r)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(f == path)
        #expect(r.hasPrefix("cannot read"))
    }

    @Test("every truncation of a valid file either decodes or throws a DataError naming it", arguments: ["palette4.png", "rgb16.png"])
    func everyTruncation(file: String) throws {
        let bytes = try FileIO.read(Fixtures.png(file))
        var failures = 0
        for n in 0..<bytes.count {
            do {
                _ = try PNG.decode(Array(bytes.prefix(n)), channels: 1, name: "cut.png")
            } catch let DataError.badFile(file: f, reason: _) {
                #expect(f == "cut.png")
                failures += 1
            }
        }
        // Only cutting inside the final IEND chunk can leave a decodable image.
        #expect(failures >= bytes.count - 12)
    }

    @Test("a header claiming a huge image is refused before allocating it")
    func hugeDimensions() throws {
        var bytes = try FileIO.read(Fixtures.png("gray8.png"))
        // IHDR width and height (bytes 16..<24) become 65536 × 65536; fix the CRC.
        let ihdr: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0]
        bytes.replaceSubrange(16..<24, with: ihdr)
        let crc = crc32(Array(bytes[12..<29]))
        bytes.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        let error = #expect(throws: DataError.self) { try PNG.decode(bytes, channels: 1, name: "huge.png") }
        guard case .badFile(file: let f, reason: let r)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(f == "huge.png")
        #expect(r.contains("65536×65536"), "reason: \(r)")
    }

    func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    // MARK: - Resizing by area averaging

    @Test("shrinking by whole factors averages blocks")
    func shrinkWhole() {
        let image = PNG.Image(width: 4, height: 4, channels: 1, pixels: [
            0, 10, 100, 100,
            20, 30, 100, 101,
            255, 255, 0, 0,
            255, 254, 0, 3,
        ])
        let out = PNG.resized(image, width: 2, height: 2)
        // (0+10+20+30)/4 = 15, (100+100+100+101)/4 = 100.25, (255·3+254)/4 = 254.75, 3/4 = 0.75.
        #expect(out.pixels == [15, 100, 255, 1])
    }

    @Test("shrinking 3×3 to 2×2 weights partly covered pixels by their covered area")
    func shrinkFractional() {
        let image = PNG.Image(width: 3, height: 3, channels: 1, pixels: [
            0, 90, 180,
            30, 120, 210,
            60, 150, 240,
        ])
        let out = PNG.resized(image, width: 2, height: 2)
        // Each output pixel covers 1.5 × 1.5 source pixels: weights 1, 0.5, 0.5, 0.25 (total 2.25).
        // top-left:     (0·1 + 90·0.5 + 30·0.5 + 120·0.25) / 2.25 = 90 / 2.25 = 40
        // top-right:    (180·1 + 90·0.5 + 210·0.5 + 120·0.25) / 2.25 = 360 / 2.25 = 160
        // bottom-left:  (60·1 + 30·0.5 + 150·0.5 + 120·0.25) / 2.25 = 180 / 2.25 = 80
        // bottom-right: (240·1 + 210·0.5 + 150·0.5 + 120·0.25) / 2.25 = 450 / 2.25 = 200
        #expect(out.pixels == [40, 160, 80, 200])
    }

    @Test("non-uniform scale: 3×2 gray to 2×2 and 2×1")
    func shrinkOneAxis() throws {
        let image = try PNG.read(Fixtures.png("gray8.png"), channels: 1)  // 0 128 255 / 10 20 30
        // Each output pixel covers 1.5 source pixels across: (0 + 128·0.5)/1.5 = 42.67, (128·0.5 + 255)/1.5 = 212.67,
        // (10 + 20·0.5)/1.5 = 13.33, (20·0.5 + 30)/1.5 = 26.67
        #expect(PNG.resized(image, width: 2, height: 2).pixels == [43, 213, 13, 27])
        // and both rows together: (64 + 20)/3 = 28, (319 + 40)/3 = 119.67
        #expect(PNG.resized(image, width: 2, height: 1).pixels == [28, 120])
    }

    @Test("RGB channels are averaged separately; enlarging repeats pixels; same size is unchanged")
    func channelsAndEnlarging() {
        let rgb = PNG.Image(width: 2, height: 1, channels: 3, pixels: [255, 0, 10, 0, 255, 20])
        #expect(PNG.resized(rgb, width: 1, height: 1).pixels == [128, 128, 15])  // 127.5 rounds up
        #expect(PNG.resized(rgb, width: 4, height: 2).pixels == [
            255, 0, 10, 255, 0, 10, 0, 255, 20, 0, 255, 20,
            255, 0, 10, 255, 0, 10, 0, 255, 20, 0, 255, 20,
        ])
        let one = PNG.Image(width: 1, height: 1, channels: 1, pixels: [77])
        #expect(PNG.resized(one, width: 3, height: 2).pixels == [UInt8](repeating: 77, count: 6))
        #expect(PNG.resized(rgb, width: 2, height: 1).pixels == rgb.pixels)
    }

    @Test("resizing keeps the mean of a whole-factor shrink", arguments: [(8, 8, 4, 4), (9, 6, 3, 2), (12, 12, 1, 1)])
    func meanPreserved(w: Int, h: Int, ow: Int, oh: Int) {
        var rng = SeededGenerator(seed: UInt64(w * 100 + h))
        let pixels = (0..<(w * h)).map { _ in UInt8(rng.nextIndex(below: 256)) }
        let out = PNG.resized(PNG.Image(width: w, height: h, channels: 1, pixels: pixels), width: ow, height: oh)
        let inMean = Double(pixels.map(Int.init).reduce(0, +)) / Double(w * h)
        let outMean = Double(out.pixels.map(Int.init).reduce(0, +)) / Double(ow * oh)
        #expect(abs(inMean - outMean) <= 0.5)
    }
}
