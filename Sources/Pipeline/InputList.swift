import FileSystem

/// One photo to classify: its path as results.csv writes it (for a tar member
/// `<shard path>/<member name>`), its ground-truth label when the manifest has one, and
/// where its bytes are.
public struct InputItem: Equatable, Sendable {
    public var path: RawPath
    public var label: String?
    public var origin: Origin

    /// Where an input's bytes are.
    public enum Origin: Equatable, Sendable {
        /// The file at `path`.
        case file
        /// `size` bytes at `offset` in the tar shard `shard` (the shard's path as listed).
        case member(shard: RawPath, offset: Int64, size: Int64)
        /// Nothing to decode: a shard (or a member of one) that cannot be read; its row is this failure.
        case unreadable(Outcome.Failure)
    }

    public init(path: RawPath, label: String? = nil, origin: Origin = .file) {
        self.path = path
        self.label = label
        self.origin = origin
    }
}

/// The ordered list of inputs, the same on every rank. A manifest is not held in memory:
/// it is indexed sparsely (every 1,024th record's byte offset) and read back by range, so a
/// rank's memory grows with its own share of the list only.
public protocol InputList: AnyObject {
    var count: Int { get }
    var hasLabels: Bool { get }
    /// The items at `range`, in order.
    func items(_ range: Range<Int>) throws -> [InputItem]
    /// Where to open a path as listed: relative manifest paths are resolved against the manifest's folder.
    func location(of listed: RawPath) -> RawPath
}

extension InputList {
    /// Where to open `item` (a loose file).
    public func location(of item: InputItem) -> RawPath { location(of: item.path) }

    /// Where `item`'s bytes are, resolved as the list resolves paths.
    func source(of item: InputItem) -> InputSource {
        switch item.origin {
        case .file: return .file(location(of: item.path))
        case .member(let shard, let offset, let size): return .member(shard: location(of: shard), offset: offset, size: size,
                                                                     name: item.path.lastComponent)
        case .unreadable(let failure): return .unreadable(failure)
        }
    }
}

/// Where one input's bytes are, with paths resolved: what the decoder and the placer open.
enum InputSource: Equatable {
    case file(RawPath)
    /// A tar member; `name` is the member's file name (what it is placed under).
    case member(shard: RawPath, offset: Int64, size: Int64, name: RawPath)
    case unreadable(Outcome.Failure)
}

/// The first `count` items of another list (--limit).
final class PrefixList: InputList {
    let base: InputList
    let count: Int
    init(_ base: InputList, count: Int) { self.base = base; self.count = count }
    var hasLabels: Bool { base.hasLabels }
    func items(_ range: Range<Int>) throws -> [InputItem] {
        precondition(range.upperBound <= count)
        return try base.items(range)
    }
    func location(of listed: RawPath) -> RawPath { base.location(of: listed) }
}

public enum InputLists {
    /// A directory (every photo and tar shard below it by ImageFileName, sorted byte-wise),
    /// a tar shard (`.tar`: its photo members), or a manifest file (a CSV with a `path`
    /// column and an optional `label` column, or one path per line; a line may name a shard).
    /// `excluding`: a directory not to search (the output, when it lies inside the input).
    public static func open(_ path: RawPath, excluding: RawPath? = nil) throws -> InputList {
        let info: Stat
        do throws(Errno) { info = try path.status() } catch {
            throw PipelineError("--input \(path.displayText): \(error)")
        }
        if info.type == .directory { return try DirectoryList(root: path, excluding: excluding) }
        if ImageFileName.isShard(path.bytes) { return ShardList(shard: path) }
        return try ManifestList(path: path)
    }
}
