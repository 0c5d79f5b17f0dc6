/// Which file names a directory listing (and a tar shard's member list) takes as photos:
/// the extensions of the formats dogcat-mpi reads, in any case. The format itself is
/// always told by the file's signature, never by this name.
enum ImageFileName {
    static let imageExtensions = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"].map { Array($0.utf8) }
    static let shardExtension = Array(".tar".utf8)

    static func isImage(_ name: [UInt8]) -> Bool {
        let lower = lowercased(name)
        return imageExtensions.contains { lower.ends(with: $0) }
    }

    static func isShard(_ name: [UInt8]) -> Bool { lowercased(name).ends(with: shardExtension) }

    private static func lowercased(_ name: [UInt8]) -> [UInt8] { name.map { (65...90).contains($0) ? $0 + 32 : $0 } }
}
