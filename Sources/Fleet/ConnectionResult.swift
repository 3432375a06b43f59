import FleetCore
import FleetTLS

/// How one device's connection ended: the outcome, the evidence, and the timings.
public struct ConnectionResult: Sendable {
    public var outcome: Outcome
    /// The TLS-level evidence (alerts, wolfSSL code, verify result) when TLS failed.
    public var failure: TLSFailure?
    /// A sentence for a person; nil for `ok`.
    public var detail: String?
    public var timings: ConnectionTimings
    /// Negotiated version and suite, when the handshake completed.
    public var handshake: TLSHandshakeInfo?
    /// A session the device can resume next time.
    public var session: TLSSession?

    public init(
        outcome: Outcome,
        failure: TLSFailure? = nil,
        detail: String? = nil,
        timings: ConnectionTimings = ConnectionTimings(),
        handshake: TLSHandshakeInfo? = nil
    ) {
        self.outcome = outcome
        self.failure = failure
        self.detail = detail ?? failure?.detail
        self.timings = timings
        self.handshake = handshake
    }
}
