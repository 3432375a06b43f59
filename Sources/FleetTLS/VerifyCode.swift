internal import CWolfSSL

/// The error a certificate verification reported: OpenSSL's `X509_V_ERR_*` numbering (what
/// wolfSSL's store context and `wolfSSL_get_verify_result` give) or one of wolfSSL's own negative
/// codes (what its verify callback sees for some checks). Named from the C headers, never bare.
enum VerifyCode {
    static let notYetValid = Int(X509_V_ERR_CERT_NOT_YET_VALID)
    static let expired = Int(X509_V_ERR_CERT_HAS_EXPIRED)
    static let unableToGetIssuer = Int(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
    static let unableToGetIssuerLocally = Int(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
    static let unableToVerifyLeaf = Int(X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)
    static let depthZeroSelfSigned = Int(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
    static let selfSignedInChain = Int(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
    static let signatureFailure = Int(X509_V_ERR_CERT_SIGNATURE_FAILURE)
    static let revoked = Int(X509_V_ERR_CERT_REVOKED)
    static let unableToGetCRL = Int(X509_V_ERR_UNABLE_TO_GET_CRL)

    /// wolfSSL had no CRL from the certificate's issuer (with CRL checking on).
    static func isMissingCRL(_ code: Int) -> Bool {
        code == unableToGetCRL || code == Int(WolfSSLCode.crlMissing)
    }

    /// The certificate's dates, by real time, are the only thing wrong with it.
    static func isDateError(_ code: Int) -> Bool {
        [notYetValid, expired, Int(WolfSSLCode.asnBeforeDate), Int(WolfSSLCode.asnAfterDate)].contains(code)
    }

    /// A few words for the trace: what the check found.
    static func text(_ code: Int) -> String {
        switch code {
        case notYetValid, Int(WolfSSLCode.asnBeforeDate): "not yet valid"
        case expired, Int(WolfSSLCode.asnAfterDate): "expired"
        case unableToGetIssuer, unableToGetIssuerLocally, unableToVerifyLeaf, Int(WolfSSLCode.asnNoSigner):
            "issuer not trusted"
        case depthZeroSelfSigned, selfSignedInChain, Int(WolfSSLCode.asnSelfSigned): "self-signed, not trusted"
        case signatureFailure, Int(WolfSSLCode.asnSignatureConfirm): "signature does not verify"
        case revoked, Int(WolfSSLCode.crlRevoked): "revoked"
        default: "verify error \(code)"
        }
    }
}
