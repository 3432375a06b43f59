/// A PKI operation could not be done; the message says what and, where it can, how to fix it.
///
/// Callers and tests tell errors apart by ``code``, never by the message: the message is for a
/// person and may be reworded. Two errors are equal when their codes are equal (as
/// swift-certificates' `CertificateError`).
public struct PKIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable identifier (its raw value is what the CLI prints).
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// `pki issue`/`revoke`/`verification-cert` on a directory without a PKI.
        case noPKI = "no-pki"
        /// `pki init` without `--force` where a PKI already exists.
        case pkiExists = "pki-exists"
        /// `fleet.json` cannot be read or decoded.
        case manifestUnreadable = "manifest-unreadable"
        /// A device id that is not in `fleet.json`.
        case unknownDevice = "unknown-device"
        /// The file does not exist.
        case noSuchFile = "no-such-file"
        /// The file exists but cannot be read (permissions, a directory).
        case fileUnreadable = "file-unreadable"
        /// The text is not PEM, or holds no PEM block at all.
        case notPEM = "not-pem"
        /// PEM, but no certificate in it (a key, a CRL…).
        case notACertificate = "not-a-certificate"
        /// A certificate block that does not parse.
        case certificateUnparseable = "certificate-unparseable"
        /// A CA key file that is not an unencrypted PEM private key.
        case keyUnreadable = "key-unreadable"
        /// A CA key that is not the key of its certificate.
        case keyMismatch = "key-mismatch"
        /// A CA key of a type fleetsim does not issue with.
        case unsupportedKey = "unsupported-key"
        /// No CRL in the bytes (no `X509 CRL` PEM block, or not a CRL's DER structure).
        case notACRL = "not-a-crl"
        /// A CRL whose structure is incomplete (issuer, thisUpdate, entries…).
        case crlMalformed = "crl-malformed"
        /// A signature algorithm fleetsim cannot sign a CRL with.
        case unsupportedSignatureAlgorithm = "unsupported-signature-algorithm"
        /// `pki verification-cert --code`: a code that cannot be a certificate's common name.
        case badVerificationCode = "bad-verification-code"
    }

    public let code: Code
    /// The file (or, for text read elsewhere, the source name) the error is about, when there is one.
    public let path: String?
    /// The sentence for a person; names the file itself where there is one.
    public let message: String

    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { self.message }

    public static func == (lhs: PKIError, rhs: PKIError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
