#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files into a reusable buffer with POSIX calls, so a missing file,
/// a directory or a permission problem becomes a specific `ImageError`.
public struct ImageFile {
    /// Reads `path` into `buffer` (resized to fit) and returns the byte count.
    public static func read(_ path: RawPath, into buffer: inout [UInt8]) throws(ImageError) -> Int {
        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        if fd < 0 { throw error(for: errno) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw error(for: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory }
        // O_NONBLOCK above and this check keep a FIFO or device from blocking the rank.
        if (info.st_mode & S_IFMT) != S_IFREG { throw .unreadable("not a regular file") }
        let size = Int(info.st_size)
        if size == 0 { throw .empty }
        if buffer.count < size { buffer = [UInt8](repeating: 0, count: size) }
        var done = 0
        let failure: Int32? = buffer.withUnsafeMutableBytes { raw in
            while done < size {
                let n = Glibc.read(fd, raw.baseAddress! + done, size - done)
                if n < 0 { if errno == EINTR { continue }; return errno }
                if n == 0 { break }
                done += n
            }
            return nil
        }
        if let failure { throw error(for: failure) }
        if done == 0 { throw .empty }
        return done
    }

    static func error(for code: Int32) -> ImageError {
        switch code {
        case ENOENT: return .notFound
        case EISDIR: return .isDirectory
        default: return .unreadable(String(cString: strerror(code)))
        }
    }
}
