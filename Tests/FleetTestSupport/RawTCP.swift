#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP client on 127.0.0.1 for hostile-client tests: idle connections, floods, garbage,
/// slowloris. Closed by ``close()`` or when released, once.
public final class RawTCP {
    private var fd: Int32
    private var peerClosed = false

    public init(port: Int) throws {
        self.fd = try Loopback.connect(port: port)
    }

    /// Sends `bytes`, ignoring errors: a peer that already closed is what some tests expect.
    public func send(_ bytes: [UInt8]) {
        guard self.fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the peer has closed the connection, without waiting: reads (and drops) whatever it
    /// sent before, such as an alert.
    public var isClosedByPeer: Bool {
        guard !self.peerClosed, self.fd >= 0 else { return self.peerClosed }
        var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while poll(&descriptor, 1, 0) > 0 {
            if read(self.fd, &buffer, buffer.count) <= 0 {
                self.peerClosed = true
                break
            }
        }
        return self.peerClosed
    }

    public func close() {
        guard self.fd >= 0 else { return }
        Glibc.close(self.fd)
        self.fd = -1
    }

    deinit { self.close() }
}

extension Collection where Element == RawTCP {
    /// Waits until the peer has closed every connection of the collection.
    /// - Throws: ``PollTimeout`` saying how many are still open when `timeout` passes first.
    public func waitUntilClosedByPeer(_ what: String, timeout: Duration = .seconds(10)) async throws {
        try await Poll.until(
            "the server to close \(what)",
            timeout: timeout,
            interval: .milliseconds(50),
            detail: { "\(self.filter { !$0.isClosedByPeer }.count) of \(self.count) still open" }
        ) {
            self.allSatisfy(\.isClosedByPeer)
        }
    }
}
