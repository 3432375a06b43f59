import FleetCore
import FleetTLS
import NIOCore

/// What a session writes in the audit log: its verdicts (accepted, rejected, disconnected) and how
/// far the connection had got.
extension BackendSession {
    func reject(failure: TLSFailure) {
        guard !self.judged else { return }
        self.judged = true
        self.audit.write(
            AuditRecord(
                time: .now,
                remote: self.remote,
                deviceID: failure.peer?.deviceID ?? self.handshake?.peer?.deviceID,
                verdict: "rejected",
                outcome: failure.outcome.identifier,
                reason: failure.detail,
                alertSent: failure.alertSent.map { Int($0.code) },
                verifyError: failure.verifyResult,
                wolfSSLCode: failure.nativeCode.map(Int.init),
                tls: self.handshake?.version?.rawValue,
                mqttClientID: nil,
                handshakeMs: nil,
                phase: self.tlsPhaseSoFar,
                alpn: self.handshake?.alpn
            )
        )
    }

    func reject(outcome: Outcome, reason: String, phase: String, clientID: String? = nil) {
        guard !self.judged else { return }
        self.judged = true
        self.record(verdict: "rejected", phase: phase, clientID: clientID, outcome: outcome, reason: reason)
    }

    func record(
        verdict: String,
        phase: String,
        clientID: String? = nil,
        outcome: Outcome? = nil,
        reason: String? = nil
    ) {
        if verdict == "accepted" { self.admitted = true }
        self.audit.write(
            AuditRecord(
                time: .now,
                remote: self.remote,
                deviceID: self.handshake?.peer?.deviceID,
                verdict: verdict,
                outcome: outcome?.identifier,
                reason: reason,
                alertSent: nil,
                verifyError: nil,
                wolfSSLCode: nil,
                tls: self.handshake?.version?.rawValue,
                mqttClientID: clientID,
                handshakeMs: self.handshakeMs,
                phase: phase,
                alpn: self.handshake?.alpn
            )
        )
    }

    /// Where a TLS-level event happened: in the handshake (`tls`) or after it (`tls-after-handshake`).
    var tlsPhaseSoFar: String {
        self.handshake == nil ? "tls" : "tls-after-handshake"
    }

    /// How far the connection got: `mqtt` once the TLS verdict is in and the CONNECT is awaited
    /// (MQTT mode only: in `tls` mode that verdict is the session's), else ``tlsPhaseSoFar``.
    var phaseSoFar: String {
        self.tlsAccepted ? "mqtt" : self.tlsPhaseSoFar
    }

    var handshakeMs: Double? {
        self.handshake.map { Double(($0.at - self.start).nanoseconds) / 1e6 }
    }
}
