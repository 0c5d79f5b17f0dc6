#if canImport(Glibc)
import Glibc
#endif
import Image

/// Buffered sequential reading of a file's bytes from any offset, with POSIX calls.
final class ByteReader {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var position = 0
    private var filled = 0
    private var bufferStart = 0
    let path: RawPath

    init(path: RawPath, offset: Int = 0) throws {
        self.path = path
        fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        if fd < 0 { throw PipelineError("\(path.displayText): cannot open: \(String(cString: strerror(errno)))") }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw PipelineError("\(path.displayText): is a directory")
        }
        if offset > 0 { lseek(fd, off_t(offset), SEEK_SET) }
        bufferStart = offset
    }

    deinit { close(fd) }

    /// Offset of the next byte `next()` returns.
    var offset: Int { bufferStart + position }

    func next() throws -> UInt8? {
        if position == filled { try refill() }
        guard position < filled else { return nil }
        defer { position += 1 }
        return buffer[position]
    }

    func peek() throws -> UInt8? {
        if position == filled { try refill() }
        return position < filled ? buffer[position] : nil
    }

    private func refill() throws {
        bufferStart += filled
        position = 0
        filled = 0
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 { throw PipelineError("\(path.displayText): read failed: \(String(cString: strerror(errno)))") }
        filled = n
    }
}
