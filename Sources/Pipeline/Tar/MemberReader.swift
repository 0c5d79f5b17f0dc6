import FileSystem
import Image

/// Reads one tar member's bytes with pread into a reusable buffer, keeping the last shard
/// open (consecutive inputs are usually members of one shard). One per thread.
final class MemberReader {
    private var shard: (path: RawPath, file: FileDescriptor)? = nil
    private(set) var buffer: [UInt8] = []

    deinit { try? shard?.file.close() }

    /// Reads `size` bytes at `offset` of the shard at `path` into `buffer[0..<size]`.
    func read(shard path: RawPath, offset: Int64, size: Int64) throws(ImageError) {
        let file = try open(path)
        if size == 0 { throw .empty }
        if buffer.count < Int(size) { buffer = [UInt8](repeating: 0, count: Int(size)) }
        let done: Int
        do throws(Errno) { done = try file.read(into: &buffer, count: Int(size), at: Int(offset)) } catch {
            throw .unreadable(error.description)
        }
        if done < Int(size) { throw .unreadable("the tar shard ends at byte \(offset + Int64(done)), before the member does (changed since it was listed?)") }
    }

    /// Runs `body` over the bytes read last (`size` of them).
    func withBytes<R>(_ size: Int64, _ body: (UnsafeRawBufferPointer) throws(ImageError) -> R) throws(ImageError) -> R {
        var result: Result<R, ImageError>!
        buffer.withUnsafeBytes { raw in
            do throws(ImageError) { result = .success(try body(UnsafeRawBufferPointer(rebasing: raw[0..<Int(size)]))) }
            catch { result = .failure(error) }
        }
        return try result.get()
    }

    private func open(_ path: RawPath) throws(ImageError) -> FileDescriptor {
        if let shard, shard.path == path { return shard.file }
        try? shard?.file.close()
        shard = nil
        do throws(Errno) {
            let file = try path.open(.readOnly, options: .nonBlocking)
            shard = (path, file)
            return file
        } catch {
            throw error == .noSuchFileOrDirectory ? .notFound : .unreadable(error.description)
        }
    }
}
