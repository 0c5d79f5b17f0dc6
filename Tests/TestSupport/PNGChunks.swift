/// A PNG's chunks, to damage one on purpose: change its data, with or without a correct CRC.
public enum PNGChunks {
    /// The byte offset of the first chunk of `type` (its length field), if any.
    public static func offset(of type: String, in png: [UInt8]) -> Int? {
        var at = 8
        while at + 12 <= png.count {
            let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
            if String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self) == type { return at }
            at += 12 + length
        }
        return nil
    }

    /// `png` with the data of its first `type` chunk changed by `edit` (same length) and, if
    /// `fixCRC`, that chunk's CRC recomputed so that only the edit is wrong.
    public static func editing(_ png: [UInt8], _ type: String, fixCRC: Bool = true, _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        guard let at = offset(of: type, in: png) else { return png }
        let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
        var data = Array(png[(at + 8)..<(at + 8 + length)])
        edit(&data)
        var result = png
        result.replaceSubrange((at + 8)..<(at + 8 + length), with: data)
        if fixCRC {
            let crc = CRC32.checksum(Array(png[(at + 4)..<(at + 8)]) + data)
            result.replaceSubrange((at + 8 + length)..<(at + 12 + length), with: PNGWriter.bigEndian32(crc))
        }
        return result
    }
}
