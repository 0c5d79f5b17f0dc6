import Image

/// What one tar shard holds for the run, in member order: each photo member (its name,
/// where its data starts, its size: offsets only, never data) and each row that stands
/// for something unreadable: a photo member that cannot be read (cut by the end of the
/// shard, a GNU sparse member), or the rest of the shard (a corrupt header), or the whole
/// shard (not a tar, empty, missing). Made by TarScanner; the same on every rank.
struct TarIndex: Equatable {
    struct Member: Equatable {
        var name: [UInt8]
        var dataOffset: Int64
        var size: Int64
    }

    enum Entry: Equatable {
        case member(Member)
        /// A photo member that cannot be classified; its row is `<shard>/<name>`.
        case badMember(name: [UInt8], reason: FailureReason, message: String)
        /// The shard itself (or what is left of it); its row is the shard's path.
        case badShard(reason: FailureReason, message: String)
    }

    var entries: [Entry] = []
    /// Every member the headers name (photos or not).
    var memberCount = 0

    var members: [Member] {
        entries.compactMap { if case .member(let m) = $0 { return m } else { return nil } }
    }
}
