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
    /// Packets are encoded here, in the version the device's CONNECT chose.
    public typealias OutboundOut = ByteBuffer

    public struct Settings: Sendable {
        public var mode: ProtocolMode
        public var policy: BackendPolicy
        public var handshakeTimeout: TimeAmount
        /// MQTT: how long after the handshake the CONNECT may take.
        public var connectTimeout: TimeAmount
        /// `tls` mode: how long an accepted, silent connection is kept.
        public var idleTimeout: TimeAmount
        /// MQTT: how a CONNECT is judged (personality, client id, registry, just-in-time registration).
        public var judge: ConnectJudge
        /// MQTT: open sessions by client id (a second connection takes the session over).
        public var sessions: SessionTable
        /// The revoked certificates as of the last CRL (re)load: a resumed session — no certificate,
        /// so no CRL check in its handshake — is refused if its device was revoked since.
        public var revocation: RevocationState?

        public init(
            mode: ProtocolMode,
            policy: BackendPolicy,
            handshakeTimeout: TimeAmount = .seconds(10),
            connectTimeout: TimeAmount = .seconds(10),
            idleTimeout: TimeAmount = .minutes(10),
            judge: ConnectJudge? = nil,
            sessions: SessionTable = SessionTable(),
            revocation: RevocationState? = nil
        ) {
            self.mode = mode
            self.policy = policy
            self.handshakeTimeout = handshakeTimeout
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            var judge = judge ?? ConnectJudge()
            if judge.personality == .mosquitto { judge.matchClientID = policy.matchClientID }
            self.judge = judge
            self.sessions = sessions
            self.revocation = revocation
        }
    }

    let settings: Settings
    let audit: AuditLog
    var remote = "?"
    var start = NIODeadline.now()
    var handshake: TLSHandshakeInfo?
    /// The TLS verdict was positive (`TLSEvent.accepted`): in MQTT mode the CONNECT is awaited.
    var tlsAccepted = false
    private var timer: Scheduled<Void>?
    private var keepAlive: TimeAmount?
    var judged = false
    var connected = false
    /// The connection's MQTT version, from the device's CONNECT.
    var version = MQTTVersion.v3_1_1
    /// The client id this connection holds a session for, once accepted.
    var clientID: String?
    /// The backend's verdict on this connection was "accepted" (TLS, or MQTT CONNECT).
    var admitted = false
    /// The device's certificate as the OCSP cache names it, worked out at the first recheck.
    var ocspKey: DeviceOCSP.Key?

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
            if info.resumed, let leaf = info.peerCertificate,
                let reason = self.settings.revocation?.current.refusal(leafDER: leaf)
                    ?? self.settings.policy.ocsp?.resumedRefusal(leafDER: leaf)
            {
                self.reject(
                    outcome: .rejected(.certificateRevoked),
                    reason: "resumed a session after its certificate was revoked: \(reason)",
                    phase: "tls-after-handshake"
                )
                context.close(promise: nil)
            }
        case let event as RevocationUpdate:
            self.revocationChanged(event, context: context)
        case is OCSPRecheck:
            self.recheckOCSP(context: context)
        case let event as SessionTakenOver:
            self.takenOver(event, context: context)
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
            if publish.qos == 2 && self.settings.judge.personality == .azureIoTHub {
                self.disconnected("a QoS 2 publish: IoT Hub supports QoS 0 and 1", context: context)
                return
            }
            if publish.qos == 1, let id = publish.packetID { self.send(.puback(.init(packetID: id)), context: context) }
        case .subscribe(let subscribe):
            guard self.connected else { return self.protocolViolation(context: context, "SUBSCRIBE before CONNECT") }
            // Granted as asked, up to QoS 1: the backend never delivers QoS 2.
            let codes = subscribe.filters.map { min($0.qos, 1) }
            self.send(.suback(.init(packetID: subscribe.packetID, codes: codes)), context: context)
        case .pingreq:
            guard self.connected else { return self.protocolViolation(context: context, "PINGREQ before CONNECT") }
            self.send(.pingresp, context: context)
        case .disconnect:
            context.close(promise: nil)
        case .connack, .puback, .suback, .pingresp:
            self.protocolViolation(context: context, "a packet only a server sends")
        }
    }

    private func handleConnect(_ connect: MQTTPacket.Connect, context: ChannelHandlerContext) {
        self.version = connect.version
        switch self.settings.judge.judge(connect, peer: self.handshake?.peer) {
        case .accept:
            break
        case .refuse(let refusal, let reason):
            return self.refuse(refusal, reason: reason, clientID: connect.clientID, context: context)
        case .close(let reason):
            self.reject(outcome: .closedAfterConnect, reason: reason, phase: "mqtt", clientID: connect.clientID)
            context.close(promise: nil)
            return
        }
        self.clientID = connect.clientID
        self.settings.sessions.claim(connect.clientID, channel: context.channel, token: ObjectIdentifier(self))
        self.connected = true
        self.judged = true
        self.record(verdict: "accepted", phase: "mqtt", clientID: connect.clientID)
        self.send(.connack(.init(code: 0)), context: context)
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
        if let clientID { self.settings.sessions.release(clientID, token: ObjectIdentifier(self)) }
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

    /// Another connection took this session's client id: MQTT 5 devices are told why (DISCONNECT
    /// 0x8E), then the connection is closed.
    private func takenOver(_ event: SessionTakenOver, context: ChannelHandlerContext) {
        guard self.connected, self.clientID == event.clientID else { return }
        if self.version == .v5 { self.send(.disconnect(.init(code: 0x8E)), context: context) }
        self.disconnected(
            "session taken over by a newer connection with client id '\(event.clientID)'",
            context: context
        )
    }

    /// The CRLs were reloaded: an admitted session whose device is now revoked is dropped (MQTT 5
    /// devices are told: DISCONNECT 0x98, administrative action).
    private func revocationChanged(_ event: RevocationUpdate, context: ChannelHandlerContext) {
        guard self.admitted, let leaf = self.handshake?.peerCertificate,
            let reason = event.revoked.refusal(leafDER: leaf)
        else { return }
        if self.connected && self.version == .v5 { self.send(.disconnect(.init(code: 0x98)), context: context) }
        self.disconnected("dropped after the CRL reload: \(reason)", context: context)
    }

    /// Ends an accepted session, audited as `disconnected` with the reason.
    func disconnected(_ reason: String, context: ChannelHandlerContext) {
        self.record(
            verdict: "disconnected",
            phase: self.settings.mode == .mqtt ? "mqtt" : "tls",
            clientID: self.clientID,
            reason: reason
        )
        self.connected = false
        self.admitted = false
        context.close(promise: nil)
    }

    func send(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 16)
        MQTTEncoder.encode(packet, version: self.version, into: &buffer)
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
    }

    /// Refuses the device at CONNECT with `refusal`'s code in the connection's version (v5: with the
    /// reason as reason string), audits it, and closes.
    private func refuse(
        _ refusal: MQTTRefusal,
        reason: String,
        clientID: String,
        context: ChannelHandlerContext
    ) {
        let properties = self.version == .v5 ? MQTTProperties(reasonString: reason) : MQTTProperties()
        self.send(.connack(.init(code: refusal.code(in: self.version), properties: properties)), context: context)
        self.reject(outcome: .mqttRefused(refusal), reason: reason, phase: "mqtt", clientID: clientID)
        context.close(promise: nil)
    }

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
}

@available(*, unavailable)
extension BackendSession: Sendable {}
