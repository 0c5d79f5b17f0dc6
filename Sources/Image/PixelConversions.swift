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
