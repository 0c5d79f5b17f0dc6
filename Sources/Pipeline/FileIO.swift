#if canImport(Glibc)
import Glibc
#endif
import Image

/// Small POSIX helpers for the files rank 0 writes. Each failure is a PipelineError naming the file.
enum FileIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func makeDirectories(_ path: RawPath) throws {
        var prefix: [UInt8] = path.isAbsolute ? [UInt8(ascii: "/")] : []
        for part in path.bytes.split(separator: UInt8(ascii: "/")) {
            prefix += part
            let status = RawPath(bytes: prefix).withCString { mkdir($0, 0o777) }
            if status != 0 && errno != EEXIST {
                throw PipelineError("cannot create directory \(RawPath(bytes: prefix).displayText): \(errnoText())")
            }
            prefix.append(UInt8(ascii: "/"))
        }
    }

    static func open(_ path: RawPath, _ flags: Int32, mode: mode_t = 0o666) throws -> Int32 {
        let fd = path.withCString { Glibc.open($0, flags | O_CLOEXEC, mode) }
        if fd < 0 { throw PipelineError("cannot open \(path.displayText): \(errnoText())") }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: RawPath) throws {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 { if errno == EINTR { continue }; throw PipelineError("cannot write \(path.displayText): \(errnoText())") }
            done += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: RawPath) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    static func readAt(_ fd: Int32, offset: Int, count: Int, path: RawPath) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n <= 0 { throw PipelineError("cannot read \(path.displayText) at \(offset + done): \(n < 0 ? errnoText() : "unexpected end")") }
            done += n
        }
        return bytes
    }

    static func fileSize(_ fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    static func rename(_ from: RawPath, _ to: RawPath) throws {
        let status = from.withCString { a in to.withCString { b in Glibc.rename(a, b) } }
        if status != 0 { throw PipelineError("cannot rename \(from.displayText) to \(to.displayText): \(errnoText())") }
    }

    static func exists(_ path: RawPath) -> Bool {
        var info = stat()
        return path.withCString { lstat($0, &info) } == 0
    }
}
