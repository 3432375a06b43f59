internal import CWolfSSL
import X509

/// The verify callback's work for both roles: wolfSSL's verdict on each certificate of the peer's
/// chain, then the role's injected check (the backend's ``PeerCertificateCheck`` on the device's
/// leaf, the device's ``DeviceClockCheck`` on the server's chain). Every path that cannot judge refuses.
extension TLSConnection {
    /// The verify callback's work: remember the device's identity and errors; judge the leaf with
    /// the injected check of the role (``PeerCertificateCheck`` for the backend, ``DeviceClockCheck``
    /// for a device). Returns 1 to accept, 0 to refuse.
    func verify(preverify: Int32, store: UnsafeMutablePointer<WOLFSSL_X509_STORE_CTX>) -> Int32 {
        let depth = Int(wolfSSL_X509_STORE_CTX_get_error_depth(store))
        let certificate = wolfSSL_X509_STORE_CTX_get_current_cert(store)
        let error = preverify == 1 ? 0 : Int(wolfSSL_X509_STORE_CTX_get_error(store))
        if self.role == .client {
            return self.verifyServer(
                preverify: preverify,
                error: error,
                depth: depth,
                der: certificate.flatMap(Self.der)
            )
        }
        if depth > 0 {
            // The DER is copied only for a check that verifies CRLs or asks OCSP with it; otherwise the
            // count is enough.
            let needsDER = self.peerCheck?.needsPresentedCAs == true
            self.presentedCAs.append(needsDER ? certificate.flatMap(Self.der) ?? [] : [])
        } else if let certificate {
            self.peerLeaf = PeerIdentity(x509: certificate)
            // Kept so the backend can drop the session if the certificate is revoked later (#15).
            self.peerLeafDER = Self.der(certificate)
        }
        guard preverify == 1 else {
            self.peerVerifyError = error
            guard depth == 0, let peerCheck = self.peerCheck else { return 0 }
            // A CRL the check holds itself (wolfSSL could not load it): its verdict replaces wolfSSL's
            // "no CRL for this issuer".
            // The whole policy runs (its certain refusals, such as SHA-1, come before revocation).
            if peerCheck.checksRevocation && VerifyCode.isMissingCRL(error) {
                self.peerVerifyError = nil
                return self.judgeLeaf(certificate.flatMap(Self.der), with: peerCheck)
            }
            return 0
        }
        guard depth == 0, let peerCheck = self.peerCheck else { return 1 }
        return self.judgeLeaf(certificate.flatMap(Self.der), with: peerCheck)
    }

    /// The backend's policy on the device's leaf. A leaf that cannot be read is refused: the policy
    /// is never skipped.
    func judgeLeaf(_ der: [UInt8]?, with peerCheck: PeerCertificateCheck) -> Int32 {
        guard let der else {
            self.policyRejection = "the device's certificate could not be read for the backend's policy"
            return 0
        }
        switch peerCheck.judge(der, self.presentedCAs) {
        case .accept:
            return 1
        case .reject(let reason):
            self.policyRejection = reason
            return 0
        }
    }

    /// Client side: judges one certificate of the server's chain by the device's clock (if it has
    /// its own) and records it for the trace. Without a clock check or a trace, wolfSSL's verdict stands.
    func verifyServer(preverify: Int32, error: Int, depth: Int, der: [UInt8]?) -> Int32 {
        guard self.clockCheck != nil || self.trace != nil else { return preverify }
        var facts = ServerCertificateFacts(depth: depth, subject: "?", issuer: "?", verdict: "ok")
        if let der, let parsed = try? Certificate(derEncoded: der) {
            facts.subject = parsed.subject.description
            facts.issuer = parsed.issuer.description
            facts.notBefore = parsed.notValidBefore
            facts.notAfter = parsed.notValidAfter
        }
        var result = preverify
        if preverify != 1 {
            facts.verdict = "refused: \(VerifyCode.text(error))"
        }
        if let check = self.clockCheck {
            guard let notBefore = facts.notBefore, let notAfter = facts.notAfter else {
                // The dates cannot be judged by the device's clock: refuse rather than guess.
                self.clockRejection =
                    self.clockRejection
                    ?? "the server certificate at depth \(depth) could not be read to judge its dates"
                facts.verdict = "refused: unreadable by the device"
                self.trace?.record(serverCertificate: facts)
                return 0
            }
            let dateOnly = preverify != 1 && VerifyCode.isDateError(error)
            switch check.judge(
                subject: facts.subject,
                notBefore: notBefore,
                notAfter: notAfter,
                dateErrorByRealTime: dateOnly
            ) {
            case .agree:
                break
            case .refuse(let reason, let verdict):
                self.clockRejection = self.clockRejection ?? reason
                facts.verdict = verdict
                result = 0
            case .accept(let note, let verdict):
                self.clockOverride = note
                facts.verdict = verdict + "; \(VerifyCode.text(error)) by real time"
                result = 1
            }
        }
        self.trace?.record(serverCertificate: facts)
        return result
    }

    static func der(_ x509: OpaquePointer) -> [UInt8]? {
        var length: Int32 = 0
        guard let der = wolfSSL_X509_get_der(x509, &length), length > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: der, count: Int(length)))
    }
}
