/// Tar archives written byte by byte for the tests, so every header kind the reader claims
/// to understand (ustar with a prefix, pax records, GNU long names, base-256 sizes) and
/// every kind of damage can be made exactly. PythonTar makes archives with a real writer.
public enum TarWriter {
    public static let block = 512

    /// One 512-byte header with a correct checksum. `size` is written in octal unless
    /// `base256` (GNU's form for sizes of 8 GiB and more); `ustar` writes the POSIX magic
    /// (else GNU's "ustar  \0"), so `prefix` counts.
    public static func header(name: [UInt8], size: Int64, type: UInt8 = UInt8(ascii: "0"), prefix: [UInt8] = [],
                              ustar: Bool = true, base256: Bool = false) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: block)
        func put(_ bytes: [UInt8], at offset: Int) { for (i, b) in bytes.enumerated() { h[offset + i] = b } }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(Array(name.prefix(100)), at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        if base256 {
            var field = [UInt8](repeating: 0, count: 12)
            field[0] = 0x80
            var v = size
            for i in stride(from: 11, to: 0, by: -1) { field[i] = UInt8(v & 0xFF); v >>= 8 }
            put(field, at: 124)
        } else {
            put(octal(size, width: 12), at: 124)
        }
        put(octal(0, width: 12), at: 136)
        h[156] = type
        put(ustar ? Array("ustar\u{0}00".utf8) : Array("ustar  \u{0}".utf8), at: 257)
        put(Array(prefix.prefix(155)), at: 345)
        return checksummed(h)
    }

    /// `header` with its checksum field recomputed (after a test changed a byte on purpose).
    public static func checksummed(_ header: [UInt8]) -> [UInt8] {
        var h = header
        for i in 148..<156 { h[i] = UInt8(ascii: " ") }
        let digits = String(h.reduce(0) { $0 + Int($1) }, radix: 8)
        let field = Array((String(repeating: "0", count: max(0, 6 - digits.count)) + digits).utf8) + [0, UInt8(ascii: " ")]
        for (i, b) in field.enumerated() { h[148 + i] = b }
        return h
    }

    /// `bytes` padded with zeros to whole blocks.
    public static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (block - bytes.count % block) % block)
    }

    /// A regular member: header and data.
    public static func file(_ name: String, _ data: [UInt8]) -> [UInt8] {
        header(name: Array(name.utf8), size: Int64(data.count)) + padded(data)
    }

    /// A pax extended header (`x`, or `g` when `global`) holding `records`.
    public static func pax(_ records: [(String, String)], global: Bool = false) -> [UInt8] {
        var data: [UInt8] = []
        for (key, value) in records {
            let body = " \(key)=\(value)\n".utf8.count
            var length = body + 1
            while String(length).utf8.count + body != length { length += 1 }
            data += Array("\(length) \(key)=\(value)\n".utf8)
        }
        return header(name: Array("././@PaxHeader".utf8), size: Int64(data.count), type: UInt8(ascii: global ? "g" : "x")) + padded(data)
    }

    /// A GNU long-name header (`L`) for the member that follows.
    public static func gnuLongName(_ name: String) -> [UInt8] {
        let data = Array(name.utf8) + [0]
        return header(name: Array("././@LongLink".utf8), size: Int64(data.count), type: UInt8(ascii: "L"), ustar: false) + padded(data)
    }

    /// The end-of-archive marker: two zero blocks.
    public static let end = [UInt8](repeating: 0, count: 2 * block)
}
