internal import CWolfSSL

/// wolfSSL's native error codes that fleetsim classifies, taken from the C headers
/// (`error-ssl.h`, `wolfcrypt/error-crypt.h`) rather than repeated as literals, so a header
/// that disagrees shows up at build time and in `WolfSSLCodeTests`, not as a wrong outcome.
enum WolfSSLCode {
    static let asnParse = Int32(ASN_PARSE_E)
    static let asnBeforeDate = Int32(ASN_BEFORE_DATE_E)
    static let asnAfterDate = Int32(ASN_AFTER_DATE_E)
    static let asnSignatureConfirm = Int32(ASN_SIG_CONFIRM_E)
    static let asnNoSigner = Int32(ASN_NO_SIGNER_E)
    static let asnSelfSigned = Int32(ASN_SELF_SIGNED_E)
    static let parseError = PARSE_ERROR.rawValue
    static let unknownHandshakeType = UNKNOWN_HANDSHAKE_TYPE.rawValue
    static let socketError = SOCKET_ERROR_E.rawValue
    static let unknownRecordType = UNKNOWN_RECORD_TYPE.rawValue
    static let fatalAlert = FATAL_ERROR.rawValue
    static let domainNameMismatch = DOMAIN_NAME_MISMATCH.rawValue
    static let ipAddressMismatch = IPADDR_MISMATCH.rawValue
    static let versionError = VERSION_ERROR.rawValue
    static let bufferError = BUFFER_ERROR.rawValue
    static let verifyCertificateError = VERIFY_CERT_ERROR.rawValue
    static let lengthError = LENGTH_ERROR.rawValue
    static let zeroReturn = ZERO_RETURN.rawValue
    static let noPeerCertificate = NO_PEER_CERT.rawValue
    static let notCA = NOT_CA_ERROR.rawValue
    static let crlRevoked = CRL_CERT_REVOKED.rawValue
    static let crlMissing = CRL_MISSING.rawValue
    static let maxChain = MAX_CHAIN_ERROR.rawValue
    static let outOfOrder = OUT_OF_ORDER_E.rawValue
    static let keyUsageSignature = KEYUSE_SIGNATURE_E.rawValue
    static let extendedKeyUsage = EXTKEYUSE_AUTH_E.rawValue
    static let sanityMessage = SANITY_MSG_E.rawValue
    static let peerClosed = SOCKET_PEER_CLOSED_E.rawValue
    static let handshakeSize = HANDSHAKE_SIZE_ERROR.rawValue
    static let unknownALPNProtocol = UNKNOWN_ALPN_PROTOCOL_NAME_E.rawValue
    static let decode = DECODE_E.rawValue
    static let unsupportedSuite = UNSUPPORTED_SUITE.rawValue
    static let matchSuite = MATCH_SUITE_ERROR.rawValue
    static let ocspRevoked = OCSP_CERT_REVOKED.rawValue
    static let ocspNeedURL = OCSP_NEED_URL.rawValue
    static let ocspUnknown = OCSP_CERT_UNKNOWN.rawValue
    static let ocspLookupFail = OCSP_LOOKUP_FAIL.rawValue
    static let badCertificateStatus = BAD_CERTIFICATE_STATUS_ERROR.rawValue
    static let ocspInvalidStatus = OCSP_INVALID_STATUS.rawValue
    static let ocspWantRead = OCSP_WANT_READ.rawValue
}
