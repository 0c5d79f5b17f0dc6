#if canImport(Glibc)
import Glibc
#endif

// The C calls swift-system 1.8.1 does not wrap, one pass-through each; the rest of the
// module goes through these or through swift-system itself.

/// The corresponding C function is `mkdir`.
func system_mkdir(_ path: UnsafePointer<CChar>, _ mode: mode_t) -> Int32 { mkdir(path, mode) }

/// The corresponding C function is `rename`.
func system_rename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Int32 { rename(from, to) }

/// The corresponding C function is `link`.
func system_link(_ source: UnsafePointer<CChar>, _ target: UnsafePointer<CChar>) -> Int32 { link(source, target) }

/// The corresponding C function is `symlink`.
func system_symlink(_ destination: UnsafePointer<CChar>, _ link: UnsafePointer<CChar>) -> Int32 { symlink(destination, link) }

/// The corresponding C function is `opendir`.
func system_opendir(_ path: UnsafePointer<CChar>) -> OpaquePointer? { opendir(path) }

/// The corresponding C function is `readdir`.
func system_readdir(_ directory: OpaquePointer) -> UnsafeMutablePointer<dirent>? { readdir(directory) }

/// The corresponding C function is `closedir`.
func system_closedir(_ directory: OpaquePointer) -> Int32 { closedir(directory) }

/// The corresponding C function is `flock`.
func system_flock(_ fd: Int32, _ operation: Int32) -> Int32 { flock(fd, operation) }

/// The corresponding C function is `getcwd`.
func system_getcwd(_ buffer: UnsafeMutablePointer<CChar>, _ size: Int) -> UnsafeMutablePointer<CChar>? { getcwd(buffer, size) }

/// The C library's `errno`, read right after a call failed.
var system_errno: Errno { Errno(rawValue: errno) }
