import FleetHTTP
import NIOCore
import NIOPosix

/// `pki ocsp`'s HTTP/1 server: ``OCSPHTTPHandler`` on every connection, all answering from one
/// ``OCSPService``. Runs on NIO's singleton event loops (one per core).
public final class OCSPServer: Sendable {
    public let channel: any Channel

    /// Binds `host:port` (port 0: any free port; see ``localAddress``).
    ///
    /// - Throws: NIO's error when the address cannot be bound.
    public init(
        host: String,
        port: Int,
        service: OCSPService,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws {
        self.channel = try await HTTPListener.bind(host: host, port: port, group: group) {
            OCSPHTTPHandler(service: service)
        }
    }

    /// The address actually bound.
    public var localAddress: SocketAddress? { self.channel.localAddress }

    /// Stops accepting; open connections end with the process.
    public func stop() async {
        try? await self.channel.close()
    }
}
