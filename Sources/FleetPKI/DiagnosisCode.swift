/// What is wrong with a certificate, as stable identifiers (DESIGN.md §5 diagnosis codes).
///
/// `missing-server-auth-eku` (for `inspect --as server`), `ocsp-unknown` and `ocsp-unavailable`
/// (OCSP, #15) are fleetsim's additions; the rest are the DESIGN's list.
public enum DiagnosisCode: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case expired
    case notYetValid = "not-yet-valid"
    case missingClientAuthEKU = "missing-client-auth-eku"
    case missingServerAuthEKU = "missing-server-auth-eku"
    case missingDigitalSignature = "missing-digital-signature"
    case caCertificate = "ca-certificate"
    case untrustedIssuer = "untrusted-issuer"
    case incompleteChain = "incomplete-chain"
    case selfSigned = "self-signed"
    case keyMismatch = "key-mismatch"
    case revoked
    /// The OCSP responder does not know the certificate (status unknown).
    case ocspUnknown = "ocsp-unknown"
    /// No trustworthy OCSP status could be had: responder down, an error status, a bad response.
    case ocspUnavailable = "ocsp-unavailable"
    case weakKey = "weak-key"
    case weakSignature = "weak-signature"
    case noDeviceID = "no-device-id"

    public var description: String { self.rawValue }
}

/// One thing the lint found.
public struct LintFinding: Sendable, Codable, Equatable {
    public enum Severity: String, Sendable, Codable, Comparable {
        /// A backend that checks this will reject the certificate.
        case error
        /// Some backends reject it, or it will soon be a problem.
        case warning
        /// Context a reader needs (e.g. a check that could not be made).
        case info

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.error, .warning, .info]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    /// nil for info lines that are not a defect.
    public let code: DiagnosisCode?
    public let severity: Severity
    /// A sentence a person understands: what is wrong and what a backend will do about it.
    public let message: String

    public init(_ code: DiagnosisCode?, _ severity: Severity, _ message: String) {
        self.code = code
        self.severity = severity
        self.message = message
    }

    /// Always writes `code`, as `null` for info lines, so consumers can rely on the key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.code, forKey: .code)
        try container.encode(self.severity, forKey: .severity)
        try container.encode(self.message, forKey: .message)
    }
}
