import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately broken server on 127.0.0.1 for the hardening tests: it speaks plain text, sends
/// random bytes, never answers, or stands as a proxy in front of a real TLS server and stalls,
/// cuts or corrupts the conversation. Blocking sockets, one thread per connection, every socket
/// closed by ``stop()``.
public final class HostileServer: Sendable {
    public enum Behaviour: Sendable {
        /// Answers like a plain HTTP server (not TLS), then closes.
        case plainText(String)
        /// Sends this many random bytes and keeps the connection open.
        case randomBytes(Int)
        /// Accepts TCP and never reads or writes.
        case silent
        /// Relays to `port`, but passes only the server's first flight to the device, then stalls.
        case stallAfterFirstFlight(upstream: Int)
        /// Relays to `port`; after the server's first flight, closes both sides.
        case closeAfterFirstFlight(upstream: Int)
        /// Relays to `port` faithfully; after `seconds`, injects random bytes towards the device.
        case corruptAfter(seconds: Double, upstream: Int)
    }

    public let port: Int
    private let listener: Int32
    private let sockets = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    public init(_ behaviour: Behaviour) throws {
        let fd = Loopback.socket()
        guard fd >= 0 else { throw ForeignProcessError("socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Loopback.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            close(fd)
            throw ForeignProcessError("cannot listen on 127.0.0.1")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = fd
        let server = self
        Thread.detachNewThread { server.acceptLoop(behaviour) }
    }

    /// Closes the listener and every connection.
    public func stop() {
        self.stopped.store(true, ordering: .relaxed)
        shutdown(self.listener, Int32(SHUT_RDWR))
        close(self.listener)
        for fd in self.sockets.withLock({ Array($0) }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func track(_ fd: Int32) { self.sockets.withLock { _ = $0.insert(fd) } }

    private func acceptLoop(_ behaviour: Behaviour) {
        while !self.stopped.load(ordering: .relaxed) {
            let client = accept(self.listener, nil, nil)
            guard client >= 0 else { return }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            self.track(client)
            let server = self
            Thread.detachNewThread { server.serve(client, behaviour) }
        }
    }

    private func serve(_ client: Int32, _ behaviour: Behaviour) {
        switch behaviour {
        case .plainText(let text):
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &buffer, buffer.count)
            let bytes = Array(text.utf8)
            _ = write(client, bytes, bytes.count)
            shutdown(client, Int32(SHUT_RDWR))
        case .randomBytes(let count):
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255) }
            _ = write(client, bytes, bytes.count)
            Self.drain(client)
        case .silent:
            // Never read what the device sends: wait (bounded by stop()) for it to give up.
            var descriptor = pollfd(fd: client, events: 0x2000 /* POLLRDHUP */, revents: 0)
            while !self.stopped.load(ordering: .relaxed) {
                if poll(&descriptor, 1, 200) > 0 && descriptor.revents & Int16(0x2000 | POLLHUP | POLLERR) != 0 {
                    break
                }
            }
        case .stallAfterFirstFlight(let upstream):
            self.relay(client, upstream: upstream, after: nil) { _, fromServer in fromServer > 0 ? .swallow : .pass }
        case .closeAfterFirstFlight(let upstream):
            self.relay(client, upstream: upstream, after: nil) { _, fromServer in fromServer > 0 ? .close : .pass }
        case .corruptAfter(let seconds, let upstream):
            self.relay(client, upstream: upstream, after: seconds) { _, _ in .pass }
        }
        close(client)
    }

    private static func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(fd, &buffer, buffer.count) > 0 {}
    }

    enum Verdict { case pass, swallow, close }

    /// Relays both ways. `decide` sees, before each chunk from the server, how many server chunks
    /// were already passed on; after `corruptAfter` seconds random bytes go to the device once.
    private func relay(_ client: Int32, upstream: Int, after corruptAfter: Double?, decide: (Int, Int) -> Verdict) {
        guard let server = try? Loopback.connect(port: upstream) else { return }
        self.track(server)
        defer { close(server) }
        var fromClient = 0, fromServer = 0
        let start = Date()
        var corrupted = false
        var descriptors = [
            pollfd(fd: client, events: Int16(POLLIN), revents: 0),
            pollfd(fd: server, events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !self.stopped.load(ordering: .relaxed) {
            if let corruptAfter, !corrupted, Date().timeIntervalSince(start) >= corruptAfter {
                corrupted = true
                let junk = (0..<64).map { _ in UInt8.random(in: 0...255) }
                _ = write(client, junk, junk.count)
            }
            guard poll(&descriptors, 2, 50) >= 0 else { return }
            if descriptors[0].revents != 0 {
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { return }
                fromClient += 1
                _ = write(server, buffer, count)
            }
            if descriptors[1].revents != 0 {
                let count = read(server, &buffer, buffer.count)
                if count <= 0 { return }
                switch decide(fromClient, fromServer) {
                case .pass: _ = write(client, buffer, count)
                case .swallow: break
                case .close: return
                }
                fromServer += 1
            }
        }
    }
}
