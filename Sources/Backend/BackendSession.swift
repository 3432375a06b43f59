import FleetCore
import FleetMQTT
import FleetTLS
import NIOCore

/// One device's connection to the test backend, above the server-side ``TLSHandler``: bounds the
/// handshake, records the verdict in the audit log, and in MQTT mode admits the device only if its
/// CONNECT client id is its certificate's device id; then serves QoS 0/1 publishes and pings until
/// DISCONNECT or a missed keep-alive.
///
/// **Thread-safety:** event-loop bound.
public final class BackendSession: ChannelInboundHandler {
    public typealias InboundIn = MQTTPacket
    public typealias OutboundOut = MQTTPacket

    public struct Settings: Sendable {
        public var mode: ProtocolMode
        public var policy: BackendPolicy
        public var handshakeTimeout: TimeAmount
        /// MQTT: how long after the handshake the CONNECT may take.
        public var connectTimeout: TimeAmount
        /// `tls` mode: how long an accepted, silent connection is kept.
        public var idleTimeout: TimeAmount

        public init(
            mode: ProtocolMode,
            policy: BackendPolicy,
            handshakeTimeout: TimeAmount = .seconds(10),
            connectTimeout: TimeAmount = .seconds(10),
            idleTimeout: TimeAmount = .minutes(10)
        ) {
            self.mode = mode
            self.policy = policy
            self.handshakeTimeout = handshakeTimeout
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
        }
    }

    private let settings: Settings
    private let audit: AuditLog
    private var remote = "?"
    private var start = NIODeadline.now()
    private var handshake: TLSHandshakeInfo?
    /// The TLS verdict was positive (`TLSEvent.accepted`): in MQTT mode the CONNECT is awaited.
    private var tlsAccepted = false
    private var timer: Scheduled<Void>?
    private var keepAlive: TimeAmount?
    private var judged = false
    private var connected = false

