/// One 512-byte tar header block, parsed: ustar (POSIX.1-1988), its GNU variant, and
/// the numeric fields' GNU base-256 form (sizes of 8 GiB and more). What the fields mean
/// beyond the header (pax records, GNU long names) is TarScanner's business.
struct TarHeader: Equatable {
    static let blockSize = 512

    var name: [UInt8]          // `prefix/name` for ustar, else the 100-byte name field
    var size: Int64            // bytes of member data that follow the header
    var type: UInt8            // the typeflag byte: "0"/NUL file, "5" directory, "x" pax, "L" GNU long name, ...
    var isExtendedSparse: Bool // an old GNU sparse header ("S") followed by extension blocks

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case badChecksum(stored: Int64?, computed: Int64)
        case badNumber(field: String)

        var description: String {
            switch self {
            case .badChecksum(let stored, let computed):
                return "header checksum \(stored.map { String($0) } ?? "unreadable") does not match \(computed)"
            case .badNumber(let field): return "the \(field) field is not a number"
            }
        }
    }

    /// True for an all-zero block: the end-of-archive marker.
    static func isZeroBlock(_ block: UnsafeRawBufferPointer) -> Bool { block.allSatisfy { $0 == 0 } }

    /// Parses a header block (exactly 512 bytes; not a zero block).
    init(_ block: UnsafeRawBufferPointer) throws(ParseError) {
        precondition(block.count == TarHeader.blockSize)
        // The checksum is the sum of the header's bytes with its own field read as spaces;
        // some old tars summed signed bytes, so either sum is accepted.
        var unsigned: Int64 = 0, signed: Int64 = 0
        for (i, byte) in block.enumerated() {
            let b = (148..<156).contains(i) ? UInt8(ascii: " ") : byte
            unsigned += Int64(b)
            signed += Int64(Int8(bitPattern: b))
        }
        let stored = TarHeader.number(block, 148, 8)
        guard let stored, stored == unsigned || stored == signed else { throw .badChecksum(stored: stored, computed: unsigned) }
        guard let size = TarHeader.number(block, 124, 12), size >= 0 else { throw .badNumber(field: "size") }
        self.size = size
        type = block[156]
        var name = TarHeader.string(block, 0, 100)
        // ustar ("ustar\0" "00") keeps the leading directories in a 155-byte prefix; the GNU
        // magic ("ustar  \0") uses those bytes for other things.
        let magic = Array(block[257..<263])
        if magic == Array("ustar\0".utf8) {
            let prefix = TarHeader.string(block, 345, 155)
            if !prefix.isEmpty { name = prefix + [UInt8(ascii: "/")] + name }
        }
        self.name = name
        isExtendedSparse = type == UInt8(ascii: "S") && block[482] != 0
    }

    /// The bytes of a NUL-terminated (or full-width) text field.
    static func string(_ block: UnsafeRawBufferPointer, _ offset: Int, _ width: Int) -> [UInt8] {
        let field = block[offset..<(offset + width)]
        return Array(field.prefix { $0 != 0 })
    }

    /// A numeric field: octal digits between optional spaces and NULs, or GNU base-256
    /// (first byte 0x80, the rest a big-endian number). Nil when it is neither, or negative
    /// base-256 (0xFF), or does not fit in 63 bits.
    static func number(_ block: UnsafeRawBufferPointer, _ offset: Int, _ width: Int) -> Int64? {
        let field = Array(block[offset..<(offset + width)])
        if field[0] & 0x80 != 0 {
            guard field[0] == 0x80 else { return nil }
            var value: Int64 = 0
            for byte in field.dropFirst() {
                guard value <= (Int64.max >> 8) else { return nil }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var digits = field[...]
        while let first = digits.first, first == UInt8(ascii: " ") || first == 0 { digits = digits.dropFirst() }
        while let last = digits.last, last == UInt8(ascii: " ") || last == 0 { digits = digits.dropLast() }
        guard !digits.isEmpty else { return 0 }
        var value: Int64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit), value <= (Int64.max >> 3) else { return nil }
            value = value << 3 | Int64(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
