import FileSystem

/// Reads whole files into a reusable buffer, so a missing file, a directory or a
/// permission problem becomes a specific `ImageError`.
public struct ImageFile {
    /// Reads `path` into `buffer` (resized to fit) and returns the byte count.
    public static func read(_ path: RawPath, into buffer: inout [UInt8]) throws(ImageError) -> Int {
        // O_NONBLOCK and the regular-file check keep a FIFO or device from blocking the rank.
        let file = try call { () throws(Errno) in try path.open(.readOnly, options: .nonBlocking) }
        defer { try? file.close() }
        let info = try call { () throws(Errno) in try file.stat() }
        if info.type == .directory { throw .isDirectory }
        if info.type != .regular { throw .unreadable("not a regular file") }
        let size = Int(info.size)
        if size == 0 { throw .empty }
        if buffer.count < size { buffer = [UInt8](repeating: 0, count: size) }
        let done = try call { () throws(Errno) in try file.read(into: &buffer, count: size) }
        if done == 0 { throw .empty }
        return done
    }

    /// Runs a file call; its `Errno` becomes the matching `ImageError`.
    private static func call<T>(_ body: () throws(Errno) -> T) throws(ImageError) -> T {
        do { return try body() } catch { throw imageError(for: error) }
    }

    static func imageError(for code: Errno) -> ImageError {
        switch code {
        case .noSuchFileOrDirectory: return .notFound
        case .isDirectory: return .isDirectory
        default: return .unreadable(code.description)
        }
    }
}
