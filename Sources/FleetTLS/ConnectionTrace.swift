import Foundation
import NIOCore

/// Everything one device connection did, in order and timestamped: the TLS messages wolfSSL lets us
/// see, each certificate of the server's chain with the device's verdict on it, alerts, and the
/// milestones of the layers above. `fleetsim repro` prints it; a fleet run does not pay for it.
///
/// What wolfSSL 5.5.4 exposes: its message callback sees handshake messages only while they travel
/// unencrypted (all of TLS 1.2's up to ChangeCipherSpec; ClientHello and ServerHello in TLS 1.3),
/// and its verify callback sees every certificate of the peer's chain. The rest (handshake done,
/// ticket, alerts, MQTT) comes from the handlers.
///
/// **Thread-safety:** not thread-safe; confined to the channel's event loop, where it is created.
public final class ConnectionTrace {
    public private(set) var events: [TraceEvent] = []
    /// The server's chain as the device saw it, leaf first.
    public private(set) var serverChain: [ServerCertificateFacts] = []
    /// The server's OCSP staple as read from its CertificateStatus (TLS 1.2 only: see ``OCSPStapleFacts``).
    public internal(set) var stapledOCSP: OCSPStapleFacts?

    public init() {}

    /// Adds a step. The same step twice in a row is kept once: alerts reach the trace both from
    /// wolfSSL's message callback and from the failure that follows them.
    public func record(_ direction: TraceEvent.Direction, _ text: String) {
        if let last = self.events.last, last.direction == direction, last.text == text { return }
        self.events.append(TraceEvent(at: .now(), direction: direction, text: text))
    }

    func record(serverCertificate facts: ServerCertificateFacts) {
        self.serverChain.removeAll { $0.depth == facts.depth }
        self.serverChain.append(facts)
        self.serverChain.sort { $0.depth < $1.depth }
        self.record(.local, "server certificate [\(facts.depth)] \(facts.subject): \(facts.verdict)")
    }
}

@available(*, unavailable)
extension ConnectionTrace: Sendable {}

/// One line of a ``ConnectionTrace``.
public struct TraceEvent: Sendable {
    public enum Direction: String, Sendable {
        /// The device sent it.
        case sent
        /// The device received it.
        case received
        /// Something the device itself decided or noticed.
        case local
    }

    public let at: NIODeadline
    public let direction: Direction
    public let text: String
}

/// One certificate of the server's chain and the device's verdict on it.
public struct ServerCertificateFacts: Sendable, Codable {
    /// 0 = the server's leaf.
    public var depth: Int
    public var subject: String
    public var issuer: String
    public var notBefore: Date?
    public var notAfter: Date?
    /// "ok", or why the device refused it.
    public var verdict: String
}
