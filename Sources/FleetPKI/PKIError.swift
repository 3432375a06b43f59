/// A PKI operation could not be done; the message says what and, where it can, how to fix it.
public struct PKIError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
