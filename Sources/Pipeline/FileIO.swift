import FileSystem

/// The files rank 0 writes and reads back, on FileSystem's calls. Each failure is a
/// PipelineError naming the file, with the system's reason (`Errno`'s text).
enum FileIO {
    static func makeDirectories(_ path: RawPath) throws {
        var prefix: [UInt8] = path.isAbsolute ? [UInt8(ascii: "/")] : []
        for part in path.bytes.split(separator: UInt8(ascii: "/")) {
            prefix += part
            do throws(Errno) {
                try RawPath(bytes: prefix).makeDirectory()
            } catch {
                if error != .fileExists { throw PipelineError("cannot create directory \(RawPath(bytes: prefix).displayText): \(error)") }
            }
            prefix.append(UInt8(ascii: "/"))
        }
    }

    static func open(_ path: RawPath, _ mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions = []) throws -> FileDescriptor {
        do throws(Errno) {
            return try path.open(mode, options: options, permissions: FilePermissions(rawValue: 0o666))
        } catch {
            throw PipelineError("cannot open \(path.displayText): \(error)")
        }
    }

    static func writeAll(_ file: FileDescriptor, _ bytes: [UInt8], path: RawPath) throws {
        do {
            _ = try file.writeAll(bytes)
        } catch {
            throw PipelineError("cannot write \(path.displayText): \(error)")
        }
    }

    static func readAt(_ file: FileDescriptor, offset: Int, count: Int, path: RawPath) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        switch Result(catching: { () throws(Errno) in try file.read(into: &bytes, count: count, at: offset) }) {
        case .failure(let error):
            throw PipelineError("cannot read \(path.displayText) at \(offset): \(error)")
        case .success(let done) where done < count:
            throw PipelineError("cannot read \(path.displayText) at \(offset + done): unexpected end")
        case .success:
            return bytes
        }
    }

    /// The file's size, 0 when it cannot be told.
    static func fileSize(_ file: FileDescriptor) -> Int { (try? file.size()) ?? 0 }

    static func rename(_ from: RawPath, _ to: RawPath) throws {
        do throws(Errno) {
            try from.rename(to: to)
        } catch {
            throw PipelineError("cannot rename \(from.displayText) to \(to.displayText): \(error)")
        }
    }
}
