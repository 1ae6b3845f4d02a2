import CPNG
import Render
import Tensors

/// Reading PNG files through libpng's simplified API (`png_image_*`), which
/// reports errors in `image.message` instead of `longjmp`-ing across Swift
/// frames. Writing lives in Render's `PNGEncoder` (charts need it without
/// depending on datasets).
public enum PNG {
    /// An 8-bit image: `channels` is 1 (gray), 3 (RGB) or 4 (RGBA), rows top to bottom.
    public typealias Image = PNGImage

    static let formatGray = PNGImage.formatGray, formatRGB = PNGImage.formatRGB, formatRGBA = PNGImage.formatRGBA
    static let formatLinear: UInt32 = 4
    static func format(channels: Int) -> UInt32 { PNGImage.format(channels: channels) }

    /// Largest accepted width × height, so a forged header cannot exhaust memory.
    public static let maximumPixels = 1 << 26

    /// Decodes PNG bytes (any colour type and bit depth libpng reads) to
    /// 8-bit gray (`channels` 1), RGB (3) or RGBA (4). `name` labels errors.
    /// Colour becomes gray by luminance in linear light; an alpha channel
    /// that is dropped is composited onto black.
    public static func decode(_ bytes: [UInt8], channels: Int, name: String) throws -> Image {
        precondition(channels == 1 || channels == 3 || channels == 4)
        guard bytes.count >= 8, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw DataError.badFile(file: name, reason: "not a PNG file (wrong signature)")
        }
        // libpng reads from the buffer until finish_read, so both calls run while it is pinned.
        return try bytes.withUnsafeBytes { raw in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw DataError.badFile(file: name, reason: "cannot read PNG: \(message(image))")
            }
            defer { png_image_free(&image) }
            let width = Int(image.width), height = Int(image.height)
            guard width > 0, height > 0, width * height <= maximumPixels else {
                throw DataError.badFile(file: name, reason: "PNG is \(width)×\(height), larger than \(maximumPixels) pixels")
            }
            // 16-bit samples without a gAMA or sRGB chunk hold plain intensities (scanners,
            // DICOM exports): libpng would take them as linear light and gamma-encode them.
            // Read them as sRGB instead, so they scale to 8 bits as they are (alpha included).
            image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
            image.format = format(channels: channels)
            var pixels = [UInt8](repeating: 0, count: width * height * channels)
            let finished = pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, Int32(width * channels), nil)
            }
            guard finished != 0 else { throw DataError.badFile(file: name, reason: "corrupt PNG data: \(message(image))") }
            return Image(width: width, height: height, channels: channels, pixels: pixels)
        }
    }

    /// Reads and decodes a PNG file.
    public static func read(_ path: String, channels: Int) throws -> Image {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, regularOnly: true) } catch { throw DataError.badFile(file: path, reason: "cannot read: \(error)") }
        return try decode(bytes, channels: channels, name: path)
    }

    /// Encodes an 8-bit image (see `PNGEncoder`).
    public static func encode(_ img: Image) throws -> [UInt8] { try PNGEncoder.encode(img) }

    public static func write(_ img: Image, to path: String) throws { try PNGEncoder.write(img, to: path) }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// Resizes by area averaging (box filter), good for shrinking scans.
    public static func resized(_ img: Image, width: Int, height: Int) -> Image {
        if img.width == width && img.height == height { return img }
        var out = [UInt8](repeating: 0, count: width * height * img.channels)
        for y in 0..<height {
            let y0 = Double(y) * Double(img.height) / Double(height), y1 = Double(y + 1) * Double(img.height) / Double(height)
            for x in 0..<width {
                let x0 = Double(x) * Double(img.width) / Double(width), x1 = Double(x + 1) * Double(img.width) / Double(width)
                for c in 0..<img.channels {
                    var sum = 0.0, weight = 0.0
                    var sy = Int(y0)
                    while Double(sy) < y1 && sy < img.height {
                        let wy = min(Double(sy + 1), y1) - max(Double(sy), y0)
                        var sx = Int(x0)
                        while Double(sx) < x1 && sx < img.width {
                            let wx = min(Double(sx + 1), x1) - max(Double(sx), x0)
                            sum += Double(img.pixels[(sy * img.width + sx) * img.channels + c]) * wx * wy
                            weight += wx * wy
                            sx += 1
                        }
                        sy += 1
                    }
                    out[(y * width + x) * img.channels + c] = UInt8(max(0, min(255, (sum / max(weight, 1e-12)).rounded())))
                }
            }
        }
        return Image(width: width, height: height, channels: img.channels, pixels: out)
    }
}
