#if canImport(Glibc)
import Glibc
#endif

/// What swift-system's FileDescriptor lacks: reads that fill a buffer, the size, a lock.
extension FileDescriptor {
    /// Reads from the current offset until `buffer` is full or the file ends; returns the count.
    /// The corresponding C function is `read`.
    public func read(filling buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try typed { try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...])) }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads at `offset` until `buffer` is full or the file ends; returns the count.
    /// The corresponding C function is `pread`.
    public func read(at offset: Int, filling buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try typed { try read(fromAbsoluteOffset: Int64(offset + done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...])) }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads into `bytes[0..<count]`, from the current offset or at `offset`, until that
    /// much is read or the file ends; returns the count.
    public func read(into bytes: inout [UInt8], count: Int, at offset: Int? = nil) throws(Errno) -> Int {
        let result = bytes.withUnsafeMutableBytes { raw in
            let target = UnsafeMutableRawBufferPointer(rebasing: raw[0..<count])
            return Result { () throws(Errno) -> Int in
                if let offset { return try read(at: offset, filling: target) }
                return try read(filling: target)
            }
        }
        return try result.get()
    }

    /// The file's size in bytes. The corresponding C function is `fstat`.
    public func size() throws(Errno) -> Int { Int(try stat().size) }

    /// Takes an exclusive advisory lock if no one holds one; false when someone does.
    /// The corresponding C function is `flock` (LOCK_EX | LOCK_NB).
    public func tryLockExclusive() throws(Errno) -> Bool {
        switch nothingOrErrno({ system_flock(rawValue, LOCK_EX | LOCK_NB) }) {
        case .success: return true
        case .failure(let error) where error == .wouldBlock: return false
        case .failure(let error): throw error
        }
    }
}
