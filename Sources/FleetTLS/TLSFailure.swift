import FleetCore

/// Why one TLS connection failed, in the terms of DESIGN.md §5 plus everything wolfSSL told us.
///
/// The ``outcome`` is what reports count and `--expect` compares; the rest is evidence for the
/// person reading the report: wolfSSL's native code and text, the alerts in both directions, and
/// the X.509 verify result.
public struct TLSFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var outcome: Outcome
    /// A sentence for a person: what happened, in words.
    public var detail: String
    /// wolfSSL's native error code (negative), if wolfSSL reported one.
    public var nativeCode: Int32?
    /// wolfSSL's text for ``nativeCode``.
    public var nativeText: String?
    /// The fatal alert the peer sent us.
    public var alertReceived: TLSAlert?
    /// The fatal alert we sent the peer.
    public var alertSent: TLSAlert?
    /// The X.509 verify result (OpenSSL numbering, 0 = ok) of the peer's chain, when wolfSSL set one.
    public var verifyResult: Int?
    /// Backend side: who the rejected device's certificate says it is.
    public var peer: PeerIdentity?
    /// Device side: the device refused the server because of its own clock (not real time).
    public var clockRelated = false
    /// The TLS version of the failed connection, when it is certain (after the handshake, or only
    /// one version offered).
    public var version: TLSVersion?
    /// Device side: the server's OCSP staple was the reason (set when fleetsim itself refused over
    /// it; wolfSSL's refusals are read from ``nativeCode`` by ``OCSPStapleStatus/init(failure:)``).
    public var ocspStaple: OCSPStapleStatus?

    public init(
        _ outcome: Outcome,
        detail: String,
        nativeCode: Int32? = nil,
        nativeText: String? = nil,
        alertReceived: TLSAlert? = nil,
        alertSent: TLSAlert? = nil,
        verifyResult: Int? = nil
    ) {
        self.outcome = outcome
        self.detail = detail
        self.nativeCode = nativeCode
        self.nativeText = nativeText
        self.alertReceived = alertReceived
        self.alertSent = alertSent
        self.verifyResult = verifyResult
    }

    public var description: String {
        var parts = ["\(self.outcome.identifier): \(self.detail)"]
        if let nativeCode { parts.append("wolfSSL \(nativeCode)" + (self.nativeText.map { " \($0)" } ?? "")) }
        if let alertReceived { parts.append("alert received \(alertReceived)") }
        if let alertSent { parts.append("alert sent \(alertSent)") }
        return parts.joined(separator: "; ")
    }
}
