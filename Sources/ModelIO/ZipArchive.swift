import Foundation

/// The members of a zip archive, as much of the format as a Keras `.keras` file needs: Keras
/// writes its members stored (uncompressed), so a member is a byte range of the file. Reads
/// the end-of-central-directory record, then the central directory; compressed, encrypted
/// and ZIP64 archives are refused with a message saying so.
struct ZipArchive {
    let path: String
    private let bytes: Data
    private var members: [String: Range<Int>] = [:]     // stored data of each member
    private var refusals: [String: String] = [:]        // members that cannot be read, and why

    static let signature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]   // "PK\3\4": a local file header

    init(path: String, bytes: Data) throws(ModelError) {
        self.path = path
        self.bytes = bytes
        let end = try endOfCentralDirectory()
        let count = Int(uint16(at: end + 10)), directorySize = Int(uint32(at: end + 12)), directory = Int(uint32(at: end + 16))
        if count == 0xFFFF || directory == 0xFFFF_FFFF {
            throw ModelError("\(path): a ZIP64 archive, which this version does not read")
        }
        guard directory + directorySize <= end else { throw damaged("the central directory lies outside the file") }
        var entry = directory
        for _ in 0..<count {
            guard entry + 46 <= end, uint32(at: entry) == 0x0201_4B50 else { throw damaged("bad central directory entry") }
            let flags = uint16(at: entry + 8), method = uint16(at: entry + 10)
            let size = Int(uint32(at: entry + 20)), nameLength = Int(uint16(at: entry + 28))
            let extraLength = Int(uint16(at: entry + 30)), commentLength = Int(uint16(at: entry + 32))
            let local = Int(uint32(at: entry + 42))
            guard entry + 46 + nameLength <= end else { throw damaged("bad central directory entry") }
            let name = String(decoding: bytes[(bytes.startIndex + entry + 46)..<(bytes.startIndex + entry + 46 + nameLength)], as: UTF8.self)
            if flags & 1 != 0 {
                refusals[name] = "is encrypted"
            } else if method != 0 {
                refusals[name] = "is compressed (method \(method)); Keras writes .keras members stored, re-save the model with Keras"
            } else {
                // The data follows the local header, whose name and extra field lengths may differ from the directory's.
                guard local + 30 <= directory, uint32(at: local) == 0x0403_4B50 else { throw damaged("bad local header for \(name)") }
                let start = local + 30 + Int(uint16(at: local + 26)) + Int(uint16(at: local + 28))
                guard start + size <= directory else { throw damaged("member \(name) runs past the end of its data") }
                members[name] = start..<(start + size)
            }
            entry += 46 + nameLength + extraLength + commentLength
        }
    }

    /// The bytes of member `name` (a slice of the archive's bytes, not a copy), nil when the
    /// archive has no such member.
    func member(_ name: String) throws(ModelError) -> Data? {
        if let why = refusals[name] { throw ModelError("\(path): member \(name) \(why)") }
        guard let range = members[name] else { return nil }
        return bytes[(bytes.startIndex + range.lowerBound)..<(bytes.startIndex + range.upperBound)]
    }

    /// The offset of the end-of-central-directory record: the last "PK\5\6" that leaves room
    /// for the record and its comment.
    private func endOfCentralDirectory() throws(ModelError) -> Int {
        var offset = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while offset >= lowest {
            if uint32(at: offset) == 0x0605_4B50 && offset + 22 + Int(uint16(at: offset + 20)) == bytes.count { return offset }
            offset -= 1
        }
        throw damaged("no end of central directory (truncated?)")
    }

    private func damaged(_ what: String) -> ModelError { ModelError("\(path): a damaged zip archive: \(what)") }

    private func uint16(at offset: Int) -> UInt16 {
        let i = bytes.startIndex + offset
        return UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
    }

    private func uint32(at offset: Int) -> UInt32 {
        UInt32(uint16(at: offset)) | UInt32(uint16(at: offset + 2)) << 16
    }
}
