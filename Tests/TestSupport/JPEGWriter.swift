/// Writes small valid baseline JPEGs from scratch, for colour spaces the dev photos lack.
public enum JPEGWriter {
    /// A JPEG whose 8x8 blocks hold only a DC value (a blocky pattern), with 1 (grey), 3 or 4
    /// components; `adobeTransform` adds an Adobe marker (0: CMYK, 2: YCCK).
    public static func tiny(width: Int, height: Int, components: Int, adobeTransform: UInt8? = nil) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        func segment(_ marker: UInt8, _ payload: [UInt8]) {
            out += [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
        if let adobeTransform { segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, adobeTransform]) }
        segment(0xDB, [0] + [UInt8](repeating: 8, count: 64))
        var frame: [UInt8] = [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), UInt8(components)]
        for c in 0..<components { frame += [UInt8(c + 1), 0x11, 0] }
        segment(0xC0, frame)
        var counts = [UInt8](repeating: 0, count: 16)
        counts[3] = 12   // DC: categories 0...11, 4-bit codes
        segment(0xC4, [0x00] + counts + (0..<12).map { UInt8($0) })
        counts = [UInt8](repeating: 0, count: 16)
        counts[0] = 1    // AC: only end-of-block, code "0"
        segment(0xC4, [0x10] + counts + [0])
        var scan: [UInt8] = [UInt8(components)]
        for c in 0..<components { scan += [UInt8(c + 1), 0] }
        segment(0xDA, scan + [0, 63, 0])
        var bits = JPEGBitWriter()
        var predictors = [Int](repeating: 0, count: components)
        for by in 0..<((height + 7) / 8) {
            for bx in 0..<((width + 7) / 8) {
                for c in 0..<components {
                    let level = (37 * c + 11 * bx + 7 * by + (bx * by) % 23) % 256
                    let dc = level - 128   // DC coefficient / quantisation step 8 = mean sample - 128
                    let diff = dc - predictors[c]
                    predictors[c] = dc
                    let size = Int.bitWidth - abs(diff).leadingZeroBitCount
                    bits.put(size, 4)
                    if size > 0 { bits.put(diff > 0 ? diff : diff + (1 << size) - 1, size) }
                    bits.put(0, 1)
                }
            }
        }
        bits.flush()
        return out + bits.bytes + [0xFF, 0xD9]
    }
}
