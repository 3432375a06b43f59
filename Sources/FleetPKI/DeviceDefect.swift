/// A deliberate defect in a device identity, one per device, so users can see how their backend
/// reacts to each (DESIGN.md §4 `--defect`). Raw values are the CLI names.
public enum DeviceDefect: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// A correct identity.
    case none
    /// notAfter in the past.
    case expired
    /// notBefore in the future.
    case notYetValid = "not-yet-valid"
    /// extendedKeyUsage serverAuth only: a server certificate used as a client certificate.
    case serverEKU = "server-eku"
    /// No extendedKeyUsage extension at all.
    case noEKU = "no-eku"
    /// Signed by a separate CA the backend does not trust.
    case wrongCA = "wrong-ca"
    /// A self-signed leaf.
    case selfSigned = "self-signed"
    /// The .pem holds the leaf only, without the issuing CA.
    case noChain = "no-chain"
    /// A correct certificate listed in the CRL.
    case revoked
    /// The .key is not the certificate's key.
    case keyMismatch = "key-mismatch"
    /// An RSA-1024 key.
    case weakRSA = "weak-rsa"
    /// Signed with SHA-1 (sha1WithRSAEncryption).
    case sha1

    public var description: String { self.rawValue }

    /// What the defect is, in words, for `--help` and reports.
    public var summary: String {
        switch self {
        case .none: "a correct device identity"
        case .expired: "the certificate expired 30 days ago"
        case .notYetValid: "the certificate becomes valid in 30 days"
        case .serverEKU: "extendedKeyUsage serverAuth only (a server certificate)"
        case .noEKU: "no extendedKeyUsage extension"
        case .wrongCA: "issued by a separate CA the backend does not trust"
        case .selfSigned: "a self-signed certificate"
        case .noChain: "the .pem lacks the issuing (intermediate) CA"
        case .revoked: "listed in the CRL"
        case .keyMismatch: "the .key belongs to another certificate"
        case .weakRSA: "an RSA-1024 key"
        case .sha1: "signed with SHA-1 (by an RSA issuing CA)"
        }
    }
}
