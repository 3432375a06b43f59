/// A TLS context or identity could not be built from its inputs: a configuration problem the user
/// must fix (exit code 2), as opposed to a ``TLSFailure`` that one connection ran into.
public struct TLSContextError: Error, Sendable, CustomStringConvertible {
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

    public let message: String
    public let input: Input

    public init(_ message: String, input: Input = .other) {
        self.message = message
        self.input = input
    }

    public var description: String { self.message }
}
