import NIOCore

/// When each milestone of one device's connection was reached, as time elapsed since the device's
/// (scheduled) start: TCP connected, TLS handshake done, server's verdict in.
///
/// Milestones are cumulative so that "handshake latency" means what a device experiences (connect
/// included). A milestone never reached is nil. The gap between `tlsHandshake` and `serverAccept`
/// is the TLS 1.3 trap made visible: the handshake is done before the server has judged the device.
public struct ConnectionTimings: Sendable, Equatable {
    public var tcpConnect: TimeAmount?
    public var tlsHandshake: TimeAmount?
    public var serverAccept: TimeAmount?

    public init(tcpConnect: TimeAmount? = nil, tlsHandshake: TimeAmount? = nil, serverAccept: TimeAmount? = nil) {
        self.tcpConnect = tcpConnect
        self.tlsHandshake = tlsHandshake
        self.serverAccept = serverAccept
    }
}

extension TimeAmount {
    /// The amount in seconds.
    public var seconds: Double { Double(self.nanoseconds) / 1e9 }
}
