#if canImport(Glibc)
    import Glibc
#endif

/// Plain sockets on 127.0.0.1 for the test peers (hostile clients and servers, the metrics
/// scraper): one place that builds the address and connects, with `CLOEXEC` so no foreign program
/// the tests start inherits them.
public enum Loopback {
    public static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A new TCP socket, close-on-exec.
    public static func socket() -> Int32 {
        Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    /// A socket connected to 127.0.0.1:`port`.
    public static func connect(port: Int) throws -> Int32 {
        let fd = Self.socket()
        guard fd >= 0 else { throw ForeignProcessError("socket() failed") }
        var address = Self.address(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw ForeignProcessError("cannot connect to 127.0.0.1:\(port)")
        }
        return fd
    }
}
