import FleetCore

/// What wolfSSL said when a connection step failed, captured on the loop thread right away.
///
/// Kept separate from the C calls so the classification below is a pure function that tests drive
/// with the numbers measured against real servers (WOLFSSL-NOTES.md), without sockets.
struct TLSErrorSnapshot: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// `wolfSSL_connect` / `wolfSSL_accept` failed.
        case handshake
        /// A read or write after the handshake failed (TLS 1.3 rejections land here).
        case afterHandshake
    }

    var role: TLSConfiguration.Role
    var phase: Phase
    /// wolfSSL's native error code (negative), from `wolfSSL_get_error`.
    var nativeCode: Int32
    /// The last alert received: (description, level); level 2 = fatal. nil if none.
    var received: (code: Int, level: Int)?
    /// The last alert sent.
    var sent: (code: Int, level: Int)?
    /// `wolfSSL_get_verify_result` (0 = ok).
    var verifyResult: Int
    /// The name the client checked the server against, for the mismatch message.
    var expectedServerName: String?

    static func == (lhs: TLSErrorSnapshot, rhs: TLSErrorSnapshot) -> Bool {
        lhs.role == rhs.role && lhs.phase == rhs.phase && lhs.nativeCode == rhs.nativeCode
            && lhs.received?.code == rhs.received?.code && lhs.received?.level == rhs.received?.level
            && lhs.sent?.code == rhs.sent?.code && lhs.sent?.level == rhs.sent?.level
            && lhs.verifyResult == rhs.verifyResult && lhs.expectedServerName == rhs.expectedServerName
    }
}

/// How the classifier reads wolfSSL native codes.
extension WolfSSLCode {
    /// Codes that mean "the peer's certificate did not pass verification", with a phrase for each.
    static let certificateProblems: [Int32: String] = [
        asnNoSigner: "is not signed by a trusted CA (unknown issuer)",
        asnAfterDate: "has expired",
        asnBeforeDate: "is not yet valid",
        asnSignatureConfirm: "has a signature that does not verify",
        asnSelfSigned: "is self-signed and not trusted",
        asnParse: "could not be parsed",
        verifyCertificateError: "failed verification",
        notCA: "chains through a certificate that is not a CA",
        crlRevoked: "is revoked by the CRL",
        crlMissing: "could not be checked: no CRL from its issuer is loaded",
        maxChain: "has a chain longer than allowed",
        keyUsageSignature: "lacks keyUsage digitalSignature",
        extendedKeyUsage: "has an extendedKeyUsage that does not allow this role",
        noPeerCertificate: "was not sent",
    ]

    /// Device side: OCSP codes, all meaning the device refused the server over its certificate's
    /// status. Measured with stapling on and wolfSSL's own lookup off (README, "OCSP stapling"):
    /// -360 a staple that says revoked; -406 a staple that does not verify (wrong signer), is stale
    /// (nextUpdate passed), says unknown, or answers for another certificate; -366 no staple under
    /// must-staple. The others come from wolfSSL's lookup path, which a device never enables; they
    /// are named so that a path we did not foresee still reads as what it is.
    static let ocspProblems: [Int32: String] = [
        ocspRevoked: "the stapled OCSP response says the server certificate is revoked",
        badCertificateStatus:
            "the stapled OCSP response was refused: it does not verify (wrong signer), is stale (nextUpdate passed), says unknown, or is not for the server certificate",
        ocspUnknown: "the server sent no OCSP staple and the device requires one (must-staple)",
        ocspLookupFail:
            "the server promised an OCSP staple and sent none, and the device does not look statuses up itself",
        ocspInvalidStatus: "the server certificate's OCSP status could not be established",
        ocspNeedURL: "the server certificate's OCSP status could not be established (no responder URL)",
        ocspWantRead: "the server certificate's OCSP status could not be established (lookup pending)",
    ]

    /// Codes that mean "the bytes from the peer are not TLS as we know it".
    static let malformedInput: Set<Int32> = [
        parseError, unknownHandshakeType, unknownRecordType, versionError, bufferError, lengthError,
        outOfOrder, sanityMessage, handshakeSize, decode,
    ]
}

