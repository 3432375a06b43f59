import FleetCore
import FleetMQTT
import FleetTLS
import Foundation
import NIOCore
import NIOPosix

/// One simulated device for the whole run: the executor of its ``DeviceStateMachine``.
///
/// It feeds the machine the events of the device's connections (from its ``DeviceChannelHandler``)
/// and of its one timer, and performs the actions the machine returns: bootstraps, timers, MQTT
/// writes, closes, and typed events sent one way to the ``RunCollector``. It decides nothing
/// itself; it keeps the evidence of the current connection (``ConnectionEvidence``), the device's
/// TLS session for resumption and its own clock.
///
/// **Thread-safety:** event-loop bound. Created on its loop by ``start(on:id:identity:source:shared:scheduled:lag:)``;
/// every event it receives (connect results, timers, channel events) runs on that loop.
final class DeviceAgent {
    let id: String
    /// nil: the device presents no client certificate.
    let identity: DeviceIdentity?
    /// The local address this device connects from (`--source-ip`), nil = the system's choice.
    let source: SocketAddress?
    let shared: Shared
    let eventLoop: any EventLoop
    var machine: DeviceStateMachine
    let scheduled: NIODeadline
    let lag: Double
    /// When the device started: its own clock (if it has no real-time clock) runs from here.
    let bornAt = Date()
    /// The last session the server gave the device, offered on its next connection.
    var session: TLSSession?
    /// The device's MQTT client id, user name and topics, made once per device and only in `mqtt` mode.
    lazy var names = MQTTNames(id: self.id, identity: self.identity, profile: self.shared.settings.profile)
    var payload: ByteBuffer?
    var packetID: UInt16 = 0
    /// QoS 1 publishes not acknowledged yet: when each went out (PUBACK latency).
    var unacknowledged: [UInt16: NIODeadline] = [:]

    // The current connection.
    /// Numbers the device's connections; events of an earlier one are dropped.
    var connection = 0
    var channel: (any Channel)?
    var evidence: ConnectionEvidence
    /// The one armed timer, and its number: a timer that fires after it was replaced is ignored.
    var timer: NIOScheduledCallback?
    var timerNumber = 0
    var periodic: [RepeatedTask] = []
    /// A refusal since the device last lost an accepted connection was counted already.
    var refusedSinceLoss = false

    private init(
        id: String,
        identity: DeviceIdentity?,
        source: SocketAddress?,
        shared: Shared,
        eventLoop: any EventLoop,
        scheduled: NIODeadline,
        lag: Double
    ) {
        self.id = id
        self.identity = identity
        self.source = source
        self.shared = shared
        self.eventLoop = eventLoop
        self.scheduled = scheduled
        self.lag = lag
        self.machine = DeviceStateMachine(plan: shared.plan)
        self.evidence = ConnectionEvidence(reference: scheduled, resumeOffered: false, clock: nil, trace: nil)
    }

    /// Starts a device on `eventLoop`; the collector hears from it until its story is over.
    static func start(
        on eventLoop: any EventLoop,
        id: String,
        identity: DeviceIdentity?,
        source: SocketAddress?,
        shared: Shared,
        scheduled: NIODeadline,
        lag: Double
    ) {
        eventLoop.execute {
            let agent = DeviceAgent(
                id: id,
                identity: identity,
                source: source,
                shared: shared,
                eventLoop: eventLoop,
                scheduled: scheduled,
                lag: lag
            )
            agent.perform(agent.machine.start())
        }
    }

    var elapsed: Double { (NIODeadline.now() - self.shared.runStart).seconds }
    var stopped: Bool { self.shared.stop.isStopped }

    // MARK: - Events from the current connection's channel

    func tcpConnected(_ connection: Int, channel: any Channel) {
        guard connection == self.connection else { return }
        self.channel = channel
        let now = NIODeadline.now()
        self.evidence.timings.tcpConnect = now - self.reference
        self.evidence.roundTrip = (now - self.evidence.connectStarted).seconds
        self.evidence.trace?.record(.local, "TCP connected to \(channel.remoteAddress.map { "\($0)" } ?? "the server")")
        self.perform(self.machine.tcpConnected())
    }

    func tls(_ event: TLSEvent, connection: Int) {
        guard connection == self.connection else { return }
        switch event {
        case .handshakeCompleted, .accepted:
            // A verdict the TLS handler fires after the channel closed under it (the device reacted
            // to a record in the same read by closing) comes too late: the device is already in its
            // backoff or done.
            guard self.machine.state.hasConnection else { return }
        case .sessionReady:
            break
        }
        switch event {
        case .handshakeCompleted(let info):
            if !self.evidence.decided {
                self.evidence.handshake = info
                self.evidence.timings.tlsHandshake = info.at - self.reference
            }
            self.perform(self.machine.handshakeCompleted())
        case .accepted(let at):
            if !self.evidence.decided, self.evidence.timings.serverAccept == nil {
                self.evidence.timings.serverAccept = at - self.reference
            }
            self.perform(self.machine.tlsAccepted(at: self.elapsed))
        case .sessionReady(let session):
            // Kept only to be offered again: a session object is ~37 KB with Debian's wolfSSL.
            if self.shared.settings.profile.resumption != .off { self.session = session }
        }
    }

