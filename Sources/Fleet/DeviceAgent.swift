import FleetCore
import FleetMQTT
import FleetTLS
import Foundation
import NIOCore
import NIOPosix

/// One simulated device for the whole run: makes its connections one after another on its own
/// event loop, as its ``DeviceJourney`` decides (first connection, retries, reconnects, churn),
/// keeps its TLS session for resumption and its own clock, and reports to the ``RunCollector``.
///
/// **Thread-safety:** event-loop bound. Created on its loop by ``start(on:device:shared:scheduled:lag:)``;
/// every callback it receives (connect results, timers, the ``DeviceSession`` of each connection)
/// runs on that loop.
final class DeviceAgent {
    /// What every device of a run shares, made once per run.
    struct Shared: Sendable {
        var settings: RunSettings
        var context: TLSContext
        var address: SocketAddress?
        var runStart: NIODeadline
        var collector: RunCollector
        var stop: StopSignal
        /// Record a ``ConnectionTrace`` of every connection (`repro`).
        var trace: Bool
        /// Each device's journey plan and each connection's session settings, from `settings`.
        let plan: DeviceJourney.Plan
        let sessionSettings: DeviceSession.Settings

        init(
            settings: RunSettings, context: TLSContext, address: SocketAddress?, runStart: NIODeadline,
            collector: RunCollector, stop: StopSignal, trace: Bool
        ) {
            self.settings = settings
            self.context = context
            self.address = address
            self.runStart = runStart
            self.collector = collector
            self.stop = stop
            self.trace = trace
            var plan = DeviceJourney.Plan()
            plan.policy = settings.profile.reconnect
            plan.connections = settings.profile.churnConnections
            plan.pause = settings.profile.churnPause
            plan.hold = settings.hold
            self.plan = plan
            self.sessionSettings = DeviceSession.Settings(
                mode: settings.mode, profile: settings.profile, holds: settings.hold != nil, runStart: runStart)
        }
    }

    private let id: String
    private let identity: DeviceIdentity
    /// The local address this device connects from (`--source-ip`), nil = the system's choice.
    private let source: SocketAddress?
    private let shared: Shared
    private let eventLoop: any EventLoop
    private var journey: DeviceJourney
    private let scheduled: NIODeadline
    private let lag: Double
    /// When the device started: its own clock (if it has no real-time clock) runs from here.
    private let bornAt = Date()
    private var session: TLSSession?
    /// The current connection's facts, kept until the journey says whether they are the device's outcome.
    private var kind: DeviceJourney.Kind = .first
    private var lastReport: DeviceReport?
    private var resumeOffered = false
    private var clock: Date?

    private init(
        id: String, identity: DeviceIdentity, source: SocketAddress?, shared: Shared, eventLoop: any EventLoop, scheduled: NIODeadline, lag: Double
    ) {
        self.id = id
        self.identity = identity
        self.source = source
        self.shared = shared
        self.eventLoop = eventLoop
        self.scheduled = scheduled
        self.lag = lag
        self.journey = DeviceJourney(plan: shared.plan)
    }

    /// Starts a device on `eventLoop`; the collector hears from it until its story is over.
    static func start(
        on eventLoop: any EventLoop,
        id: String,
        identity: DeviceIdentity,
        source: SocketAddress?,
        shared: Shared,
        scheduled: NIODeadline,
        lag: Double
    ) {
        eventLoop.execute {
            DeviceAgent(id: id, identity: identity, source: source, shared: shared, eventLoop: eventLoop, scheduled: scheduled, lag: lag).connect()
        }
    }

    private var elapsed: Double { (NIODeadline.now() - self.shared.runStart).seconds }

    // MARK: - Connections

