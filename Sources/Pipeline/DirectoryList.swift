import FileSystem

/// Every file with a photo's name (ImageFileName: .jpg, .jpeg, .png, ...) under a directory, recursively, following
/// symbolic links to directories once, sorted by path bytes. A `.tar` file among them is a
/// shard: its photo members (ShardItems) take its place in that order. An excluded
/// directory (the run's own output, whose class folders hold placed photos) is not searched.
final class DirectoryList: InputList {
    private let entries: [InputItem]
    let hasLabels = false

    init(root: RawPath, excluding: RawPath? = nil) throws {
        var found: [RawPath] = []
        var visited = Set<[UInt64]>()
        if let excluding, let excluded = try? excluding.status() { visited.insert(DirectoryList.identity(excluded)) }
        try DirectoryList.walk(root, into: &found, visited: &visited)
        entries = found.sorted().flatMap { path in
            ImageFileName.isShard(path.bytes) ? ShardItems.items(shard: path, at: path, label: nil) : [InputItem(path: path)]
        }
    }

    var count: Int { entries.count }

    func items(_ range: Range<Int>) throws -> [InputItem] { Array(entries[range]) }

    func location(of listed: RawPath) -> RawPath { listed }

    /// Device and inode: what makes a directory the same one when reached twice.
    private static func identity(_ info: Stat) -> [UInt64] { [UInt64(info.deviceID.rawValue), UInt64(info.inode.rawValue)] }

    private static func walk(_ directory: RawPath, into found: inout [RawPath], visited: inout Set<[UInt64]>) throws {
        guard let info = try? directory.status() else { return }
        // A directory reached twice (a link loop) is read once.
        guard visited.insert(identity(info)).inserted else { return }
        let entries: [DirectoryEntry]
        do throws(Errno) { entries = try directory.entries() } catch {
            throw PipelineError("\(directory.displayText): cannot list: \(error)")
        }
        var subdirectories: [RawPath] = []
        for entry in entries {
            let path = directory.appending(RawPath(bytes: entry.name))
            var type = entry.type
            if type == nil || type == .symbolicLink {
                // A dangling link with a photo's name is listed: it becomes an error row.
                type = (try? path.status())?.type == .directory ? .directory : .regular
            }
            if type == .directory {
                subdirectories.append(path)
            } else if ImageFileName.isImage(entry.name) || ImageFileName.isShard(entry.name) {
                found.append(path)
            }
        }
        for subdirectory in subdirectories { try walk(subdirectory, into: &found, visited: &visited) }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
