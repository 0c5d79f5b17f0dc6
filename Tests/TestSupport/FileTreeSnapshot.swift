import Foundation

/// What a folder holds, to tell whether a run changed anything: every entry below the root
/// (symlinks not followed), relative path -> a file's size and content hash, a symlink's
/// target, or "dir".
public enum FileTreeSnapshot {
    public static func take(_ root: URL, excluding excluded: String? = nil) throws -> [String: String] {
        var result: [String: String] = [:]
        let manager = FileManager.default
        func walk(_ folder: URL, _ prefix: String) throws {
            for name in try manager.contentsOfDirectory(atPath: folder.path) {
                if prefix.isEmpty && name == excluded { continue }
                let url = folder.appendingPathComponent(name), key = prefix + name
                let attributes = try manager.attributesOfItem(atPath: url.path)
                switch attributes[.type] as? FileAttributeType {
                case .typeDirectory?:
                    result[key] = "dir"
                    try walk(url, key + "/")
                case .typeSymbolicLink?:
                    result[key] = "-> " + (try manager.destinationOfSymbolicLink(atPath: url.path))
                default:
                    let data = try Data(contentsOf: url)
                    result[key] = "\(data.count) bytes, hash \(FNV1a.hash([UInt8](data)))"
                }
            }
        }
        try walk(root, "")
        return result
    }
}
