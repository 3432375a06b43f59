internal import CWolfSSL

/// Turning a failed wolfSSL call into a ``TLSFailure``: the alert history, the verify result and
/// what the role's own checks found (the device's clock, the backend's policy), read on the loop
/// thread right after the call.
extension TLSConnection {
    /// Snapshots wolfSSL's state after a failed call and classifies it.
    func failure(nativeCode: Int32, phase: TLSErrorSnapshot.Phase) -> TLSFailure {
        var history = WOLFSSL_ALERT_HISTORY()
        _ = wolfSSL_get_alert_history(self.ssl, &history)
        func alert(_ a: WOLFSSL_ALERT) -> (code: Int, level: Int)? {
            a.level > 0 ? (Int(a.code), Int(a.level)) : nil
        }
        let snapshot = TLSErrorSnapshot(
            role: self.role,
            phase: phase,
            nativeCode: nativeCode,
            received: alert(history.last_rx),
            sent: alert(history.last_tx),
            verifyResult: Int(wolfSSL_get_verify_result(self.ssl)),
            expectedServerName: self.serverName
        )
        var failure = TLSFailure.classify(snapshot, nativeText: WolfSSLLibrary.errorText(nativeCode))
        if phase == .afterHandshake || self.versionRange.0 == self.versionRange.1 {
            failure.version = self.negotiatedVersion
        }
        if self.role == .client, let clockRejection, phase == .handshake {
            failure.outcome = .serverUntrusted
            failure.detail = clockRejection
            failure.clockRelated = true
        }
        if nativeCode == WolfSSLCode.ocspRevoked, let staple = self.trace?.stapledOCSP, staple.status == "revoked" {
            let details = [staple.revocationReason, staple.revocationTime.map(OCSPStapleFacts.stamp)].compactMap { $0 }
            if !details.isEmpty { failure.detail += " (\(details.joined(separator: ", ")))" }
        }
        if self.role == .server {
            failure.peer = self.peerLeaf
            if let policyRejection {
                let alert = failure.alertSent ?? .badCertificate
                failure.outcome = .rejected(alert)
                failure.detail = "policy: \(policyRejection); sent \(alert.description)"
            }
            if failure.verifyResult == nil { failure.verifyResult = self.peerVerifyError }
        }
        return failure
    }
}
