import FleetCore

/// What one device does across its connections, as a pure state machine: retries after a failure,
/// reconnects after a lost connection (both with the ``ReconnectPolicy``'s backoff), and churn
/// (connect, hold, disconnect, pause, connect again).
///
/// Every path ends: churn after its number of connections, retries after their number, and a
/// reconnect only while the device's hold has time left. Kept free of NIO like ``DeviceLifecycle``,
/// so the decisions are unit-tested without sockets or clocks; ``DeviceAgent`` executes them.
public struct DeviceJourney: Sendable {
    /// Why a connection was made.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The device's first connection.
        case first
        /// After a connection that failed.
        case retry
        /// The next cycle of `--churn`.
        case churn
        /// After an accepted connection was lost (the server closed it during the hold).
        case reconnect
    }

    public struct Plan: Sendable, Equatable {
        public var policy = ReconnectPolicy()
        /// Connections per device in churn mode; 1 = no churn.
        public var connections = 1
        /// Seconds between a churn disconnect and the next connect (drawn from 0…pause with full jitter).
        public var pause: Double = 1
        /// Seconds each device stays connected once accepted; nil = disconnect right away.
        public var hold: Double?

        public init() {}
    }

    /// How a connection ended.
    public enum Ending: Sendable, Equatable {
        /// The server never accepted the device.
        case failed(Outcome)
        /// Accepted, and the device ended it (hold over, or no hold).
        case completed
        /// Accepted, and the server (or the network) ended it while the device was holding it.
        case lost
    }

    public enum Next: Sendable, Equatable {
        case connect(after: Double, kind: Kind)
        case done
    }

    public let plan: Plan
    /// Connections started so far.
    public private(set) var connections = 0
    /// The device's outcome: `ok` at its first acceptance, else the last failure once it gives up.
    public private(set) var outcome: Outcome?
    /// A connection was lost and the device has not been accepted again yet.
    public private(set) var recovering = false
    private var attemptsSinceAccepted = 0
    private var nextKind: Kind = .first
    /// Real seconds at which the device's hold ends; reconnects after a loss keep the same end.
    private var holdUntil: Double?

    public init(plan: Plan) {
        self.plan = plan
    }

    /// A connection starts now; returns why.
    public mutating func connecting() -> Kind {
        self.connections += 1
        return self.nextKind
    }

    /// The current connection was accepted at `now`.
    ///
    /// - Returns: the device's outcome if this is its first acceptance (report it), and how long to
    ///   hold this connection (nil: disconnect at once).
    public mutating func accepted(at now: Double) -> (outcome: Outcome?, hold: Double?) {
        self.attemptsSinceAccepted = 0
        let first = self.outcome == nil
        if first { self.outcome = .ok }
        let hold: Double?
        if self.recovering, let until = self.holdUntil {
            hold = until > now ? until - now : nil
        } else if let planned = self.plan.hold {
            self.holdUntil = now + planned
            hold = planned
        } else {
            hold = nil
        }
        self.recovering = false
        return (first ? .ok : nil, hold)
    }

    /// The current connection ended at `now`; `random` is a draw from 0..<1 for the jitter.
    ///
    /// - Returns: the device's outcome if it is decided now (it gave up before ever being
    ///   accepted), and what to do next.
    public mutating func ended(_ ending: Ending, at now: Double, random: Double) -> (outcome: Outcome?, next: Next) {
        switch ending {
        case .failed(let failure):
            let retryable = failure.isTransient || self.plan.policy.retryRejected
            if retryable, let next = self.retry(at: now, random: random, kind: self.recovering ? .reconnect : .retry) {
                return (nil, next)
            }
            if self.outcome == nil {
                self.outcome = failure
                return (failure, .done)
            }
            return (nil, self.churn(random: random))
        case .lost:
            self.recovering = true
            if let next = self.retry(at: now, random: random, kind: .reconnect) { return (nil, next) }
            self.recovering = false
            return (nil, self.churn(random: random))
        case .completed:
            return (nil, self.churn(random: random))
        }
    }

    private mutating func retry(at now: Double, random: Double, kind: Kind) -> Next? {
        let policy = self.plan.policy
        guard self.attemptsSinceAccepted < policy.retries else { return nil }
        // After a loss, reconnecting is only worth it while the hold has time left.
        if kind == .reconnect, let until = self.holdUntil, until <= now { return nil }
        self.attemptsSinceAccepted += 1
        self.nextKind = kind
        return .connect(after: policy.delay(attempt: self.attemptsSinceAccepted, random: random), kind: kind)
    }

    private mutating func churn(random: Double) -> Next {
        guard self.connections < self.plan.connections else { return .done }
        self.nextKind = .churn
        self.attemptsSinceAccepted = 0
        self.holdUntil = nil
        let pause = self.plan.policy.jitter == .full ? self.plan.pause * random : self.plan.pause
        return .connect(after: pause, kind: .churn)
    }
}
