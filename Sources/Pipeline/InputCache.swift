import Engine
import FileSystem

/// The model inputs of recently decoded files, so a file listed many times (sampling with
/// replacement, like the seed blog's 3,000-path list over 6 photos) is decoded once per rank.
/// Keyed by what identifies the file's contents on disk (device, inode, size, modification
/// time), not by its path; bounded (least recently used out). Inference still runs for
/// every listed path. Off with a capacity of 0. A file is only kept once it has been seen
/// before (a fixed table of recent keys' hashes remembers what was seen), so a list of
/// distinct files pays nothing for the copies.
public final class InputCache {
    /// What identifies a file's contents on disk.
    public struct Key: Hashable {
        fileprivate var device: UInt64, inode: UInt64, size: Int64, seconds: Int64, nanoseconds: Int64
    }
    private let capacity: Int               // entries
    private let inputCount: Int
    private var entries: [Key: (values: [Float], used: Int)] = [:]
    private var clock = 0
    private var seen: [Int]                 // direct-mapped hashes of keys looked up; a collision only costs a copy or a decode
    public private(set) var hits = 0

    public init(megabytes: Int, inputCount: Int) {
        self.inputCount = inputCount
        capacity = megabytes * 1_000_000 / max(inputCount * MemoryLayout<Float>.size, 1)
        seen = Array(repeating: 0, count: capacity > 0 ? 1 << 16 : 0)
    }

    private func key(_ path: RawPath) -> Key? {
        guard capacity > 0 else { return nil }
        guard let info = try? path.status(), info.type == .regular else { return nil }
        return Key(device: UInt64(info.deviceID.rawValue), inode: UInt64(info.inode.rawValue), size: info.size,
                   seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec))
    }

    /// Copies the cached input for `path` to `target` and returns true, or returns false and
    /// a key to `store` the input under once it is decoded (nil: not worth keeping yet).
    public func lookup(_ path: RawPath, into target: UnsafeMutablePointer<Float>) -> (hit: Bool, key: Key?) {
        guard let key = key(path) else { return (false, nil) }
        clock += 1
        guard let values = entries[key]?.values else {
            let hash = key.hashValue, slot = Int(UInt(bitPattern: hash) % UInt(seen.count))
            defer { seen[slot] = hash }
            return (false, seen[slot] == hash ? key : nil)
        }
        values.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: inputCount) }
        entries[key]!.used = clock
        hits += 1
        return (true, key)
    }

    public func store(_ key: Key?, from source: UnsafePointer<Float>) {
        guard let key else { return }
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
        }
        entries[key] = (Array(UnsafeBufferPointer(start: source, count: inputCount)), clock)
    }
}
