import FleetCore
import FleetMQTT
import FleetTLS
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The mutual-TLS test backend (`fleetsim serve`): a SwiftNIO server on every core, wolfSSL in
/// server mode with the backend policy, MQTT acceptance, an audit log.
public final class BackendServer: Sendable {
    public let channel: any Channel
    private let children = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    /// The TLS context new connections get; replaced when the CRLs are reloaded (``replace(_:)``).
    private let context: NIOLockedValueBox<TLSContext>
    public let audit: AuditLog

    /// Binds and starts serving. Port 0 picks a free port (see ``localAddress``). `connections`
    /// hears each connection open (true) and close (false), for live metrics.
    public init(
        host: String,
        port: Int,
        context: TLSContext,
        settings: BackendSession.Settings,
        audit: AuditLog,
        connections: (@Sendable (_ opened: Bool) -> Void)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws {
        let children = self.children
        let current = NIOLockedValueBox(context)
        self.context = current
        self.audit = audit
        self.channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = ObjectIdentifier(channel)
                    children.withLockedValue { $0[id] = channel }
                    connections?(true)
                    channel.closeFuture.whenComplete { _ in
                        _ = children.withLockedValue { $0.removeValue(forKey: id) }
                        connections?(false)
                    }
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(try TLSHandler(context: current.withLockedValue { $0 }))
                    if settings.mode == .mqtt {
                        // The decoder takes the version of the device's CONNECT; the session encodes.
                        try sync.addHandler(ByteToMessageHandler(MQTTDecoder()))
                    }
                    try sync.addHandler(BackendSession(settings: settings, audit: audit))
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    public var localAddress: SocketAddress? { self.channel.localAddress }

    /// New connections use `context` from now on (CRLs reloaded); open ones keep theirs. The
    /// session tickets issued so far stay valid (``TLSContext/adoptTicketKeys(from:)``).
    public func replace(_ context: TLSContext) {
        self.context.withLockedValue { current in
            context.adoptTicketKeys(from: current)
            current = context
        }
    }

    /// Tells every open connection that the revoked certificates changed: a session whose device
    /// is now revoked closes itself (`serve --drop-revoked`). Returns how many connections were told.
    @discardableResult
    public func broadcast(_ revoked: RevokedCertificates) -> Int {
        let open = self.children.withLockedValue { Array($0.values) }
        for child in open { child.pipeline.fireUserInboundEventTriggered(RevocationUpdate(revoked: revoked)) }
        return open.count
    }

    /// Asks every open connection to look its device's OCSP status up again (`--device-ocsp` with
    /// `--drop-revoked`): a session whose device the responder now says is revoked is dropped.
    /// Returns how many connections were asked.
    public func recheckOCSP() -> Int {
        let open = self.children.withLockedValue { Array($0.values) }
        for child in open { child.pipeline.fireUserInboundEventTriggered(OCSPRecheck()) }
        return open.count
    }

    /// Stops accepting, closes every connection, flushes the audit log.
    public func stop() async {
        try? await self.channel.close()
        let open = self.children.withLockedValue { Array($0.values) }
        for child in open { try? await child.close() }
        self.audit.close()
    }
}
