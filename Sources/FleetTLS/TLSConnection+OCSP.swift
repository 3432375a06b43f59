internal import CWolfSSL

/// Device side of OCSP stapling: asking for a staple, and what came of it once the handshake is done.
extension TLSConnection {
    /// Adds status_request (RFC 6066, type ocsp) to the ClientHello. Without a nonce: a stapled
    /// response is fetched by the server ahead of time and never carries the device's nonce, and
    /// wolfSSL refuses a response whose nonce differs (measured: BAD_CERTIFICATE_STATUS_ERROR
    /// against `openssl ocsp` responses that carry openssl's own nonce).
    static func askForStaple(on ssl: OpaquePointer) -> Bool {
        wolfSSL_UseOCSPStapling(ssl, UInt8(WOLFSSL_CSR_OCSP), 0) == Int32(WOLFSSL_SUCCESS)
    }

    /// Whether wolfSSL accepted a staple on this session: it keeps the response's producedAt only
    /// when the staple verified and said good, so its presence is the verdict (no other getter
    /// exists on the client in 5.5.4: `wolfSSL_get_ocsp_response` is internal).
    var stapleVerified: Bool {
        var produced = tm()
        return wolfSSL_get_ocsp_producedDate_tm(self.ssl, &produced) == 0
    }

    /// RFC 7633 under `staple`: a server whose certificate promises a staple (TLS feature
    /// status_request) and sent none is refused, as wolfSSL would under must-staple. Runs only when
    /// no staple came on a full handshake, so a stapling server costs nothing more; then it copies
    /// and parses the leaf once.
    func stapleRefusal() -> TLSFailure? {
        guard self.ocsp == .staple, !self.sessionResumed, !self.stapleVerified,
            let x509 = wolfSSL_get_peer_certificate(self.ssl)
        else { return nil }
        defer { wolfSSL_X509_free(x509) }  // an owned copy
        guard let der = Self.der(x509), TLSFeature.requiresStaple(certificateDER: der) else { return nil }
        var failure = TLSFailure(
            .serverUntrusted,
            detail:
                "the server sent no OCSP staple although its certificate requires one (RFC 7633 TLS feature status_request)"
        )
        failure.ocspStaple = .missing
        failure.version = self.negotiatedVersion
        return failure
    }

    /// What the device saw of the server's OCSP status on a completed handshake; nil when it asked
    /// for none, or when it resumed a session (no certificate, no staple).
    var stapleStatus: OCSPStapleStatus? {
        guard self.ocsp != .off, !self.sessionResumed else { return nil }
        return self.stapleVerified ? .good : .absent
    }
}
