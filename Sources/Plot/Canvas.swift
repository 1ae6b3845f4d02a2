import Data

/// An RGB colour.
public struct Color: Equatable, Hashable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    public init(hex: UInt32) { self.init(UInt8(hex >> 16 & 0xFF), UInt8(hex >> 8 & 0xFF), UInt8(hex & 0xFF)) }

    public static let white = Color(255, 255, 255), black = Color(0, 0, 0)
    public static let text = Color(34, 34, 34), grid = Color(232, 232, 232), axis = Color(120, 120, 120)

    /// Okabe & Ito's colour-blind-safe palette (black moved last).
    public static let palette: [Color] = [0xE69F00, 0x56B4E9, 0x009E73, 0x0072B2, 0xD55E00, 0xCC79A7, 0xF0E442, 0x000000].map { Color(hex: $0) }

    public static func series(_ i: Int) -> Color { palette[i % palette.count] }

    /// A perceptually ordered ramp (viridis anchors) for heatmaps; t in [0, 1].
    public static func ramp(_ t: Double) -> Color {
        let anchors: [Color] = [0x440154, 0x3B528B, 0x21908C, 0x5DC863, 0xFDE725].map { Color(hex: $0) }
        let x = min(max(t.isNaN ? 0 : t, 0), 1) * Double(anchors.count - 1)
        let i = min(Int(x), anchors.count - 2), f = x - Double(i)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - f) + Double(b) * f).rounded()) }
        return Color(mix(anchors[i].r, anchors[i + 1].r), mix(anchors[i].g, anchors[i + 1].g), mix(anchors[i].b, anchors[i + 1].b))
    }
}

/// A raster to draw on: anti-aliased lines and markers, rectangles and
/// bitmap text. Pure Swift arithmetic, so the same drawing gives the same
/// bytes everywhere.
public struct Canvas: Sendable {
    public let width: Int, height: Int
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: Color = .white) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { pixels[3 * i] = background.r; pixels[3 * i + 1] = background.g; pixels[3 * i + 2] = background.b }
    }

    /// Mixes `color` into a pixel with coverage `alpha` in [0, 1].
    @inline(__always)
    public mutating func blend(_ x: Int, _ y: Int, _ color: Color, _ alpha: Double) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        let a = min(alpha, 1), i = 3 * (y * width + x)
        pixels[i] = UInt8((Double(pixels[i]) * (1 - a) + Double(color.r) * a).rounded())
        pixels[i + 1] = UInt8((Double(pixels[i + 1]) * (1 - a) + Double(color.g) * a).rounded())
        pixels[i + 2] = UInt8((Double(pixels[i + 2]) * (1 - a) + Double(color.b) * a).rounded())
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: Color) {
        for yy in max(0, y)..<min(height, y + h) { for xx in max(0, x)..<min(width, x + w) { blend(xx, yy, color, 1) } }
    }

    /// A line of the given width; each pixel's coverage comes from its distance to the segment.
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ color: Color, width w: Double = 1.5) {
        let half = w / 2
        let minX = Int((min(x0, x1) - half - 1).rounded(.down)), maxX = Int((max(x0, x1) + half + 1).rounded(.up))
        let minY = Int((min(y0, y1) - half - 1).rounded(.down)), maxY = Int((max(y0, y1) + half + 1).rounded(.up))
        let dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy
        for y in max(0, minY)...max(0, min(height - 1, maxY)) where minY <= maxY {
            for x in max(0, minX)...max(0, min(width - 1, maxX)) where minX <= maxX {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                var t = length2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / length2 : 0
                t = min(max(t, 0), 1)
                let cx = x0 + t * dx - px, cy = y0 + t * dy - py
                let distance = (cx * cx + cy * cy).squareRoot()
                blend(x, y, color, half + 0.5 - distance)
            }
        }
    }

    /// A filled circle with a soft edge.
    public mutating func disc(_ cx: Double, _ cy: Double, radius: Double, _ color: Color) {
        for y in Int(cy - radius - 1)...Int(cy + radius + 1) {
            for x in Int(cx - radius - 1)...Int(cx + radius + 1) {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                blend(x, y, color, radius + 0.5 - (dx * dx + dy * dy).squareRoot())
            }
        }
    }

    public enum Anchor { case left, center, right }

    /// Width in pixels of `text` at `scale`.
    public static func textWidth(_ text: String, scale: Int = 1) -> Int { text.count * Font6x13.width * scale }

    /// Draws text with its top-left (or top-centre / top-right) at (x, y);
    /// characters the font lacks are drawn as '?'.
    public mutating func text(_ s: String, x: Int, y: Int, _ color: Color = .text, scale: Int = 1, anchor: Anchor = .left, vertical: Bool = false) {
        let total = Canvas.textWidth(s, scale: scale)
        var offset = anchor == .left ? 0 : anchor == .center ? -total / 2 : -total
        for ch in s {
            let rows = Font6x13.glyphs[ch] ?? Font6x13.glyphs["?"]!
            for (r, bits) in rows.enumerated() {
                for c in 0..<Font6x13.width where bits >> (5 - c) & 1 == 1 {
                    for sy in 0..<scale {
                        for sx in 0..<scale {
                            let gx = offset + c * scale + sx, gy = r * scale + sy
                            if vertical { blend(x + gy, y - gx, color, 1) } else { blend(x + gx, y + gy, color, 1) }
                        }
                    }
                }
            }
            offset += Font6x13.width * scale
        }
    }

    /// The canvas as PNG bytes (deterministic for the same pixels).
    public func png() throws -> [UInt8] {
        try PNG.encode(PNG.Image(width: width, height: height, channels: 3, pixels: pixels))
    }
}
