/// A TLS context or identity could not be built from its inputs: a configuration problem the user
/// must fix (exit code 2), as opposed to a ``TLSFailure`` that one connection ran into.
public struct TLSContextError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
