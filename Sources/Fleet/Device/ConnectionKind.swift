/// Why a device made a connection: counted per kind, so retries, reconnects and churn show apart.
public enum ConnectionKind: String, Sendable, Codable, CaseIterable {
    /// The device's first connection.
    case first
    /// After a connection that failed.
    case retry
    /// The next cycle of `--churn`.
    case churn
    /// After an accepted connection was lost (the server closed it during the hold).
    case reconnect
}
