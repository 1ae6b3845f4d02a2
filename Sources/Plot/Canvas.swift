import Render

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

    /// Copies `other` onto this canvas with its top-left at (x, y) (small multiples).
    public mutating func draw(_ other: Canvas, x: Int, y: Int) {
        for row in 0..<other.height where y + row >= 0 && y + row < height {
            for col in 0..<other.width where x + col >= 0 && x + col < width {
                let i = 3 * ((y + row) * width + x + col), j = 3 * (row * other.width + col)
                pixels[i] = other.pixels[j]; pixels[i + 1] = other.pixels[j + 1]; pixels[i + 2] = other.pixels[j + 2]
            }
        }
    }

    /// A solid rectangle; the parts off the canvas (or a negative size) draw nothing.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: Color) {
        let x0 = max(0, x), x1 = min(width, x + max(w, 0)), y0 = max(0, y), y1 = min(height, y + max(h, 0))
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { blend(xx, yy, color, 1) } }
    }

    /// A line of the given width; each pixel's coverage comes from its distance to the segment.
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ color: Color, width w: Double = 1.5) {
        // Non-finite or far-off coordinates would trap in Int(); such a line draws nothing.
        guard [x0, y0, x1, y1].allSatisfy({ $0.isFinite && abs($0) < 1e6 }) else { return }
        let half = w / 2
        let minX = max(0, Int((min(x0, x1) - half - 1).rounded(.down))), maxX = min(width - 1, Int((max(x0, x1) + half + 1).rounded(.up)))
        let minY = max(0, Int((min(y0, y1) - half - 1).rounded(.down))), maxY = min(height - 1, Int((max(y0, y1) + half + 1).rounded(.up)))
        guard minX <= maxX, minY <= maxY else { return }
        let dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy
        for y in minY...maxY {
            for x in minX...maxX {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                var t = length2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / length2 : 0
                t = min(max(t, 0), 1)
                let cx = x0 + t * dx - px, cy = y0 + t * dy - py
                let distance = (cx * cx + cy * cy).squareRoot()
                blend(x, y, color, half + 0.5 - distance)
            }
        }
    }

    /// Connected line segments; `dash` is an on/off pattern in pixels measured along the
    /// whole path, so dashes run on across corners.
    public mutating func polyline(_ points: [(Double, Double)], _ color: Color, width w: Double = 1.5, dash: [Double]? = nil) {
        guard points.count > 1 else { return }
        guard let pattern = dash, pattern.count >= 2, pattern.allSatisfy({ $0 > 0 }) else {
            for j in 1..<points.count { line(points[j - 1].0, points[j - 1].1, points[j].0, points[j].1, color, width: w) }
            return
        }
        let period = pattern[0] + pattern[1]
        var travelled = 0.0
        for j in 1..<points.count {
            let (ax, ay) = points[j - 1], (bx, by) = points[j]
            let length = ((bx - ax) * (bx - ax) + (by - ay) * (by - ay)).squareRoot()
            guard length.isFinite, length > 0 else { continue }
            var s = 0.0
            while s < length {
                let phase = (travelled + s).truncatingRemainder(dividingBy: period)
                let on = phase < pattern[0]
                let e = min(length, s + (on ? pattern[0] - phase : period - phase))
                if on { line(ax + (bx - ax) * s / length, ay + (by - ay) * s / length, ax + (bx - ax) * e / length, ay + (by - ay) * e / length, color, width: w) }
                s = e
            }
            travelled += length
        }
    }

    /// A filled circle with a soft edge.
    public mutating func disc(_ cx: Double, _ cy: Double, radius: Double, _ color: Color) {
        guard cx.isFinite, cy.isFinite, radius.isFinite, abs(cx) < 1e6, abs(cy) < 1e6, radius >= 0, radius < 1e4 else { return }
        let minY = max(0, Int(cy - radius - 1)), maxY = min(height - 1, Int(cy + radius + 1))
        let minX = max(0, Int(cx - radius - 1)), maxX = min(width - 1, Int(cx + radius + 1))
        guard minX <= maxX, minY <= maxY else { return }
        for y in minY...maxY {
            for x in minX...maxX {
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
        try PNGEncoder.encode(PNGImage(width: width, height: height, channels: 3, pixels: pixels))
    }
}
