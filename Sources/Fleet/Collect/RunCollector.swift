import FleetCore
import NIOConcurrencyHelpers

/// Gathers every device's result from all event loops: counts per outcome, latency histograms per
/// phase, the per-second timeline, connection attempts per 100 ms (reconnect storms show there),
/// resumption and recovery, and the reports of the devices that did not end `ok`.
///
/// Two levels: a *device* has one outcome (its first acceptance, or its last failure once it gave
/// up); each of its *connections* (retries, reconnects, churn) is counted and timed on its own.
///
/// **Thread-safety:** one lock; devices report a handful of times per connection, so at thousands
/// of handshakes per second the lock is nowhere near contended.
public final class RunCollector: Sendable {
    public struct State: Sendable {
        public var started = 0
        public var inFlight = 0
        public var finished = 0
        public var succeeded = 0
        public var failed = 0
        public var outcomes: [String: Int] = [:]
        public var histograms = PhaseHistograms()
        /// The same phases per window of the run (the page's latency-over-time chart).
        public var latencyWindows = LatencyWindows()
        /// Reports of every device not `ok` (and of all devices with `keepAll`).
        public var devices: [DeviceReport] = []
        /// Every device's outcome (for `--expect` and JUnit).
        public var outcomeByDevice: [String: Outcome] = [:]
        /// Per second of the run: (started, ok, failed).
        public var timeline: [Int: [Int]] = [:]
        /// Devices connected right now (accepted, held).
        public var connected = 0
        public var peakConnected = 0
        public var connections = Connections()
        public var mqtt = MQTTCounts()
        /// Devices started that have no outcome yet (mid-connection, or between retries).
        public var undecided: Int { self.started - self.succeeded - self.failed }
    }

    /// Connection-level counts: every connection of every device.
    public struct Connections: Sendable {
        public var attempts = 0
        public var byKind: [ConnectionKind: Int] = [:]
        public var outcomes: [String: Int] = [:]
        /// Connection attempts per 100 ms window of the run (all kinds), and retries plus reconnects alone.
        public var attemptsPerTenth: [Int: Int] = [:]
        public var reconnectsPerTenth: [Int: Int] = [:]
        public var resumeOffered = 0
        public var resumed = 0
        /// Accepted connections the server ended during the hold.
        public var lost = 0
        /// Connections accepted again after a loss.
        public var recovered = 0
        public var firstLossAt: Double?
        public var lastRecoveryAt: Double?
        /// Devices whose server-certificate check failed because of their own clock.
        public var clockFailures = 0
        /// Connections accepted by the server's silence after the handshake (no ticket).
        public var acceptedBySilence = 0
        /// Accepted connections whose server never asked for a client certificate.
        public var withoutClientCertificate = 0
        /// Accepted connections by what they negotiated ("TLS 1.3 TLS13-AES128-GCM-SHA256").
        public var negotiated: [String: Int] = [:]
        /// Devices refused on their way back after losing an accepted connection, by the outcome
        /// of that first refusal (a device revoked while connected: `rejected:certificate-revoked`).
        public var refusedAfterLoss: [String: Int] = [:]
        /// Accepted connections by the application protocol ALPN negotiated (`x-amzn-mqtt-ca`).
        public var alpn: [String: Int] = [:]
        /// Accepted connections by the key-exchange group their handshake used.
        public var groups: [String: Int] = [:]
    }

    private let box = NIOLockedValueBox(State())
    let keepAll: Bool
    /// Live metrics, if asked for.
    let observer: (any RunObserver)?

    public init(keepAll: Bool, observer: (any RunObserver)? = nil) {
        self.keepAll = keepAll
        self.observer = observer
    }

    public var state: State { self.box.withLockedValue { $0 } }
    public var inFlight: Int { self.box.withLockedValue { $0.inFlight } }

    /// Takes one event from a device (any event loop).
    func receive(_ event: DeviceEvent) {
        switch event {
        case .started(let second): self.started(at: second)
        case .attempted(let kind, let second): self.attempt(kind, at: second)
        case .connectionDecided(let record): self.connection(record)
        case .connectionClosed(let lost, let second): self.connectionClosed(lost: lost, at: second)
        case .mqtt(let activity, let second): self.mqtt(activity, at: second)
        case .decided(let report): self.report(report)
        case .finished: self.finished()
        }
    }

    /// A device starts (its first connection is about to be made).
    private func started(at second: Double) {
        self.box.withLockedValue {
            $0.started += 1
            $0.inFlight += 1
            $0.timeline[Int(second), default: [0, 0, 0]][0] += 1
        }
    }

