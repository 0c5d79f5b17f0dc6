import FileSystem

/// `--input x.tar`: the members of one tar shard (ShardItems), in member order.
final class ShardList: InputList {
    private let entries: [InputItem]
    let hasLabels = false

    init(shard: RawPath) { entries = ShardItems.items(shard: shard, at: shard, label: nil) }

    var count: Int { entries.count }
    func items(_ range: Range<Int>) throws -> [InputItem] { Array(entries[range]) }
    func location(of listed: RawPath) -> RawPath { listed }
}
