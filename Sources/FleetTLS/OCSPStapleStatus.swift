/// What a device learned from the server's OCSP staple, for the report (`ocspStaple`) and `repro`.
///
/// `good` and `absent` come from a completed handshake; `revoked`, `invalid` and `missing` from the
/// failure that refused the server (its native code, the one thing wolfSSL 5.5.4 tells a client).
public enum OCSPStapleStatus: String, Sendable, Codable {
    /// A staple came, verified against the server certificate's issuer, and said good.
    case good
    /// The server sent no staple (accepted under `--ocsp staple`).
    case absent
    /// The staple said the server certificate is revoked.
    case revoked
    /// A staple came and was refused: wrong signer, stale, status unknown, or another certificate's.
    case invalid
    /// The server sent no staple and the device requires one (`--ocsp must-staple`).
    case missing

    /// The staple's part in a failure, when it was the reason; nil for any other failure.
    public init?(failure: TLSFailure) {
        if let status = failure.ocspStaple {
            self = status
            return
        }
        switch failure.nativeCode {
        case WolfSSLCode.ocspRevoked: self = .revoked
        case WolfSSLCode.badCertificateStatus: self = .invalid
        case WolfSSLCode.ocspUnknown, WolfSSLCode.ocspLookupFail: self = .missing
        default: return nil
        }
    }
}
