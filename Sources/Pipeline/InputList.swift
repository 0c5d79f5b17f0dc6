import FileSystem

/// One photo to classify: its path as the user listed it, and its ground-truth label when
/// the manifest has one.
public struct InputItem: Equatable, Sendable {
    public var path: RawPath
    public var label: String?
    public init(path: RawPath, label: String? = nil) { self.path = path; self.label = label }
}

/// The ordered list of inputs, the same on every rank. A manifest is not held in memory:
/// it is indexed sparsely (every 1,024th record's byte offset) and read back by range, so a
/// rank's memory grows with its own share of the list only.
public protocol InputList: AnyObject {
    var count: Int { get }
    var hasLabels: Bool { get }
    /// The items at `range`, in order.
    func items(_ range: Range<Int>) throws -> [InputItem]
    /// Where to open `item`: relative manifest paths are resolved against the manifest's folder.
    func location(of item: InputItem) -> RawPath
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
    func location(of item: InputItem) -> RawPath { base.location(of: item) }
}

public enum InputLists {
    /// A directory (every photo below it by ImageFileName, sorted byte-wise) or a manifest file
    /// (a CSV with a `path` column and an optional `label` column, or one path per line).
    /// `excluding`: a directory not to search (the output, when it lies inside the input).
    public static func open(_ path: RawPath, excluding: RawPath? = nil) throws -> InputList {
        let info: Stat
        do throws(Errno) { info = try path.status() } catch {
            throw PipelineError("--input \(path.displayText): \(error)")
        }
        if info.type == .directory { return try DirectoryList(root: path, excluding: excluding) }
        return try ManifestList(path: path)
    }
}
