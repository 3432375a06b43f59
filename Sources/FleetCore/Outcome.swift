/// How one device's connection attempt ended: the stable failure taxonomy of DESIGN.md §5.
///
/// Every layer reports in these terms so that reports, `--expect` files and CI gates can compare
/// outcomes by identifier (`rejected:certificate-expired`) without knowing which layer produced them.
public enum Outcome: Hashable, Sendable, CustomStringConvertible {
    /// Accepted: TLS done and the server's first post-handshake record (ticket or CONNACK) arrived.
    case ok
    case tcpRefused
    case tcpTimeout
    case tcpReset
    case dnsFailure
    /// Out of file descriptors or ephemeral ports on the simulator's side.
    case localResource
    /// The device's own key or certificate could not be used.
    case identityInvalid
    /// The device rejected the server (unknown CA, expired, name mismatch).
    case serverUntrusted
    /// The server sent a fatal alert.
    case rejected(TLSAlert)
    /// The server closed without an alert.
    case closedByServer
    /// MQTT: TLS was accepted, the device sent CONNECT, and the server closed without a CONNACK
    /// (AWS IoT Core's policy denial on 3.1.1, a just-in-time-registered certificate's first
    /// connection, a client-id conflict).
    case closedAfterConnect
    case handshakeTimeout
    /// TLS 1.3 handshake done on the device's side, but no verdict from the server in time.
    case acceptTimeout
    /// CONNACK refused.
    case mqttRefused(MQTTRefusal)
    /// The server sent something that is not TLS/MQTT.
    case protocolError

    /// The stable identifier used in reports and `--expect` files.
    public var identifier: String {
        switch self {
        case .ok: "ok"
        case .tcpRefused: "tcp-refused"
        case .tcpTimeout: "tcp-timeout"
        case .tcpReset: "tcp-reset"
        case .dnsFailure: "dns-failure"
        case .localResource: "local-resource"
        case .identityInvalid: "identity-invalid"
        case .serverUntrusted: "server-untrusted"
        case .rejected(let alert): "rejected:\(alert.name)"
        case .closedByServer: "closed-by-server"
        case .closedAfterConnect: "closed-after-connect"
        case .handshakeTimeout: "handshake-timeout"
        case .acceptTimeout: "accept-timeout"
        case .mqttRefused(let reason): "mqtt-refused:\(reason.rawValue)"
        case .protocolError: "protocol-error"
        }
    }

    public var description: String { self.identifier }

    /// A failure that may go away by itself (the network, the server's load, a restart), as opposed
    /// to a verdict on the device or the server (an alert, an untrusted server, a refused CONNACK)
    /// that the same device will get again.
    public var isTransient: Bool {
        switch self {
        case .tcpRefused, .tcpTimeout, .tcpReset, .dnsFailure, .localResource, .closedByServer, .closedAfterConnect,
            .handshakeTimeout, .acceptTimeout:
            true
        case .ok, .identityInvalid, .serverUntrusted, .rejected, .mqttRefused, .protocolError:
            false
        }
    }

    /// Parses an identifier as written by `identifier`; nil for anything else.
    public init?(identifier: String) {
        if let simple = Self.simple[identifier] {
            self = simple
        } else if identifier.hasPrefix("rejected:"),
            let alert = TLSAlert(name: String(identifier.dropFirst("rejected:".count)))
        {
            self = .rejected(alert)
        } else if identifier.hasPrefix("mqtt-refused:"),
            let reason = MQTTRefusal(rawValue: String(identifier.dropFirst("mqtt-refused:".count)))
        {
            self = .mqttRefused(reason)
        } else {
            return nil
        }
    }

    public var isSuccess: Bool { self == .ok }

    private static let simple: [String: Outcome] = Dictionary(
        uniqueKeysWithValues: [
            Outcome.ok, .tcpRefused, .tcpTimeout, .tcpReset, .dnsFailure, .localResource, .identityInvalid,
            .serverUntrusted, .closedByServer, .closedAfterConnect, .handshakeTimeout, .acceptTimeout, .protocolError,
        ].map { ($0.identifier, $0) }
    )
}