    func mqtt(_ packet: MQTTPacket, connection: Int) {
        guard connection == self.connection, self.machine.state.hasConnection else { return }
        switch packet {
        case .connack(let connack):
            self.connack(connack)
        case .puback(let ack):
            self.acknowledged(ack)
        case .suback(let ack):
            self.evidence.trace?.record(
                .received,
                "MQTT SUBACK: " + ack.codes.map(MQTTReasonCode.subackName).joined(separator: ", ")
            )
            self.shared.collector.receive(.mqtt(.subscribed(codes: ack.codes), atSecond: self.elapsed))
        case .publish(let publish):
            self.received(publish)
        case .disconnect(let disconnect):
            self.serverDisconnected(disconnect)
        case .pingresp:
            break
        case .connect, .pingreq, .subscribe:
            if !self.evidence.decided { self.evidence.detail = "the server sent an MQTT packet a server never sends" }
            self.perform(self.machine.failed(.protocolError))
        }
    }

    func failed(_ error: any Error, connection: Int) {
        guard connection == self.connection, self.machine.state.hasConnection else { return }
        self.perform(self.machine.failed(self.evidence.explain(error)))
    }

    func closed(_ connection: Int) {
        guard connection == self.connection else { return }
        self.stopTimers()
        self.channel = nil
        if case .holding = self.machine.state {
            self.evidence.trace?.record(.received, "the server closed the connection during the hold")
        }
        self.perform(self.machine.closed(at: self.elapsed, random: Double.random(in: 0..<1), stopped: self.stopped))
    }

    // MARK: - Actions

    var reference: NIODeadline { self.evidence.reference }

    func perform(_ actions: [DeviceStateMachine.Action]) {
        for action in actions {
            switch action {
            case .connect(let kind):
                self.connect(kind)
            case .arm(let timer):
                self.arm(timer)
            case .sendConnect:
                self.sendConnect()
            case .startSession:
                self.startSession()
            case .disconnect:
                self.stopTimers()
                if self.shared.settings.mode == .mqtt {
                    self.send(.disconnect(.normal), flush: false)
                }
                self.channel?.close(promise: nil)
            case .close:
                self.stopTimers()
                self.channel?.close(promise: nil)
            case .acceptedBySilence:
                self.evidence.acceptedBySilence = true
                self.evidence.trace?.record(
                    .local,
                    "no record from the server after the handshake for the quiet period: accepted (\(self.shared.settings.profile.accept))"
                )
            case .recordConnection(let outcome, let kind, let recovering):
                self.evidence.decided = true
                var record = self.evidence.record(outcome, kind: kind, recovering: recovering, decidedAt: self.elapsed)
                if outcome.isSuccess {
                    self.refusedSinceLoss = false
                } else if recovering && !outcome.isTransient && !self.refusedSinceLoss {
                    self.refusedSinceLoss = true
                    record.refusedAfterLoss = true
                }
                self.shared.collector.receive(.connectionDecided(record))
            case .recordClosed(let lost):
                self.shared.collector.receive(.connectionClosed(lost: lost, atSecond: self.elapsed))
            case .report(let outcome, let connections):
                self.evidence.trace?.record(.local, "outcome: \(outcome.identifier)")
                self.shared.collector.receive(
                    .decided(
                        self.evidence.report(
                            id: self.id,
                            outcome: outcome,
                            connections: connections,
                            scheduleLag: self.lag,
                            decidedAt: self.elapsed,
                            settings: self.shared.settings
                        )
                    )
                )
            case .finish:
                self.stopTimers()
                self.shared.collector.receive(.finished)
                self.shared.finished(self.eventLoop)
            }
        }
    }

    func arm(_ timer: DeviceStateMachine.Timer) {
        let delay: TimeAmount =
            switch timer {
            case .handshake: self.shared.handshakeTimeout
            case .accept: self.shared.acceptTimeout
            case .quiet:
                .seconds(
                    self.shared.settings.profile.accept.quiet(
                        roundTrip: self.evidence.roundTrip,
                        acceptTimeout: self.shared.settings.profile.acceptTimeout
                    )
                )
            case .hold(let seconds), .backoff(let seconds): .seconds(seconds)
            }
        self.timer?.cancel()
        self.timerNumber += 1
        // A loop callback, not `scheduleTask`: no promise and future per arm, and no error made to
        // fail them per cancel (a connection arms two or three timers). It throws only when the
        // loop is shutting down, when a `scheduleTask` would never have run either.
        self.timer = try? self.eventLoop.assumeIsolated().scheduleCallback(
            in: delay,
            handler: DeviceTimer(agent: self, number: self.timerNumber)
        )
    }

    func fired(_ number: Int) {
        guard number == self.timerNumber else { return }
        self.timer = nil
        if case .waiting = self.machine.state {
            self.perform(self.machine.backoffElapsed(stopped: self.stopped))
        } else {
            self.perform(self.machine.deadline(at: self.elapsed))
        }
    }

    func stopTimers() {
        self.timer?.cancel()
        self.timer = nil
        self.timerNumber += 1
        for task in self.periodic { task.cancel() }
        self.periodic = []
        self.unacknowledged = [:]
    }
}

@available(*, unavailable)
extension DeviceAgent: Sendable {}

extension TimeAmount {
    /// Loop time from seconds, saturating: durations are bounded at parse time, but a timer must
    /// never trap on a conversion.
    static func seconds(_ seconds: Double) -> TimeAmount {
        let nanoseconds = seconds * 1e9
        guard nanoseconds.isFinite, nanoseconds > 0 else { return .nanoseconds(0) }
        return .nanoseconds(nanoseconds >= Double(Int64.max) ? Int64.max : Int64(nanoseconds))
    }
}
