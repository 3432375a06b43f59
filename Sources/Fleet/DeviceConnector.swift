import FleetCore
import FleetTLS
import NIOCore
import NIOPosix

/// Connects one device to a target over TCP and mutual TLS and reports how it ended.
///
/// This is the unit the fleet is built from: identity check first (an unusable identity never
/// touches the network), then TCP with `TCP_NODELAY`, the wolfSSL handshake, and the wait for the
/// server's verdict, each bounded by its own timeout.
public struct DeviceConnector: Sendable {
    public let context: TLSContext
    public let group: any EventLoopGroup
    public var connectTimeout: TimeAmount = .seconds(5)
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// How long to wait, after a TLS 1.3 handshake, for the server's verdict.
    public var acceptTimeout: TimeAmount = .seconds(5)

    public init(context: TLSContext, group: any EventLoopGroup) {
        self.context = context
        self.group = group
    }

    /// Runs one connection attempt to completion. Never throws: every ending is a ``ConnectionResult``.
    ///
    /// - Parameters:
    ///   - identity: the device's chain and key; nil connects without a client certificate. An
    ///     identity not yet validated (``TLSContext/validate(_:)``) is validated first.
    ///   - host: an IP address or name of the target (only 127.0.0.0/8 in tests and benchmarks).
    ///   - serverName: the name the server certificate must carry (defaults to `host`).
    ///   - resume: a session from an earlier connection (``ConnectionResult/session``) to resume.
    public func connect(
        identity: DeviceIdentity?,
        host: String,
        port: Int,
        serverName: String? = nil,
        resume: TLSSession? = nil
    ) async -> ConnectionResult {
        if let identity, !identity.isValidated {
            do {
                try self.context.validate(identity)
            } catch {
                return ConnectionResult(outcome: error.outcome, failure: error)
            }
        }
        let eventLoop = self.group.next()
        let promise = eventLoop.makePromise(of: ConnectionResult.self)
        let start = NIODeadline.now()
        let context = self.context
        let handshakeTimeout = self.handshakeTimeout
        let acceptTimeout = self.acceptTimeout
        let name = serverName ?? host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let tls = try TLSHandler(context: context, identity: identity, serverName: name, resume: resume)
                    let session = DeviceSessionHandler(
                        start: start,
                        handshakeTimeout: handshakeTimeout,
                        acceptTimeout: acceptTimeout,
                        promise: promise
                    )
                    try channel.pipeline.syncOperations.addHandlers([tls, session])
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            _ = try await bootstrap.connect(host: host, port: port).get()
        } catch let failure as TLSFailure {
            promise.succeed(ConnectionResult(outcome: failure.outcome, failure: failure))
        } catch {
            let (outcome, detail) = TransportFailure.outcome(for: error)
            var timings = ConnectionTimings()
            if outcome == .tcpTimeout { timings.tcpConnect = nil }
            promise.succeed(ConnectionResult(outcome: outcome, detail: detail, timings: timings))
        }
        return try! await promise.futureResult.get()  // the promise is only ever succeeded
    }
}
