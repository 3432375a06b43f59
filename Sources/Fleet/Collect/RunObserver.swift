import FleetCore

/// Hears about every connection and device of a run as it happens, for live metrics (`--metrics`).
/// Called from every event loop; implementations must be cheap and thread-safe.
public protocol RunObserver: Sendable {
    func connectionAttempted(kind: ConnectionKind)
    /// A connection's verdict, with its handshake time (nil if it never completed one) and the time
    /// to the server's verdict, both from the connection's start.
    func connectionDecided(outcome: Outcome, resumed: Bool, handshakeSeconds: Double?, acceptSeconds: Double?)
    /// An accepted connection closed; `lost` if the server ended it during the hold.
    func connectionClosed(lost: Bool)
    /// A device's outcome, decided once.
    func deviceDecided(outcome: Outcome)
}
