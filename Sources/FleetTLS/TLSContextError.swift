/// A TLS context or identity could not be built from its inputs: a configuration problem the user
/// must fix (exit code 2), as opposed to a ``TLSFailure`` that one connection ran into.
///
/// Callers tell errors apart by ``code`` (and the ``input`` it is about), never by the message.
public struct TLSContextError: Error, Sendable, CustomStringConvertible {
    /// What could not be built, as a stable identifier.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// wolfSSL could not allocate the context.
        case contextUnavailable = "context-unavailable"
        /// None of the configured cipher suites is supported by this wolfSSL build.
        case unsupportedCipherSuites = "unsupported-cipher-suites"
        /// A max fragment length other than 512, 1024, 2048 or 4096.
        case unsupportedMaxFragmentLength = "unsupported-max-fragment-length"
        /// A server context without the server's certificate and key.
        case noServerIdentity = "no-server-identity"
        /// The CA bundle is empty.
        case emptyCABundle = "empty-ca-bundle"
        /// wolfSSL refused the CA bundle.
        case caBundleUnloadable = "ca-bundle-unloadable"
        /// This wolfSSL build has no CRL support.
        case crlUnsupported = "crl-unsupported"
        /// wolfSSL refused the CRL (not PEM, or not issued by a trusted CA).
        case crlUnloadable = "crl-unloadable"
        /// The server's certificate chain is not PEM wolfSSL can load.
        case certificateUnloadable = "certificate-unloadable"
        /// The server's key is not an unencrypted PEM key wolfSSL can load.
        case keyUnloadable = "key-unloadable"
        /// The server's key is passphrase-protected.
        case keyEncrypted = "key-encrypted"
        /// The server's key is not the key of its certificate.
        case keyMismatch = "key-mismatch"
    }

    /// Which input of the ``TLSConfiguration`` was at fault, so the caller can name its file.
    public enum Input: Sendable {
        /// The trust anchors (CA bundle).
        case trust
        /// The CRL.
        case crl
        /// Anything else: settings (cipher list, fragment length) or the server identity, whose
        /// messages name what they are about themselves.
        case other
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The input ``code`` is about.
    public var input: Input {
        switch self.code {
        case .emptyCABundle, .caBundleUnloadable: .trust
        case .crlUnsupported, .crlUnloadable: .crl
        case .contextUnavailable, .unsupportedCipherSuites, .unsupportedMaxFragmentLength, .noServerIdentity,
            .certificateUnloadable, .keyUnloadable, .keyEncrypted, .keyMismatch:
            .other
        }
    }

    public var description: String { self.message }
}
