#if canImport(Glibc)
import Glibc
#endif

/// Open MPI 4.1's ranks talk to their local daemon (PMIx) over a loopback TCP socket with
/// Nagle's algorithm on. MPI_Finalize's fence writes a few small messages in a row, and
/// each one after the first waits until the daemon acknowledges the one before, which
/// Linux delays by 40 ms. Measured on one node, 2 ranks: MPI_Finalize 44 ms, 2 ms with
/// TCP_NODELAY on that socket. Open MPI already sets TCP_NODELAY on its own data sockets
/// (btl tcp, oob), so setting it on every TCP socket of the process changes only PMIx's.
enum ControlSocket {
    /// Sets TCP_NODELAY on every open TCP socket of this process (Linux: found through
    /// /proc/self/fd; elsewhere nothing is done). Returns how many sockets were set.
    @discardableResult
    static func disableNagle() -> Int {
        #if os(Linux)
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name) { descriptors.append(fd) }
        }
        closedir(directory)   // its own descriptor was listed too; it is no socket by now
        return descriptors.filter(isTCPStream).filter { fd in
            var one: Int32 = 1
            return setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0
        }.count
        #else
        return 0
        #endif
    }

    /// Whether `fd` is a stream socket of the IPv4 or IPv6 family.
    static func isTCPStream(_ fd: Int32) -> Bool {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue) else { return false }
        var address = sockaddr_storage()
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return named == 0 && (Int32(address.ss_family) == AF_INET || Int32(address.ss_family) == AF_INET6)
    }
}
