#if canImport(Glibc)
    import Glibc
#endif

/// Finds a TCP port on 127.0.0.1 that is free right now, for foreign programs that cannot pick
/// their own (`openssl s_server` does not print the port it got for `:0`).
public enum FreePort {
    public static func find() -> Int {
        let fd = Loopback.socket()
        precondition(fd >= 0, "socket() failed")
        defer { close(fd) }
        var address = Loopback.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        precondition(bound == 0, "bind() failed")
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension ForeignProcess {
    /// Starts a server on a free loopback port and waits for its `ready` line. Another process may
    /// take the port between `FreePort.find()` and the server's bind, so it retries on a new port.
    public static func listening(
        ready: String,
        name: String,
        attempts: Int = 5,
        start: (_ port: Int) throws -> ForeignProcess
    ) async throws -> (ForeignProcess, Int) {
        var lastError: (any Error)?
        for _ in 0..<attempts {
            let port = FreePort.find()
            let process = try start(port)
            do {
                try await process.waitForOutput(ready)
                return (process, port)
            } catch {
                process.stop()
                lastError = error
            }
        }
        throw lastError ?? ForeignProcessError("\(name) did not start")
    }
}
