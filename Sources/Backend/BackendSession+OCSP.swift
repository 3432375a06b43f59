import FleetMQTT
import NIOCore

/// Fired into every open connection, once a second, by `serve --device-ocsp … --drop-revoked`.
struct OCSPRecheck: Sendable {}

/// Dropping a held session whose device the OCSP responder has revoked since it was admitted.
extension BackendSession {
    /// Looks the device's status up in the OCSP cache (a dictionary lookup; the status is asked
    /// again when due) and drops the session when it says revoked (MQTT 5: DISCONNECT 0x98).
    func recheckOCSP(context: ChannelHandlerContext) {
        guard self.admitted, let ocsp = self.settings.policy.ocsp, let leaf = self.handshake?.peerCertificate else {
            return
        }
        let (key, reason) = ocsp.heldRefusal(leafDER: leaf, key: self.ocspKey)
        self.ocspKey = key
        guard let reason else { return }
        if self.connected && self.version == .v5 { self.send(.disconnect(.init(code: 0x98)), context: context) }
        self.disconnected("dropped after an OCSP check: \(reason)", context: context)
    }
}
