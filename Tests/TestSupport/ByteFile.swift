#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Files named by raw path bytes, which need not be UTF-8 (Foundation's URL and String
/// would repair such names), with plain open/read/write.
public enum ByteFile {
    public static func withCPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (path + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    /// The inode the path leads to (symlinks followed); nil when it leads nowhere.
    public static func inode(_ path: [UInt8]) -> UInt64? {
        var info = stat()
        return withCPath(path) { stat($0, &info) } == 0 ? UInt64(info.st_ino) : nil
    }

    public static func write(_ path: [UInt8], _ bytes: [UInt8]) throws {
        let fd = withCPath(path) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        XCTAssertEqual(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }, bytes.count)
    }

    /// The whole file, read to its end (so /proc files, which report size 0, work too).
    public static func read(_ path: [UInt8]) throws -> [UInt8] {
        let fd = withCPath(path) { open($0, O_RDONLY) }
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }
}
