import Glibc
import XCTest
@testable import MPI

/// ControlSocket sets TCP_NODELAY on the process's TCP sockets (PMIx's connection to its
/// daemon) and leaves every other descriptor alone.
final class ControlSocketTests: XCTestCase {
    func testNagleIsTurnedOffOnTCPSocketsOnly() {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var pair: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair), 0)
        defer { for fd in [listener, client] + pair { close(fd) } }

        // A loopback connection, as between a rank and its Open MPI daemon.
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withSocketAddress(&address) { XCTAssertEqual(bind(listener, $0, length), 0) }
        XCTAssertEqual(listen(listener, 1), 0)
        withSocketAddress(&address) { XCTAssertEqual(getsockname(listener, $0, &length), 0) }
        withSocketAddress(&address) { XCTAssertEqual(connect(client, $0, length), 0) }

        XCTAssertEqual(noDelay(client), 0, "Linux starts TCP sockets with Nagle on")
        XCTAssertGreaterThanOrEqual(ControlSocket.disableNagle(), 2)   // the listener and the client, at least
        XCTAssertEqual(noDelay(client), 1)
        XCTAssertTrue(ControlSocket.isTCPStream(client))
        XCTAssertFalse(ControlSocket.isTCPStream(pair[0]), "a Unix socket is no TCP socket")
        let file = open("/dev/null", O_RDONLY)
        XCTAssertFalse(ControlSocket.isTCPStream(file), "a file is no socket")
        close(file)
    }

    private func noDelay(_ fd: Int32) -> Int32 {
        var value: Int32 = -1
        var size = socklen_t(MemoryLayout<Int32>.size)
        XCTAssertEqual(getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &size), 0)
        return value
    }

    private func withSocketAddress(_ address: inout sockaddr_in, _ body: (UnsafeMutablePointer<sockaddr>) throws -> Void) rethrows {
        try withUnsafeMutablePointer(to: &address) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
