import TestSupport

/// A zip archive with stored (uncompressed) members, as Python's zipfile writes by default.
enum StoredZip {
    static func archive(_ members: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [], directory: [UInt8] = []
        for member in members {
            let name = Array(member.name.utf8), crc = CRC32.checksum(member.data), offset = out.count
            // Local header: signature, version 2.0, flags, method 0, time, date, CRC, sizes, name and extra lengths.
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
                + le32(crc) + le32(member.data.count) + le32(member.data.count) + le16(name.count) + le16(0) + name + member.data
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
                + le32(crc) + le32(member.data.count) + le32(member.data.count) + le16(name.count) + le16(0) + le16(0)
                + le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let directoryOffset = out.count
        out += directory
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(directory.count) + le32(directoryOffset) + le16(0)
        return out
    }

    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    static func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16(value >> 16 & 0xFFFF) }
    static func le32(_ value: UInt32) -> [UInt8] { le32(Int(value)) }
}
