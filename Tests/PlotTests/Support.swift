import Data
import Foundation
import Notebook
import Plot

// Shared helpers: decode written PNGs through libpng (Data.PNG), ask questions
// about their pixels, checksum bytes, and run language cells in a session.

/// A decoded RGB image with pixel queries.
struct Decoded {
    let width: Int, height: Int
    let pixels: [UInt8]

    init(png bytes: [UInt8]) throws {
        let image = try PNG.decode(bytes, channels: 3, name: "chart")
        width = image.width; height = image.height; pixels = image.pixels
    }

    init(file path: String) throws { try self.init(png: Array(try Data(contentsOf: URL(fileURLWithPath: path)))) }

    func color(_ x: Int, _ y: Int) -> Color {
        let i = 3 * (y * width + x)
        return Color(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Pixels of exactly `color` in the rectangle [x0, x1) × [y0, y1) (clipped to the image).
    func count(_ color: Color, x0: Int = 0, y0: Int = 0, x1: Int? = nil, y1: Int? = nil) -> Int {
        count(x0: x0, y0: y0, x1: x1, y1: y1) { $0 == color }
    }

    func count(x0: Int = 0, y0: Int = 0, x1: Int? = nil, y1: Int? = nil, where test: (Color) -> Bool) -> Int {
        var n = 0
        for y in max(0, y0)..<min(height, y1 ?? height) {
            for x in max(0, x0)..<min(width, x1 ?? width) where test(color(x, y)) { n += 1 }
        }
        return n
    }

    /// Dark text-like pixels: every channel below 100.
    static func isDark(_ c: Color) -> Bool { c.r < 100 && c.g < 100 && c.b < 100 }
    static func isBackground(_ c: Color) -> Bool { c == .white }
}

/// The canvas encoded and decoded again through libpng.
func roundTrip(_ canvas: Canvas) throws -> Decoded { try Decoded(png: try canvas.png()) }

/// CRC-32 (IEEE 802.3, as zlib and PNG use), written out here so the checksum
/// does not depend on the code under test.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var table = [UInt32](repeating: 0, count: 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        table[i] = c
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
}