    init(settings: Settings, audit: AuditLog) {
        self.settings = settings
        self.audit = audit
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.remote = context.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        self.start = .now()
        self.arm(context: context, after: self.settings.handshakeTimeout) { session in
            session.reject(
                outcome: .handshakeTimeout,
                reason: "the TLS handshake did not complete in time",
                phase: "tls"
            )
        }
        context.fireChannelActive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case TLSEvent.handshakeCompleted(let info):
            self.handshake = info
        case TLSEvent.accepted:
            self.tlsAccepted = true
            switch self.settings.mode {
            case .tls:
                self.record(verdict: "accepted", phase: "tls")
                self.judged = true
                self.arm(context: context, after: self.settings.idleTimeout) { _ in }
            case .mqtt:
                self.arm(context: context, after: self.settings.connectTimeout) { session in
                    session.reject(
                        outcome: .acceptTimeout,
                        reason: "no MQTT CONNECT after the handshake",
                        phase: "mqtt"
                    )
                }
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // `tls` mode has no MQTT codec below: what a device sends is plaintext bytes, and the verdict
        // was the handshake. Read and drop it (unwrapping it as MQTT would trap the whole server).
        guard self.settings.mode == .mqtt else { return }
        let packet = self.unwrapInboundIn(data)
        if let keepAlive = self.keepAlive {
            // Any packet resets the keep-alive (MQTT 3.1.1 §3.1.2.10: 1.5 × the interval).
            self.arm(context: context, after: keepAlive) { _ in }
        }
        switch packet {
        case .connect(let connect):
            guard !self.connected else { return self.protocolViolation(context: context, "a second CONNECT") }
            self.handleConnect(connect, context: context)
        case .publish(let publish):
            guard self.connected else { return self.protocolViolation(context: context, "PUBLISH before CONNECT") }
            if publish.qos == 1, let id = publish.packetID {
                context.writeAndFlush(self.wrapOutboundOut(.puback(packetID: id)), promise: nil)
            }
        case .pingreq:
            guard self.connected else { return self.protocolViolation(context: context, "PINGREQ before CONNECT") }
            context.writeAndFlush(self.wrapOutboundOut(.pingresp), promise: nil)
        case .disconnect:
            context.close(promise: nil)
        case .connack, .puback, .pingresp:
            self.protocolViolation(context: context, "a packet only a server sends")
        }
    }

    private func handleConnect(_ connect: MQTTPacket.Connect, context: ChannelHandlerContext) {
        let device = self.handshake?.peer?.deviceID
        let matches = self.handshake?.peer?.isNamed(connect.clientID) ?? false
        if self.settings.policy.matchClientID && !matches {
            context.writeAndFlush(
                self.wrapOutboundOut(.connack(sessionPresent: false, returnCode: MQTTRefusal.notAuthorized.returnCode)),
                promise: nil
            )
            self.reject(
                outcome: .mqttRefused(.notAuthorized),
                reason: "client id '\(connect.clientID)' is not the certificate's device id '\(device ?? "none")'",
                phase: "mqtt",
                clientID: connect.clientID
            )
            context.close(promise: nil)
            return
        }
        self.connected = true
        self.judged = true
        self.record(verdict: "accepted", phase: "mqtt", clientID: connect.clientID)
        context.writeAndFlush(self.wrapOutboundOut(.connack(sessionPresent: false, returnCode: 0)), promise: nil)
        if connect.keepAliveSeconds > 0 {
            let keepAlive = TimeAmount.milliseconds(Int64(connect.keepAliveSeconds) * 1500)
            self.keepAlive = keepAlive
            self.arm(context: context, after: keepAlive) { _ in }
        } else {
            self.timer?.cancel()
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let failure = error as? TLSFailure {
            self.reject(failure: failure)
        } else if error is MQTTProtocolError || error is ByteToMessageDecoderError {
            self.protocolViolation(context: context, "\(error)")
            return
        }
        context.close(promise: nil)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        if !self.judged {
            self.reject(
                outcome: .closedByServer,
                reason: "the device closed the connection before a verdict",
                phase: self.phaseSoFar
            )
        }
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
    }

    // MARK: - Helpers

    private func arm(
        context: ChannelHandlerContext,
        after delay: TimeAmount,
        onExpiry: @escaping (BackendSession) -> Void
    ) {
        self.timer?.cancel()
        let session = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channel = context.channel
        let expiry = NIOLoopBound(onExpiry, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: delay) {
            expiry.value(session.value)
            channel.close(promise: nil)
        }
    }

    private func protocolViolation(context: ChannelHandlerContext, _ what: String) {
        if !self.judged {
            self.reject(outcome: .protocolError, reason: "malformed or unexpected MQTT: \(what)", phase: "mqtt")
        }
        context.close(promise: nil)
    }

    private func reject(failure: TLSFailure) {
        guard !self.judged else { return }
        self.judged = true
        self.audit.write(
            AuditRecord(
                time: .now,
                remote: self.remote,
                deviceID: failure.peer?.deviceID ?? self.handshake?.peer?.deviceID,
                verdict: "rejected",
                outcome: failure.outcome.identifier,
                reason: failure.detail,
                alertSent: failure.alertSent.map { Int($0.code) },
                verifyError: failure.verifyResult,
                wolfSSLCode: failure.nativeCode.map(Int.init),
                tls: self.handshake?.version?.rawValue,
                mqttClientID: nil,
                handshakeMs: nil,
                phase: self.tlsPhaseSoFar,
                alpn: self.handshake?.alpn
            )
        )
    }

    private func reject(outcome: Outcome, reason: String, phase: String, clientID: String? = nil) {
        guard !self.judged else { return }
        self.judged = true
        self.record(verdict: "rejected", phase: phase, clientID: clientID, outcome: outcome, reason: reason)
    }

    private func record(
        verdict: String,
        phase: String,
        clientID: String? = nil,
        outcome: Outcome? = nil,
        reason: String? = nil
    ) {
        self.audit.write(
            AuditRecord(
                time: .now,
                remote: self.remote,
                deviceID: self.handshake?.peer?.deviceID,
                verdict: verdict,
                outcome: outcome?.identifier,
                reason: reason,
                alertSent: nil,
                verifyError: nil,
                wolfSSLCode: nil,
                tls: self.handshake?.version?.rawValue,
                mqttClientID: clientID,
                handshakeMs: self.handshakeMs,
                phase: phase,
                alpn: self.handshake?.alpn
            )
        )
    }

    /// Where a TLS-level event happened: in the handshake (`tls`) or after it (`tls-after-handshake`).
    private var tlsPhaseSoFar: String {
        self.handshake == nil ? "tls" : "tls-after-handshake"
    }

    /// How far the connection got: `mqtt` once the TLS verdict is in and the CONNECT is awaited
    /// (MQTT mode only: in `tls` mode that verdict is the session's), else ``tlsPhaseSoFar``.
    private var phaseSoFar: String {
        self.tlsAccepted ? "mqtt" : self.tlsPhaseSoFar
    }

    private var handshakeMs: Double? {
        self.handshake.map { Double(($0.at - self.start).nanoseconds) / 1e6 }
    }
}

@available(*, unavailable)
extension BackendSession: Sendable {}
