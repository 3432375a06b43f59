import NIOCore

/// User inbound events the ``TLSHandler`` fires, with the loop time they happened, so the fleet
/// can time each phase without guessing.
public enum TLSEvent: Sendable {
    /// `wolfSSL_connect`/`wolfSSL_accept` finished. In TLS 1.3 a device is **not** yet accepted.
    case handshakeCompleted(TLSHandshakeInfo)
    /// The peer's verdict is in and it is positive. Device side: the server's first post-handshake
    /// record (a NewSessionTicket or application data) arrived, or, in TLS 1.2, the handshake
    /// completed (the server's Finished follows its check of the client certificate). Backend side:
    /// the client's certificate passed verification.
    case accepted(at: NIODeadline)
    /// Device side: a session the device can resume on its next connection. Fired just before
    /// ``accepted`` (TLS 1.2: with the handshake; TLS 1.3: when the server's ticket arrives).
    case sessionReady(TLSSession)
}

/// What was negotiated, for reports and `repro`.
public struct TLSHandshakeInfo: Sendable {
    public let version: TLSVersion?
    public let cipherSuite: String?
    public let resumed: Bool
    /// The peer's certificate subject (device id on the backend side).
    public let peer: PeerIdentity?
    public let at: NIODeadline
    /// Device side: whether the server asked for a client certificate. `false` means the device was
    /// never authenticated by certificate: mutual TLS was not tested. nil on the backend side.
    public var clientCertificateRequested: Bool? = nil
    /// The application protocol ALPN negotiated (`x-amzn-mqtt-ca`, `mqtt`); nil when none was (no
    /// ALPN list on this side, none offered, or the server chose none).
    public var alpn: String? = nil
    /// The key-exchange group the handshake used (`SECP256R1`, `X25519`); nil when it used none
    /// (a TLS 1.2 resumption) or wolfSSL does not say.
    public var group: String? = nil
    /// Backend side: the device's leaf certificate (DER), also on a resumed session the backend
    /// remembers; for dropping the session if the certificate is revoked while it is connected.
    public var peerCertificate: [UInt8]? = nil
    /// Device side: the server's OCSP staple on a full handshake when the device asked for one
    /// (`--ocsp staple|must-staple`); nil otherwise.
    public var ocspStaple: OCSPStapleStatus? = nil
}
