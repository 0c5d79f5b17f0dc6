/// The one place a C return code becomes an error: -1 means `errno` says why. EINTR is
/// retried, as swift-system's own wrappers do.
func valueOrErrno<I: FixedWidthInteger>(_ call: () -> I) -> Result<I, Errno> {
    while true {
        let value = call()
        if value != -1 { return .success(value) }
        let error = system_errno
        if error != .interrupted { return .failure(error) }
    }
}

/// `valueOrErrno` for calls whose only result is success.
func nothingOrErrno<I: FixedWidthInteger>(_ call: () -> I) -> Result<Void, Errno> {
    valueOrErrno(call).map { _ in () }
}

/// swift-system's FileDescriptor methods are declared `throws` but throw only `Errno`:
/// this gives their errors back their type.
func typed<T>(_ body: () throws -> T) throws(Errno) -> T {
    do { return try body() } catch let error as Errno { throw error } catch { throw Errno.ioError }
}