    /// A connection is being attempted, `second` seconds into the run.
    private func attempt(_ kind: ConnectionKind, at second: Double) {
        self.observer?.connectionAttempted(kind: kind)
        let tenth = Int(second * 10)
        self.box.withLockedValue {
            $0.connections.attempts += 1
            $0.connections.byKind[kind, default: 0] += 1
            $0.connections.attemptsPerTenth[tenth, default: 0] += 1
            if kind == .retry || kind == .reconnect { $0.connections.reconnectsPerTenth[tenth, default: 0] += 1 }
        }
    }

    /// A connection's verdict is in.
    private func connection(_ record: ConnectionRecord) {
        self.observer?.connectionDecided(
            outcome: record.outcome,
            resumed: record.resumed,
            handshakeSeconds: record.timings.tlsHandshake?.seconds,
            acceptSeconds: record.timings.serverAccept?.seconds
        )
        self.box.withLockedValue { state in
            state.connections.outcomes[record.outcome.identifier, default: 0] += 1
            if record.resumeOffered { state.connections.resumeOffered += 1 }
            if record.refusedAfterLoss {
                state.connections.refusedAfterLoss[record.outcome.identifier, default: 0] += 1
            }
            if record.resumed { state.connections.resumed += 1 }
            if record.acceptedBySilence { state.connections.acceptedBySilence += 1 }
            if record.outcome == .ok, let negotiated = record.negotiated {
                state.connections.negotiated[negotiated, default: 0] += 1
            }
            if record.outcome == .ok, let alpn = record.alpn {
                state.connections.alpn[alpn, default: 0] += 1
            }
            if record.outcome == .ok, let group = record.group {
                state.connections.groups[group, default: 0] += 1
            }
            if record.outcome == .ok && record.clientCertificateRequested == false {
                state.connections.withoutClientCertificate += 1
            }
            if let value = record.timings.tcpConnect { state.histograms.record(.tcpConnect, seconds: value.seconds) }
            if let value = record.timings.tlsHandshake {
                state.histograms.record(record.resumed ? .tlsHandshakeResumed : .tlsHandshake, seconds: value.seconds)
            }
            if let value = record.timings.serverAccept {
                state.histograms.record(.serverAccept, seconds: value.seconds)
            }
            if let value = record.mqttConnack { state.histograms.record(.mqttConnack, seconds: value) }
            state.latencyWindows.record(record, at: record.decidedAt)
            if record.outcome == .ok {
                state.connected += 1
                state.peakConnected = max(state.peakConnected, state.connected)
                if record.recovering {
                    state.connections.recovered += 1
                    state.connections.lastRecoveryAt = max(state.connections.lastRecoveryAt ?? 0, record.decidedAt)
                }
            }
        }
    }

    /// An accepted connection closed; `lost` if the server ended it during the hold.
    private func connectionClosed(lost: Bool, at second: Double) {
        self.observer?.connectionClosed(lost: lost)
        self.box.withLockedValue {
            $0.connected -= 1
            if lost {
                $0.connections.lost += 1
                $0.connections.firstLossAt = min($0.connections.firstLossAt ?? second, second)
            }
        }
    }

    private func mqtt(_ activity: MQTTActivity, at second: Double) {
        self.box.withLockedValue { state in
            state.mqtt.count(activity, at: second)
            if case .acknowledged(_, let seconds?) = activity { state.histograms.record(.mqttPuback, seconds: seconds) }
        }
    }

    /// The device's outcome, decided once.
    private func report(_ report: DeviceReport) {
        self.observer?.deviceDecided(outcome: report.outcome)
        self.box.withLockedValue { state in
            state.outcomes[report.outcome.identifier, default: 0] += 1
            state.outcomeByDevice[report.id] = report.outcome
            let second = Int(report.decidedAt)
            if report.outcome == .ok {
                state.succeeded += 1
                state.timeline[second, default: [0, 0, 0]][1] += 1
            } else {
                state.failed += 1
                state.timeline[second, default: [0, 0, 0]][2] += 1
                if report.failure?.clockRelated == true { state.connections.clockFailures += 1 }
            }
            state.histograms.record(.scheduleLag, seconds: report.scheduleLag)
            if report.outcome != .ok || self.keepAll { state.devices.append(report) }
        }
    }

    /// The device's story is over: no connection open, none planned.
    private func finished() {
        self.box.withLockedValue {
            $0.inFlight -= 1
            $0.finished += 1
        }
    }
}
