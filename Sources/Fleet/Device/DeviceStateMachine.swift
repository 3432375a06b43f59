import FleetCore
import FleetMQTT

/// Everything one device does in a run, as one pure state machine: each connection's phases
/// (TCP, TLS handshake, the server's verdict, the hold) and what happens between connections
/// (retries and reconnects with backoff, churn). Events in, actions out.
///
/// ```
///            start                tcpConnected           handshakeCompleted
///   idle ───────────► connecting ─────────────► handshaking ──────────────► awaitingAccept
///                        │ connectFailed            │ failed / deadline / closed   │ tlsAccepted (tls)
///                        ▼                          ▼                              │ connack 0 (mqtt)
///                     [verdict] ◄───────────────────┴──────── failed / deadline ───┤
///                        │                                                         ▼
///                        │ close → closing(failed) ─┐           hold? ── yes ──► holding ── deadline ─┐
///                        │                          │            │ no                 │ closed        │
///                        ▼                          ▼            ▼                    ▼ (lost)        ▼
///                  ┌──────────────────── closed: ending ◄── closing(completed) ◄─────────── disconnect
///                  │  retry / reconnect / churn?  ── yes ──► waiting ── backoffElapsed ──► connecting
///                  └─ no ──► done (finish)
/// ```
///
/// The device's outcome is decided exactly once: `ok` at its first acceptance, else its last
/// failure once it gives up (or once the run stops between its attempts). Every path ends: churn
/// after its number of connections, retries after their number, and a reconnect only while the
/// device's hold has time left. Free of NIO and clocks (times and random draws come in with the
/// events; a draw is taken only when a backoff or a churn pause needs one, so a connection that ends
/// for good costs no call to the system's generator), so every decision is unit-tested without sockets; ``DeviceAgent`` performs the actions
/// on the device's event loop.
public struct DeviceStateMachine: Sendable {
    public let plan: Plan
    public private(set) var state: State = .idle
    /// The device's outcome once decided.
    public private(set) var outcome: Outcome?
    /// Connections started so far.
    public private(set) var connections = 0
    /// A connection was lost and the device has not been accepted again yet.
    public private(set) var recovering = false
    /// Why the current (or next) connection is made.
    public private(set) var kind: ConnectionKind = .first
    private var attemptsSinceAccepted = 0
    private var lastFailure: Outcome?
    /// Run seconds at which the device's hold ends; reconnects after a loss keep the same end.
    private var holdUntil: Double?
    /// `mqtt` mode: the server accepted TLS on this connection (TLS 1.2 done, or a TLS 1.3 ticket or
    /// record), so a close before CONNACK is a refusal of the CONNECT, not of the certificate.
    private var tlsAcceptedByServer = false

    public init(plan: Plan) {
        self.plan = plan
    }

    // MARK: - Events between connections

    /// The device's scheduled start.
    public mutating func start() -> [Action] {
        guard case .idle = self.state else { preconditionFailure("start in \(self.state)") }
        return self.connect(.first)
    }

    /// The wait between connections is over; `stopped` when the run is being stopped.
    public mutating func backoffElapsed(stopped: Bool) -> [Action] {
        guard case .waiting(let kind) = self.state else { preconditionFailure("backoffElapsed in \(self.state)") }
        return stopped ? self.finish() : self.connect(kind)
    }

    // MARK: - Events of the current connection

    /// The connection never got a channel: refused, timed out, unresolvable, or its TLS session could
    /// not be made.
    public mutating func connectFailed(
        _ failure: Outcome,
        at now: Double,
        random: @autoclosure () -> Double,
        stopped: Bool
    ) -> [Action] {
        guard case .connecting = self.state else { preconditionFailure("connectFailed in \(self.state)") }
        self.lastFailure = failure
        return [self.verdict(failure)] + self.ended(.failed(failure), at: now, random: random, stopped: stopped)
    }

