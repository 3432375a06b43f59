import FleetCore

/// One connection of a device (a device makes several with retries, reconnects and churn): why it
/// was made, how it ended and how long each phase took. The collector's histograms are built from
/// these, so full and resumed handshakes land in separate histograms.
struct ConnectionRecord: Sendable {
    var kind: ConnectionKind
    var outcome: Outcome
    /// Seconds from the connection's start (the scheduled start for a device's first connection).
    var timings: ConnectionTimings
    var mqttConnack: Double?
    /// The device offered a session from an earlier connection.
    var resumeOffered: Bool
    /// The server resumed it (no certificates exchanged).
    var resumed: Bool
    /// Accepted by the server's silence after the handshake (a TLS 1.3 server that sends no ticket).
    var acceptedBySilence = false
    /// What the handshake negotiated, e.g. "TLS 1.3 TLS13-AES128-GCM-SHA256"; nil without a handshake.
    var negotiated: String?
    /// The application protocol ALPN negotiated; nil when none was.
    var alpn: String?
    /// The key-exchange group the handshake used; nil when none (a TLS 1.2 resumption).
    var group: String?
    /// Whether the server asked for a client certificate (nil: unknown, e.g. resumed or no handshake).
    var clientCertificateRequested: Bool?
    /// The device had lost an accepted connection and this one is its way back.
    var recovering: Bool
    /// The device's first refusal (a verdict, not a transient failure) since it lost an accepted
    /// connection: e.g. revoked while it was connected, dropped, and refused on reconnect.
    var refusedAfterLoss = false
    /// Seconds from the run's start to the verdict.
    var decidedAt: Double
}
