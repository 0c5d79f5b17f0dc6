/// Uncompressed 24- and 32-bit BMP, read directly (the format is a header and raw rows), as
/// TensorFlow's decode_bmp reads it: the header's pixel offset, width and height (negative:
/// top-down), rows padded to 4 bytes, BGR(A) to RGB, alpha dropped.
final class BMPDecoder: RowDecoder {
    private var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var width = 0, height = 0, topDown = false
    private var pixelOffset = 0, rowSize = 0, bytesPerPixel = 0

    func readHeader(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        self.bytes = bytes
        // The 14-byte file header and a BITMAPINFOHEADER (40 bytes) or a later, longer one.
        guard bytes.count >= 54 else { throw .truncated(.bmp, "header cut off at byte \(bytes.count)") }
        let infoSize = Int(uint32(at: 14))
        guard infoSize >= 40 else { throw .unsupportedFormat("BMP with a \(infoSize)-byte OS/2 header") }
        pixelOffset = Int(uint32(at: 10))
        width = Int(Int32(bitPattern: uint32(at: 18)))
        let signedHeight = Int(Int32(bitPattern: uint32(at: 22)))
        let bitsPerPixel = Int(uint16(at: 28)), compression = uint32(at: 30)
        guard width > 0, signedHeight != 0, signedHeight != Int(Int32.min) else {
            throw .corrupt(.bmp, "bad size \(width)x\(signedHeight)")
        }
        // BI_RGB, or BI_BITFIELDS, whose usual 32-bit masks are the same byte order.
        guard bitsPerPixel == 24 || bitsPerPixel == 32, compression == 0 || (compression == 3 && bitsPerPixel == 32) else {
            throw .unsupportedFormat("BMP with \(bitsPerPixel) bits per pixel, compression \(compression)")
        }
        topDown = signedHeight < 0
        height = abs(signedHeight)
        bytesPerPixel = bitsPerPixel / 8
        rowSize = (bitsPerPixel * width + 31) / 32 * 4
        guard pixelOffset >= 54 else { throw .corrupt(.bmp, "pixel data offset \(pixelOffset) inside the header") }
        return (width, height)
    }

    func decode(rows: [Int32], maxPixels: Int, into out: UnsafeMutablePointer<UInt8>) throws(ImageError) {
        // The header's size is checked against the pixel limit before this, so the product fits.
        let end = pixelOffset + rowSize * height
        guard end <= bytes.count else {
            throw .truncated(.bmp, "pixel data ends at byte \(bytes.count), the header says \(end)")
        }
        let pixels = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + pixelOffset
        for (i, row) in rows.enumerated() {
            let stored = topDown ? Int(row) : height - 1 - Int(row)
            let source = pixels + stored * rowSize
            let target = out + i * width * 4
            for x in 0..<width {
                let p = source + x * bytesPerPixel
                target[4 * x] = p[2]
                target[4 * x + 1] = p[1]
                target[4 * x + 2] = p[0]
                target[4 * x + 3] = 255
            }
        }
    }

    private func uint32(at offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }
    private func uint16(at offset: Int) -> UInt16 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian }
}