    public mutating func tcpConnected() -> [Action] {
        switch self.state {
        case .connecting:
            self.state = .handshaking
            return [.arm(.handshake)]
        case .idle, .waiting, .done:
            preconditionFailure("tcpConnected in \(self.state)")
        case .handshaking, .awaitingAccept, .holding, .closing:
            return []
        }
    }

    public mutating func handshakeCompleted() -> [Action] {
        switch self.state {
        case .handshaking:
            self.state = .awaitingAccept
            switch self.plan.mode {
            case .mqtt: return [.sendConnect, .arm(.accept)]
            case .tls: return [.arm(self.plan.acceptsSilence ? .quiet : .accept)]
            }
        case .idle, .waiting, .done:
            preconditionFailure("handshakeCompleted in \(self.state)")
        case .connecting, .awaitingAccept, .holding, .closing:
            return []
        }
    }

    /// The TLS layer's acceptance signal (a TLS 1.3 ticket or first record, or TLS 1.2 done). The
    /// verdict in `tls` mode; in `mqtt` mode the CONNACK is. Later tickets change nothing.
    public mutating func tlsAccepted(at now: Double) -> [Action] {
        switch self.state {
        case .handshaking, .awaitingAccept:
            guard self.plan.mode == .tls else {
                self.tlsAcceptedByServer = true
                return []
            }
            return self.accept(at: now)
        case .idle, .waiting, .done:
            preconditionFailure("tlsAccepted in \(self.state)")
        case .connecting, .holding, .closing:
            return []
        }
    }

    /// The CONNACK's code, read in the plan's MQTT version: 0 accepts; a code the version does not
    /// define is a protocol error.
    public mutating func connack(code: UInt8, at now: Double) -> [Action] {
        switch self.state {
        case .awaitingAccept:
            guard code == 0 else {
                let refusal = MQTTRefusal(code: code, version: self.plan.mqttVersion)
                return self.fail(refusal.map(Outcome.mqttRefused) ?? .protocolError)
            }
            return self.accept(at: now)
        case .idle, .waiting, .done:
            preconditionFailure("connack in \(self.state)")
        case .connecting, .handshaking, .holding, .closing:
            return []
        }
    }

    /// The connection failed (an alert, a reset, bytes that are not the protocol). After the verdict
    /// it changes nothing: a reset during the hold ends as a lost connection when the channel closes.
    public mutating func failed(_ failure: Outcome) -> [Action] {
        switch self.state {
        case .connecting, .handshaking, .awaitingAccept:
            return self.fail(failure)
        case .idle, .waiting, .done:
            preconditionFailure("failed in \(self.state)")
        case .holding, .closing:
            return []
        }
    }

    /// The armed timer fired.
    public mutating func deadline(at now: Double) -> [Action] {
        switch self.state {
        case .handshaking:
            return self.fail(.handshakeTimeout)
        case .awaitingAccept:
            if self.plan.mode == .tls && self.plan.acceptsSilence {
                return [.acceptedBySilence] + self.accept(at: now)
            }
            return self.fail(.acceptTimeout)
        case .holding:
            self.state = .closing(.completed)
            return [.disconnect]
        case .connecting, .closing:
            return []
        case .idle, .waiting, .done:
            preconditionFailure("deadline in \(self.state); the backoff timer is backoffElapsed")
        }
    }

    /// The connection's channel closed; decides what comes next.
    public mutating func closed(at now: Double, random: @autoclosure () -> Double, stopped: Bool) -> [Action] {
        switch self.state {
        case .connecting, .handshaking, .awaitingAccept:
            let failure: Outcome =
                self.state == .awaitingAccept && self.plan.mode == .mqtt && self.tlsAcceptedByServer
                ? .closedAfterConnect : .closedByServer
            self.lastFailure = failure
            return [self.verdict(failure)] + self.ended(.failed(failure), at: now, random: random, stopped: stopped)
        case .holding:
            return [.recordClosed(lost: true)] + self.ended(.lost, at: now, random: random, stopped: stopped)
        case .closing(.completed):
            return [.recordClosed(lost: false)] + self.ended(.completed, at: now, random: random, stopped: stopped)
        case .closing(let ending):
            return self.ended(ending, at: now, random: random, stopped: stopped)
        case .idle, .waiting, .done:
            preconditionFailure("closed in \(self.state)")
        }
    }

