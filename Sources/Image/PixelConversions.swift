/// TensorFlow's per-pixel conversions, bit for bit.
enum PixelConversions {
    /// `tf.image.rgb_to_grayscale` on uint8: convert_image_dtype to float (x * (1/255)),
    /// dot with (0.2989, 0.5870, 0.1140), then back to uint8 (x * 255.5, truncated).
    @inline(__always)
    static func gray(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let toUnit: Float = 1.0 / 255.0
        let y = (Float(r) * toUnit) * 0.2989 + (Float(g) * toUnit) * 0.5870 + (Float(b) * toUnit) * 0.1140
        return UInt8(y * 255.5)
    }

    /// `gray` for `count` 4-byte RGBX pixels, as floats, 16 pixels per step: the same
    /// float operations in the same order, one lane per pixel.
    static func grey(_ source: UnsafePointer<UInt8>, count: Int, into target: UnsafeMutablePointer<Float>) {
        let toUnit = SIMD16<Float>(repeating: 1.0 / 255.0)
        let byte = SIMD16<UInt32>(repeating: 0xFF)
        var x = 0
        while x + 16 <= count {
            let pixels = UnsafeRawPointer(source + 4 * x).loadUnaligned(as: SIMD16<UInt32>.self)
            let r = float(pixels & byte), g = float((pixels &>> 8) & byte), b = float((pixels &>> 16) & byte)
            let y = (r * toUnit) * 0.2989 + (g * toUnit) * 0.5870 + (b * toUnit) * 0.1140
            let grey = truncated(y * 255.5)
            UnsafeMutableRawPointer(target + x).storeBytes(of: grey, as: SIMD16<Float>.self)
            x += 16
        }
        while x < count {
            let p = source + 4 * x
            target[x] = Float(gray(p[0], p[1], p[2]))
            x += 1
        }
    }

    /// Small integers (< 2^23) as floats, exactly: 2^23 + v has v in its mantissa bits. The
    /// standard library's SIMD integer-to-float conversion goes lane by lane.
    @inline(__always)
    static func float(_ v: SIMD16<UInt32>) -> SIMD16<Float> {
        unsafeBitCast(v | SIMD16<UInt32>(repeating: 0x4B00_0000), to: SIMD16<Float>.self) - SIMD16<Float>(repeating: 8_388_608)
    }

    /// trunc(v) for 0 <= v < 2^23 with plain float operations (the standard library converts
    /// SIMD floats to integers lane by lane): adding and removing 2^23 rounds to the nearest
    /// integer, and a result above v steps back by one.
    @inline(__always)
    static func truncated(_ v: SIMD16<Float>) -> SIMD16<Float> {
        let magic = SIMD16<Float>(repeating: 8_388_608)
        let nearest = (v + magic) - magic
        return nearest.replacing(with: nearest - 1, where: nearest .> v)
    }

    /// Rewrites `count` CMYK pixels in place: RGB in the first three bytes of each.
    static func cmykToRGB(_ p: UnsafeMutablePointer<UInt8>, count: Int, adobe: Bool) {
        for x in 0..<count {
            let q = p + 4 * x
            (q[0], q[1], q[2]) = rgb(c: Int(q[0]), m: Int(q[1]), y: Int(q[2]), k: Int(q[3]), adobe: adobe)
        }
    }

    /// TensorFlow's CMYK to RGB (jpeg_mem.cc): Adobe files store inverted CMYK.
    @inline(__always)
    static func rgb(c: Int, m: Int, y: Int, k: Int, adobe: Bool) -> (UInt8, UInt8, UInt8) {
        if adobe {
            return (UInt8(k * c / 255), UInt8(k * m / 255), UInt8(k * y / 255))
        }
        return (UInt8((255 - k) * (255 - c) / 255), UInt8((255 - k) * (255 - m) / 255),
                UInt8((255 - k) * (255 - y) / 255))
    }
}