extension TLSFailure {
    /// Maps what wolfSSL said onto an outcome, from the device's point of view.
    ///
    /// Rules, in order: a fatal alert from the peer decides (`rejected:<alert>` for a device; for the
    /// backend, the device refused the server: `server-untrusted`). A certificate-verification code
    /// means the client refused the server (`server-untrusted`) or the server refused the device
    /// (`rejected:<alert it sent>`). No application protocol in common (ALPN) is the backend's
    /// `rejected:no-application-protocol`, and a device's `protocol-error` when the server selected
    /// one it never offered. A peer that closed without an alert is `closed-by-server`; bytes
    /// that are not TLS are `protocol-error`.
    static func classify(_ snapshot: TLSErrorSnapshot, nativeText: String?) -> TLSFailure {
        let received = snapshot.received.flatMap { $0.code >= 0 ? TLSAlert(code: UInt8(clamping: $0.code)) : nil }
        let sent = snapshot.sent.flatMap { $0.code >= 0 ? TLSAlert(code: UInt8(clamping: $0.code)) : nil }
        let receivedFatal = snapshot.received.map { $0.level == 2 && $0.code > 0 } ?? false
        let code = snapshot.nativeCode
        func failure(_ outcome: Outcome, _ detail: String) -> TLSFailure {
            TLSFailure(
                outcome,
                detail: detail,
                nativeCode: code,
                nativeText: nativeText,
                alertReceived: receivedFatal ? received : nil,
                alertSent: sent.flatMap { $0.code == 0 ? nil : $0 },
                verifyResult: snapshot.verifyResult == 0 ? nil : snapshot.verifyResult
            )
        }
        let when = snapshot.phase == .afterHandshake ? " after the handshake completed" : ""

        switch snapshot.role {
        case .client:
            if receivedFatal, let alert = received {
                return failure(.rejected(alert), "the server rejected the device with \(alert.description)\(when)")
            }
            if code == WolfSSLCode.domainNameMismatch || code == WolfSSLCode.ipAddressMismatch {
                let name = snapshot.expectedServerName.map { "'\($0)'" } ?? "the expected name"
                return failure(.serverUntrusted, "the server's certificate does not name \(name)")
            }
            if code == WolfSSLCode.unknownALPNProtocol {
                return failure(
                    .protocolError,
                    "the server selected an application protocol (ALPN) the device never offered"
                )
            }
            if let problem = WolfSSLCode.ocspProblems[code] {
                return failure(.serverUntrusted, problem)
            }
            if let problem = WolfSSLCode.certificateProblems[code] {
                return failure(
                    .serverUntrusted,
                    "the server's certificate \(problem) (by the device's trust and clock)"
                )
            }
        case .server:
            if receivedFatal, let alert = received {
                return failure(.serverUntrusted, "the device refused the server with \(alert.description)")
            }
            if code == WolfSSLCode.unknownALPNProtocol {
                let alert = sent ?? .noApplicationProtocol
                return failure(
                    .rejected(alert),
                    "the device offered no application protocol (ALPN) the backend accepts; sent \(alert.description)"
                )
            }
            if let problem = WolfSSLCode.certificateProblems[code] {
                let alert = sent ?? .badCertificate
                return failure(.rejected(alert), "the device's certificate \(problem); sent \(alert.description)")
            }
        }
        if code == WolfSSLCode.peerClosed || code == WolfSSLCode.zeroReturn || code == WolfSSLCode.socketError {
            let peer = snapshot.role == .client ? "the server" : "the device"
            return failure(.closedByServer, "\(peer) closed the connection without an alert\(when)")
        }
        if WolfSSLCode.malformedInput.contains(code) {
            let peer = snapshot.role == .client ? "the server" : "the device"
            return failure(.protocolError, "\(peer) sent data that is not valid TLS")
        }
        if code == WolfSSLCode.matchSuite || code == WolfSSLCode.unsupportedSuite {
            return failure(.rejected(.handshakeFailure), "no cipher suite in common")
        }
        return failure(.protocolError, "the TLS exchange failed" + (nativeText.map { ": \($0)" } ?? ""))
    }
}
