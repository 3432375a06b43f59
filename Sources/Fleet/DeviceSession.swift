import FleetCore
import Foundation
import FleetMQTT
import FleetTLS
import NIOCore

/// Runs one connection's ``DeviceLifecycle`` on its channel, above the ``TLSHandler`` (and the MQTT
/// codec in `mqtt` mode): timestamps each milestone, speaks MQTT, holds the session with keep-alive
/// and telemetry, and tells its ``DeviceAgent`` the verdict and how the connection ended.
///
/// **Thread-safety:** event-loop bound; created in the channel initializer, on the agent's loop.
final class DeviceSession: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket

    struct Settings: Sendable {
        var mode: DeviceLifecycle.Mode
        var profile: DeviceProfile
        /// Whether accepted devices stay connected for a while (the agent says how long).
        var holds: Bool
        var runStart: NIODeadline
    }

    private let id: String
    private let settings: Settings
    /// What this connection's timings count from: the device's scheduled start (first connection)
    /// or the moment this connection started.
    private let scheduled: NIODeadline
    private let agent: DeviceAgent
    private let trace: ConnectionTrace?
    private var lifecycle: DeviceLifecycle
    /// Seconds to hold this connection once accepted, from the agent.
    private var holdSeconds: Double?
    private var lost = false
    private var timings = ConnectionTimings()
    private var handshake: TLSHandshakeInfo?
    private var failure: TLSFailure?
    private var detail: String?
    private var mqttConnack: Double?
    private var timer: Scheduled<Void>?
    private var periodic: [RepeatedTask] = []
    private var packetID: UInt16 = 0
    /// Telemetry topic and payload, made once per device rather than per publish.
    private let topic: String
    private var payload: ByteBuffer?
    private var connected = false
    private var accepted = false
    private var finished = false

    init(id: String, settings: Settings, scheduled: NIODeadline, agent: DeviceAgent, trace: ConnectionTrace?) {
        self.id = id
        self.settings = settings
        self.scheduled = scheduled
        self.agent = agent
        self.trace = trace
        self.lifecycle = DeviceLifecycle(mode: settings.mode, holds: settings.holds)
        self.topic = settings.profile.topic.replacingOccurrences(of: "{id}", with: id)
    }

    // MARK: - Channel events → lifecycle events

    func channelActive(context: ChannelHandlerContext) {
        self.connected = true
        self.timings.tcpConnect = .now() - self.scheduled
        self.trace?.record(.local, "TCP connected to \(context.channel.remoteAddress.map { "\($0)" } ?? "the server")")
        _ = self.lifecycle.handle(.start)
        self.execute(self.lifecycle.handle(.tcpConnected), context: context)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case TLSEvent.handshakeCompleted(let info):
            self.handshake = info
            self.timings.tlsHandshake = info.at - self.scheduled
            self.execute(self.lifecycle.handle(.handshakeCompleted), context: context)
        case TLSEvent.accepted(let at):
            self.timings.serverAccept = at - self.scheduled
            self.execute(self.lifecycle.handle(.tlsAccepted), context: context)
        case TLSEvent.sessionReady(let session):
            self.agent.sessionReady(session)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard self.settings.mode == .mqtt else { return }
        switch self.unwrapInboundIn(data) {
        case .connack(_, let code):
            self.mqttConnack = (NIODeadline.now() - self.scheduled).seconds
            self.trace?.record(.received, "MQTT CONNACK, return code \(code)" + (code == 0 ? " (accepted)" : ""))
            self.execute(self.lifecycle.handle(.connack(returnCode: code)), context: context)
        case .pingresp, .puback, .publish:
            break
        case .connect, .pingreq, .disconnect:
            self.detail = "the server sent an MQTT packet a server never sends"
            self.execute(self.lifecycle.handle(.failed(.protocolError)), context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard self.connected else { return }
        let outcome: Outcome
        if let tls = error as? TLSFailure {
            self.failure = tls
            outcome = tls.outcome
        } else if error is MQTTProtocolError || error is ByteToMessageDecoderError {
            self.detail = "the server sent bytes that are not MQTT 3.1.1 (\(error))"
            outcome = .protocolError
        } else {
            let (mapped, detail) = TransportFailure.outcome(for: error)
            self.detail = detail
            outcome = mapped
        }
        self.execute(self.lifecycle.handle(.failed(outcome)), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if self.connected {
            self.execute(self.lifecycle.handle(.closed), context: context)
            self.finish()
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.stopTimers()
        if self.connected { self.finish() }
    }

    // MARK: - Lifecycle actions → channel operations

    private func execute(_ actions: [DeviceLifecycle.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .connect:
                break  // the runner connected us
            case .arm(let timer):
                self.arm(timer, context: context)
            case .sendConnect:
                self.trace?.record(.sent, "MQTT CONNECT, client id \(self.id)")
                let connect = MQTTPacket.Connect(clientID: self.id, keepAliveSeconds: UInt16(clamping: Int(self.settings.profile.keepAlive)))
                context.writeAndFlush(NIOAny(MQTTPacket.connect(connect)), promise: nil)
            case .startSession:
                self.startSession(context: context)
            case .disconnect:
                self.stopTimers()
                if self.settings.mode == .mqtt {
                    context.write(NIOAny(MQTTPacket.disconnect), promise: nil)
                }
                context.close(promise: nil)
            case .close:
                self.stopTimers()
                context.close(promise: nil)
            case .report(let outcome):
                self.accepted = outcome == .ok
                self.trace?.record(.local, "outcome: \(outcome.identifier)")
                var report = DeviceReport(
                    id: self.id,
                    outcome: outcome,
                    detail: self.detail ?? self.failure?.detail ?? Self.defaultDetail(outcome, self.settings),
                    failure: self.failure,
                    timings: self.timings,
                    scheduleLag: 0,
                    decidedAt: (NIODeadline.now() - self.settings.runStart).seconds,
                    tlsVersion: self.handshake?.version ?? self.failure?.version,
                    cipherSuite: self.handshake?.cipherSuite,
                    mqttConnack: self.mqttConnack
                )
                report.resumed = self.handshake?.resumed ?? false
                report.trace = self.trace?.events
                report.serverChain = self.trace?.serverChain
                self.holdSeconds = self.agent.decided(report)
            case .lost:
                self.lost = true
                self.trace?.record(.received, "the server closed the connection during the hold")
            }
        }
    }

    private func arm(_ timer: DeviceLifecycle.Timer, context: ChannelHandlerContext) {
        let profile = self.settings.profile
        let seconds: Double =
            switch timer {
            case .connect: profile.connectTimeout
            case .handshake: profile.handshakeTimeout
            case .accept: profile.acceptTimeout
            case .hold: self.holdSeconds ?? 0
            }
        self.timer?.cancel()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            let session = handler.value
            session.execute(session.lifecycle.handle(.deadline), context: boundContext.value)
        }
    }

    /// MQTT keep-alive (PINGREQ) and telemetry for the hold.
    private func startSession(context: ChannelHandlerContext) {
        guard self.settings.mode == .mqtt else { return }
        let profile = self.settings.profile
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        if profile.keepAlive > 0 {
            let interval = TimeAmount.nanoseconds(Int64(profile.keepAlive * 1e9))
            self.periodic.append(
                context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                    boundContext.value.writeAndFlush(NIOAny(MQTTPacket.pingreq), promise: nil)
                }
            )
        }
        guard let interval = profile.publishInterval else { return }
        self.publish(context: context)
        if interval > 0 {
            let amount = TimeAmount.nanoseconds(Int64(interval * 1e9))
            self.periodic.append(
                context.eventLoop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { _ in
                    handler.value.publish(context: boundContext.value)
                }
            )
        }
    }

    private func publish(context: ChannelHandlerContext) {
        let profile = self.settings.profile
        self.packetID = self.packetID &+ 1 == 0 ? 1 : self.packetID &+ 1
        if self.payload == nil {
            self.payload = context.channel.allocator.buffer(repeating: UInt8(ascii: "x"), count: profile.payloadBytes)
        }
        let packet = MQTTPacket.Publish(
            topic: self.topic,
            payload: self.payload!,
            qos: profile.qos,
            packetID: profile.qos > 0 ? self.packetID : nil
        )
        context.writeAndFlush(NIOAny(MQTTPacket.publish(packet)), promise: nil)
    }

    private func stopTimers() {
        self.timer?.cancel()
        self.timer = nil
        for task in self.periodic { task.cancel() }
        self.periodic = []
    }

    private func finish() {
        guard !self.finished else { return }
        self.finished = true
        self.stopTimers()
        if self.lifecycle.outcome == nil {
            // The channel went away without any verdict event (should not happen; never lose a device).
            _ = self.agent.decided(
                DeviceReport(
                    id: self.id, outcome: .closedByServer, detail: "the connection ended before a verdict",
                    timings: self.timings, scheduleLag: 0, decidedAt: (NIODeadline.now() - self.settings.runStart).seconds
                )
            )
        }
        self.agent.ended(wasAccepted: self.accepted, lost: self.lost)
    }

    static func defaultDetail(_ outcome: Outcome, _ settings: Settings) -> String? {
        switch outcome {
        case .ok: nil
        case .handshakeTimeout: "the TLS handshake did not complete in \(DurationText.format(settings.profile.handshakeTimeout))"
        case .acceptTimeout:
            "the TLS handshake completed but no verdict (\(settings.mode == .mqtt ? "CONNACK" : "ticket or data")) came in "
                + DurationText.format(settings.profile.acceptTimeout)
        case .closedByServer: "the server closed the connection before a verdict"
        case .mqttRefused(let reason): "CONNACK refused the device: \(reason.rawValue) (return code \(reason.returnCode))"
        default: nil
        }
    }
}

@available(*, unavailable)
extension DeviceSession: Sendable {}
