import FileSystem

/// A tar shard as input items, in member order: each photo member is one item whose path is
/// `<shard path>/<member name>` (the shard's path as listed, then the member's name as the
/// tar stores it), and each unreadable part is one error item (TarIndex).
enum ShardItems {
    /// `listed`: the shard's path as listed (it starts every item's path); `location`: where
    /// to open it; `label`: the manifest's label for the shard, given to every member.
    static func items(shard listed: RawPath, at location: RawPath, label: String?) -> [InputItem] {
        TarScanner.scan(location).entries.map { entry in
            switch entry {
            case .member(let member):
                return InputItem(path: memberPath(listed, member.name), label: label,
                                 origin: .member(shard: listed, offset: member.dataOffset, size: member.size))
            case .badMember(let name, let reason, let message):
                return InputItem(path: memberPath(listed, name), label: label,
                                 origin: .unreadable(Outcome.Failure(reason: reason, message: message)))
            case .badShard(let reason, let message):
                return InputItem(path: listed, label: label, origin: .unreadable(Outcome.Failure(reason: reason, message: message)))
            }
        }
    }

    /// `<shard>/<member>`, byte for byte (a member name is never resolved as a path).
    static func memberPath(_ shard: RawPath, _ name: [UInt8]) -> RawPath {
        RawPath(bytes: shard.bytes + [UInt8(ascii: "/")] + name)
    }
}