    // MARK: - Decisions

    private mutating func connect(_ kind: ConnectionKind) -> [Action] {
        self.connections += 1
        self.kind = kind
        self.tlsAcceptedByServer = false
        self.state = .connecting
        return [.connect(kind)]
    }

    private func verdict(_ outcome: Outcome) -> Action {
        .recordConnection(outcome, kind: self.kind, recovering: self.recovering)
    }

    private mutating func fail(_ failure: Outcome) -> [Action] {
        self.lastFailure = failure
        self.state = .closing(.failed(failure))
        return [self.verdict(failure), .close]
    }

    private mutating func accept(at now: Double) -> [Action] {
        var actions = [self.verdict(.ok)]
        self.attemptsSinceAccepted = 0
        if self.outcome == nil {
            self.outcome = .ok
            actions.append(.report(.ok, connections: self.connections))
        }
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
        if let hold {
            self.state = .holding
            return actions + [.startSession, .arm(.hold(seconds: hold))]
        }
        self.state = .closing(.completed)
        return actions + [.disconnect]
    }

    private mutating func ended(_ ending: Ending, at now: Double, random: () -> Double, stopped: Bool) -> [Action] {
        var actions: [Action] = []
        let next: (after: Double, kind: ConnectionKind)?
        switch ending {
        case .failed(let failure):
            let retryable = failure.isTransient || self.plan.policy.retryRejected
            if retryable, let retry = self.retry(at: now, random: random, kind: self.recovering ? .reconnect : .retry) {
                next = retry
            } else if self.outcome == nil {
                self.outcome = failure
                actions.append(.report(failure, connections: self.connections))
                next = nil
            } else {
                next = self.churn(random: random)
            }
        case .lost:
            self.recovering = true
            if let retry = self.retry(at: now, random: random, kind: .reconnect) {
                next = retry
            } else {
                self.recovering = false
                next = self.churn(random: random)
            }
        case .completed:
            next = self.churn(random: random)
        }
        guard let next, !stopped else { return actions + self.finish() }
        self.state = .waiting(next.kind)
        return actions + [.arm(.backoff(seconds: next.after))]
    }

    private mutating func retry(at now: Double, random: () -> Double, kind: ConnectionKind) -> (
        after: Double, kind: ConnectionKind
    )? {
        let policy = self.plan.policy
        guard self.attemptsSinceAccepted < policy.retries else { return nil }
        // After a loss, reconnecting is only worth it while the hold has time left.
        if kind == .reconnect, let until = self.holdUntil, until <= now { return nil }
        self.attemptsSinceAccepted += 1
        return (policy.delay(attempt: self.attemptsSinceAccepted, random: random()), kind)
    }

    private mutating func churn(random: () -> Double) -> (after: Double, kind: ConnectionKind)? {
        guard self.connections < self.plan.connections else { return nil }
        self.attemptsSinceAccepted = 0
        self.holdUntil = nil
        let pause = self.plan.policy.jitter == .full ? self.plan.pause * random() : self.plan.pause
        return (pause, .churn)
    }

    /// The story ends; a device stopped between attempts before it had an outcome keeps its last failure.
    private mutating func finish() -> [Action] {
        var actions: [Action] = []
        if self.outcome == nil, let failure = self.lastFailure {
            self.outcome = failure
            actions.append(.report(failure, connections: self.connections))
        }
        self.state = .done
        return actions + [.finish]
    }
}
