import Foundation

/// Server role: the DER OCSP response `serve` staples for its own certificate, and until when.
///
/// Checked before it gets here (FleetPKI's `OCSPResponseCheck`: for this certificate, signed, current).
/// A context holds one for its lifetime: wolfSSL 5.5.4 caches the first response it accepts in the
/// context until that response's nextUpdate (measured: the OCSP I/O callback runs once per context),
/// so a new response means a new context, built as for a CRL reload.
public struct ServerStaple: Sendable, Equatable {
    public let der: [UInt8]
    /// After this, nothing is stapled (a stale staple only gets the device to refuse the server).
    public let nextUpdate: Date

    public init(der: [UInt8], nextUpdate: Date) {
        self.der = der
        self.nextUpdate = nextUpdate
    }
}

/// The staple a context hands to wolfSSL, kept alive by the context and reached from C through the
/// OCSP I/O callback's context pointer. Immutable, so any event loop may read it.
final class ServerStapleBox: Sendable {
    let staple: ServerStaple

    init(_ staple: ServerStaple) {
        self.staple = staple
    }
}
