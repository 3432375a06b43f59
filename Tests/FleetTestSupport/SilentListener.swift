#if canImport(Glibc)
    import Glibc
#endif

/// A TCP socket on 127.0.0.1 that listens and never accepts: the kernel still completes a
/// client's connection and queues it, so ``wasContacted`` tells, without waiting, whether anyone
/// tried. For "this must never be contacted" assertions (e.g. an OCSP responder URL).
public final class SilentListener {
    public let port: Int
    private var fd: Int32

    public init() throws {
        let fd = Loopback.socket()
        guard fd >= 0 else { throw ForeignProcessError("socket() failed") }
        var address = Loopback.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw ForeignProcessError("cannot listen on 127.0.0.1")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a connection is waiting to be accepted (someone connected since the start).
    public var wasContacted: Bool {
        var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    public func close() {
        guard self.fd >= 0 else { return }
        Glibc.close(self.fd)
        self.fd = -1
    }

    deinit { self.close() }
}
