import FileSystem
import Image

/// The sidecar of results.csv (`.results.index`): for every row written, its input index,
/// where the row lies in results.csv, and its outcome code. Rows reach rank 0 in the order
/// ranks finish them; this index lets the run put them in input order at the end, and lets
/// `--resume` find which inputs are done after a crash.
///
///   "DCIDX001", UInt64 input count, UInt64 list fingerprint       (24 bytes)
///   entries: Int64 index, Int64 offset, Int32 length, Int32 code   (24 bytes each)
/// code >= 0 is the class index; code < 0 is a failure, FailureReason(rawValue: -code - 1).
struct ResultIndex {
    struct Entry: Equatable {
        var index: Int64
        var offset: Int64
        var length: Int32
        var code: Int32
    }

    static let magic = Array("DCIDX001".utf8)
    static let headerSize = 24
    static let entrySize = 24

    static func header(count: Int, fingerprint: UInt64) -> [UInt8] {
        var bytes = magic
        withUnsafeBytes(of: UInt64(count).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: fingerprint.littleEndian) { bytes += $0 }
        return bytes
    }

    static func encode(_ entries: [Entry]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * entrySize)
        for e in entries {
            withUnsafeBytes(of: e.index.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: e.offset.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: e.length.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: e.code.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    /// Reads a sidecar; nil when it is missing or belongs to another input list.
    static func read(_ path: RawPath, count: Int, fingerprint: UInt64) throws -> [Entry]? {
        guard path.exists else { return nil }
        let fd = try FileIO.open(path, .readOnly)
        defer { try? fd.close() }
        let size = FileIO.fileSize(fd)
        guard size >= headerSize else { return nil }
        let bytes = try FileIO.readAt(fd, offset: 0, count: size, path: path)
        guard Array(bytes[0..<8]) == magic, load(UInt64.self, bytes, 8) == UInt64(count),
              load(UInt64.self, bytes, 16) == fingerprint else { return nil }
        var entries: [Entry] = []
        var offset = headerSize
        while offset + entrySize <= size {   // a partly written last entry is ignored
            entries.append(Entry(index: load(Int64.self, bytes, offset), offset: load(Int64.self, bytes, offset + 8),
                                 length: load(Int32.self, bytes, offset + 16), code: load(Int32.self, bytes, offset + 20)))
            offset += entrySize
        }
        return entries
    }

    private static func load<T: FixedWidthInteger>(_ type: T.Type, _ bytes: [UInt8], _ offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset..<(offset + MemoryLayout<T>.size)]) }
        return T(littleEndian: value)
    }

    /// FNV-1a over every listed path and label, in order: a resumed run must see the same
    /// list. A tar member's offset and size count too (a rewritten shard is another list).
    static func fingerprint(of list: InputList) throws -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        try list.forEachChunk { _, items in
            for item in items {
                item.path.bytes.forEach(mix); mix(0)
                item.label?.utf8.forEach(mix); mix(0)
                if case .member(_, let offset, let size) = item.origin {
                    withUnsafeBytes(of: offset.littleEndian) { $0.forEach(mix) }
                    withUnsafeBytes(of: size.littleEndian) { $0.forEach(mix) }
                }
            }
        }
        return hash
    }
}

extension ResultIndex {
    /// The code of a failure: -rawValue - 1, so every failure is negative.
    static func code(of reason: FailureReason) -> Int32 { -reason.rawValue - 1 }

    /// The failure a negative code stands for; nil for a class index or a code no build wrote.
    static func reason(of code: Int32) -> FailureReason? {
        code < 0 ? FailureReason(rawValue: -code - 1) : nil
    }

    /// Whether `code` is a class of `classCount` or a known failure: what a resumed run trusts.
    static func isKnown(_ code: Int32, classCount: Int) -> Bool {
        code >= 0 ? Int(code) < classCount : reason(of: code) != nil
    }
}