    private func connect() {
        self.kind = self.journey.connecting()
        self.shared.collector.attempt(self.kind, at: self.elapsed)
        let reference = self.kind == .first ? self.scheduled : NIODeadline.now()
        guard let address = self.shared.address else {
            return self.failedBeforeConnecting(.dnsFailure, "could not resolve \(self.shared.settings.host)", nil)
        }
        let settings = self.shared.settings
        let profile = settings.profile
        let context = self.shared.context
        let identity = self.identity
        let serverName = settings.effectiveServerName
        let resume = profile.resumption == .off ? nil : self.session
        self.resumeOffered = resume != nil
        let now = Date()
        self.clock = profile.clock.time(for: self.id, now: now, sinceStart: now.timeIntervalSince(self.bornAt))
        let clock = self.clock
        let traced = self.shared.trace
        let sessionSettings = self.shared.sessionSettings
        let id = self.id
        let me = NIOLoopBound(self, eventLoop: self.eventLoop)
        var bootstrap = ClientBootstrap(group: self.eventLoop)
        if let source = self.source { bootstrap = bootstrap.bind(to: source) }
        bootstrap
            .connectTimeout(.nanoseconds(Int64(profile.connectTimeout * 1e9)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let trace = traced ? ConnectionTrace() : nil
                    trace?.record(.local, "connecting to \(address)" + (resume != nil ? ", offering to resume the last session" : ""))
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(
                        try TLSHandler(context: context, identity: identity, serverName: serverName, resume: resume, deviceClock: clock, trace: trace)
                    )
                    if settings.mode == .mqtt {
                        try sync.addHandler(ByteToMessageHandler(MQTTDecoder()))
                        try sync.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
                    }
                    try sync.addHandler(DeviceSession(id: id, settings: sessionSettings, scheduled: reference, agent: me.value, trace: trace))
                }
            }
            .connect(to: address)
            .whenFailure { error in
                let agent = me.value
                if let failure = error as? TLSFailure {
                    agent.failedBeforeConnecting(failure.outcome, failure.detail, failure)
                } else {
                    let (outcome, detail) = TransportFailure.outcome(for: error)
                    agent.failedBeforeConnecting(outcome, detail, nil)
                }
            }
    }

    /// The connection never got as far as a channel (refused, timed out, unresolvable).
    private func failedBeforeConnecting(_ outcome: Outcome, _ detail: String?, _ failure: TLSFailure?) {
        _ = self.decided(DeviceReport(id: self.id, outcome: outcome, detail: detail, failure: failure, scheduleLag: 0, decidedAt: self.elapsed))
        self.ended(wasAccepted: false, lost: false)
    }

    // MARK: - Called by the connection's DeviceSession

    /// A session to resume next time.
    func sessionReady(_ session: TLSSession) {
        self.session = session
    }

    /// The connection's verdict.
    ///
    /// - Returns: for an accepted connection, how long to hold it (nil: disconnect now).
    func decided(_ report: DeviceReport) -> Double? {
        var report = report
        report.scheduleLag = self.lag
        report.clock = self.clock
        report.connections = self.journey.connections
        self.shared.collector.connection(
            ConnectionRecord(
                kind: self.kind,
                outcome: report.outcome,
                timings: report.timings,
                mqttConnack: report.mqttConnack,
                resumeOffered: self.resumeOffered,
                resumed: report.resumed,
                recovering: self.journey.recovering,
                decidedAt: report.decidedAt
            )
        )
        guard report.outcome == .ok else {
            self.lastReport = report
            return nil
        }
        let (outcome, hold) = self.journey.accepted(at: self.elapsed)
        if outcome != nil { self.shared.collector.report(report) }
        return hold
    }

    /// The connection is closed; decide what comes next.
    func ended(wasAccepted: Bool, lost: Bool) {
        if wasAccepted { self.shared.collector.connectionClosed(lost: lost, at: self.elapsed) }
        let ending: DeviceJourney.Ending =
            if wasAccepted { lost ? .lost : .completed } else { .failed(self.lastReport?.outcome ?? .closedByServer) }
        let (outcome, next) = self.journey.ended(ending, at: self.elapsed, random: Double.random(in: 0..<1))
        if outcome != nil, var report = self.lastReport {
            report.connections = self.journey.connections
            self.shared.collector.report(report)
        }
        switch next {
        case .connect(let delay, _) where !self.shared.stop.isStopped:
            let me = NIOLoopBound(self, eventLoop: self.eventLoop)
            self.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) {
                let agent = me.value
                if agent.shared.stop.isStopped { return agent.finish() }
                agent.connect()
            }
        case .connect, .done:
            self.finish()
        }
    }

    private func finish() {
        if self.journey.outcome == nil, var report = self.lastReport {
            // Stopped between attempts before the device had an outcome: its last failure stands.
            report.connections = self.journey.connections
            self.shared.collector.report(report)
        }
        self.shared.collector.finished()
    }
}

@available(*, unavailable)
extension DeviceAgent: Sendable {}
