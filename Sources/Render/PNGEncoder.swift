import CPNG
import Tensors

/// An 8-bit image: `channels` is 1 (gray), 3 (RGB) or 4 (RGBA), rows top to bottom.
public struct PNGImage: Sendable {
    public var width: Int, height: Int, channels: Int
    public var pixels: [UInt8]
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    // libpng's format codes (PNG_FORMAT_RGBA is a compound macro Swift does
    // not import): bit 1 = colour, bit 0 = alpha.
    public static let formatGray: UInt32 = 0, formatRGB: UInt32 = 2, formatRGBA: UInt32 = 3

    public static func format(channels: Int) -> UInt32 { channels == 1 ? formatGray : channels == 3 ? formatRGB : formatRGBA }
}

/// libpng could not encode an image (it says why).
public struct PNGEncodingError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// Writing PNG files through libpng's simplified API, which reports errors in
/// `image.message` instead of `longjmp`-ing across Swift frames.
public enum PNGEncoder {
    /// Encodes an 8-bit image. The output is deterministic for the same pixels.
    public static func encode(_ img: PNGImage) throws -> [UInt8] { try encode(img, format: PNGImage.format(channels: img.channels)) }

    /// Encodes with an explicit libpng format (gray+alpha is format 1).
    public static func encode(_ img: PNGImage, format: UInt32) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(img.width)
        image.height = UInt32(img.height)
        image.format = format
        var size: Int = 0
        // First call measures, second writes.
        let measured = img.pixels.withUnsafeBytes { px in
            png_image_write_to_memory(&image, nil, &size, 0, px.baseAddress, Int32(img.width * img.channels), nil)
        }
        guard measured != 0 else { throw PNGEncodingError(reason: "cannot encode PNG: \(message(image))") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { dst in
            img.pixels.withUnsafeBytes { px in
                png_image_write_to_memory(&image, dst.baseAddress, &size, 0, px.baseAddress, Int32(img.width * img.channels), nil)
            }
        }
        guard written != 0 else { throw PNGEncodingError(reason: "cannot encode PNG: \(message(image))") }
        return Array(out.prefix(size))
    }

    public static func write(_ img: PNGImage, to path: String) throws {
        try FileIO.writeAtomically(try encode(img), to: path)
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
