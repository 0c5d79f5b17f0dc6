#if canImport(Glibc)
import Glibc
#endif
import Image

/// Every file named *.jpg or *.jpeg (any case) under a directory, recursively, following
/// symbolic links to directories once, sorted by path bytes. An excluded directory (the
/// run's own output, whose class folders hold placed photos) is not searched.
final class DirectoryList: InputList {
    private let paths: [RawPath]
    let hasLabels = false

    init(root: RawPath, excluding: RawPath? = nil) throws {
        var found: [RawPath] = []
        var visited = Set<[UInt64]>()
        var excluded = stat()
        if let excluding, excluding.withCString({ stat($0, &excluded) }) == 0 {
            visited.insert([UInt64(excluded.st_dev), UInt64(excluded.st_ino)])
        }
        try DirectoryList.walk(root, into: &found, visited: &visited)
        paths = found.sorted()
    }

    var count: Int { paths.count }

    func items(_ range: Range<Int>) throws -> [InputItem] { paths[range].map { InputItem(path: $0) } }

    func location(of item: InputItem) -> RawPath { item.path }

    static func isJPEGName(_ name: [UInt8]) -> Bool {
        let lower = name.map { (65...90).contains($0) ? $0 + 32 : $0 }
        return lower.ends(with: Array(".jpg".utf8)) || lower.ends(with: Array(".jpeg".utf8))
    }

    private static func walk(_ directory: RawPath, into found: inout [RawPath], visited: inout Set<[UInt64]>) throws {
        var info = stat()
        guard directory.withCString({ stat($0, &info) }) == 0 else { return }
        // A directory reached twice (a link loop) is read once.
        guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }
        guard let handle = directory.withCString({ opendir($0) }) else {
            throw PipelineError("\(directory.displayText): cannot list: \(String(cString: strerror(errno)))")
        }
        defer { closedir(handle) }
        var subdirectories: [RawPath] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [46] || name == [46, 46] { continue }
            let path = directory.appending(RawPath(bytes: name))
            var type = entry.pointee.d_type
            if type == UInt8(DT_LNK) || type == UInt8(DT_UNKNOWN) {
                var target = stat()
                if path.withCString({ stat($0, &target) }) == 0 {
                    type = (target.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : UInt8(DT_REG)
                } else {
                    type = UInt8(DT_REG)   // a dangling link named .jpg is listed: it becomes an error row
                }
            }
            if type == UInt8(DT_DIR) {
                subdirectories.append(path)
            } else if isJPEGName(name) {
                found.append(path)
            }
        }
        for subdirectory in subdirectories { try walk(subdirectory, into: &found, visited: &visited) }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
