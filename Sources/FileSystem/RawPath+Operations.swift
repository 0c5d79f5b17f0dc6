#if canImport(Glibc)
import Glibc
#endif

/// The file operations the program uses, on its byte paths. Every failure is the `Errno`
/// of the call; callers put it in their own message (its text is `strerror`'s).
extension RawPath {
    /// Opens the file, always with O_CLOEXEC. The corresponding C function is `open`.
    public func open(_ mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions = [],
                     permissions: FilePermissions? = nil) throws(Errno) -> FileDescriptor {
        try withCString { path throws(Errno) in
            try typed { try FileDescriptor.open(path, mode, options: options.union(.closeOnExec), permissions: permissions) }
        }
    }

    /// The file's status, following a final symbolic link unless told not to.
    /// The corresponding C function is `stat` (or `lstat`).
    public func status(followingLinks: Bool = true) throws(Errno) -> Stat {
        try withCString { path throws(Errno) in try Stat(path, followTargetSymlink: followingLinks) }
    }

    /// True when something (even a dangling link) has this name.
    public var exists: Bool { (try? status(followingLinks: false)) != nil }

    /// The corresponding C function is `mkdir`.
    public func makeDirectory(permissions: FilePermissions = [.ownerReadWriteExecute, .groupReadWriteExecute, .otherReadWriteExecute]) throws(Errno) {
        try withCString { path in nothingOrErrno { system_mkdir(path, permissions.rawValue) } }.get()
    }

    /// Renames this file to `target`, replacing it. The corresponding C function is `rename`.
    public func rename(to target: RawPath) throws(Errno) {
        try withCString { from in target.withCString { to in nothingOrErrno { system_rename(from, to) } } }.get()
    }

    /// A hard link to this file at `target`. The corresponding C function is `link`.
    public func link(at target: RawPath) throws(Errno) {
        try withCString { source in target.withCString { link in nothingOrErrno { system_link(source, link) } } }.get()
    }

    /// A symbolic link at `target` that points to this path. The corresponding C function is `symlink`.
    public func symlink(at target: RawPath) throws(Errno) {
        try withCString { destination in target.withCString { link in nothingOrErrno { system_symlink(destination, link) } } }.get()
    }

    /// The directory's entries except `.` and `..`, in the order the file system gives them.
    /// The corresponding C functions are `opendir`, `readdir` and `closedir`.
    public func entries() throws(Errno) -> [DirectoryEntry] {
        guard let directory = withCString({ system_opendir($0) }) else { throw system_errno }
        defer { _ = system_closedir(directory) }
        var entries: [DirectoryEntry] = []
        while let entry = system_readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [46] || name == [46, 46] { continue }
            let type = entry.pointee.d_type
            // DT_* is the S_IF* file type shifted right by 12 (DTTOIF in dirent.h).
            entries.append(DirectoryEntry(name: name, type: type == UInt8(DT_UNKNOWN) ? nil : FileType(rawValue: mode_t(type) << 12)))
        }
        return entries
    }

    /// The process's working directory, or nil when it cannot be named.
    /// The corresponding C function is `getcwd`.
    public static func currentDirectory() -> RawPath? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard system_getcwd(&buffer, buffer.count) != nil else { return nil }
        return RawPath(bytes: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) })
    }
}
