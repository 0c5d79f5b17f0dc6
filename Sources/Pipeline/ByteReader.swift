import FileSystem

/// Buffered sequential reading of a file's bytes from any offset.
final class ByteReader {
    private let file: FileDescriptor
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var position = 0
    private var filled = 0
    private var bufferStart = 0
    let path: RawPath

    init(path: RawPath, offset: Int = 0) throws {
        self.path = path
        do throws(Errno) { file = try path.open(.readOnly) } catch {
            throw PipelineError("\(path.displayText): cannot open: \(error)")
        }
        if (try? file.stat())?.type == .directory {
            try? file.close()
            throw PipelineError("\(path.displayText): is a directory")
        }
        if offset > 0 { _ = try? file.seek(offset: Int64(offset), from: .start) }
        bufferStart = offset
    }

    deinit { try? file.close() }

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
        switch Result(catching: { () throws(Errno) in try file.read(into: &buffer, count: buffer.count) }) {
        case .failure(let error): throw PipelineError("\(path.displayText): read failed: \(error)")
        case .success(let n): filled = n
        }
    }
}
