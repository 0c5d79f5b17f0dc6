/// Writes real, valid PNG files from scratch (no encoder library), for inputs that are not JPEG.
public enum PNGWriter {
    /// An 8-bit RGB PNG of a small gradient; the zlib stream is one stored block, so it must
    /// stay under 64 KiB of pixels.
    public static func rgb(width: Int, height: Int) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            bigEndian32(UInt32(data.count)) + Array(type.utf8) + data + bigEndian32(CRC32.checksum(Array(type.utf8) + data))
        }
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)   // filter: none
            for x in 0..<width { raw += [UInt8(40 * x), UInt8(90 * y), 200] }
        }
        var a: UInt32 = 1, b: UInt32 = 0   // Adler-32 of the raw bytes
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let n = UInt16(raw.count)
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + raw + bigEndian32(b << 16 | a)
        let header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    public static func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}
