/// When a device tries again after a failed or lost connection: exponential (or constant) backoff,
/// with or without full jitter.
///
/// Full jitter (AWS architecture blog, "Exponential Backoff and Jitter") draws each delay evenly from
/// 0 up to the backoff step. Without it, every device that lost its connection at the same moment —
/// a backend restart — comes back at the same moment too: a reconnect storm.
public struct ReconnectPolicy: Sendable, Equatable {
    public enum Backoff: String, Sendable, CaseIterable {
        /// base, 2·base, 4·base, … up to cap.
        case exponential
        /// base every time.
        case constant
    }

    public enum Jitter: String, Sendable, CaseIterable {
        /// A delay drawn evenly from 0 up to the backoff step.
        case full
        /// Exactly the backoff step.
        case none
    }

    public var backoff: Backoff = .exponential
    public var jitter: Jitter = .full
    /// The first step, seconds.
    public var base: Double = 1
    /// The longest step, seconds.
    public var cap: Double = 60
    /// Attempts after a failure or a lost connection before the device gives up; 0 = never retry.
    public var retries: Int = 0
    /// Also retry after a verdict (an alert, an untrusted server, a refused CONNACK), as devices
    /// that retry blindly do. Off: only transient failures (network, timeouts, a closed connection)
    /// are retried, and a rejected device gives up at once.
    public var retryRejected = false

    public init() {}

    /// The delay before retry number `attempt` (1 = the first retry). `random` is a draw from 0..<1,
    /// taken only under full jitter.
    public func delay(attempt: Int, random: @autoclosure () -> Double) -> Double {
        let step: Double =
            switch self.backoff {
            case .constant: self.base
            case .exponential: self.base * Double(1 << min(max(attempt - 1, 0), 30))
            }
        let ceiling = min(self.cap, step)
        return self.jitter == .full ? ceiling * random() : ceiling
    }
}
