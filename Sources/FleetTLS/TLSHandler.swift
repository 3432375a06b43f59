import FleetCore
import Foundation
import NIOCore

/// A SwiftNIO handler that runs TLS through wolfSSL, for a device (client) or the backend (server).
///
/// Ciphertext flows in through `channelRead` and out through `write`; plaintext flows the other
/// way. Writes made before the handshake completes are held and sent after it. Failures are fired
/// as ``TLSFailure`` through `errorCaught` (after flushing any alert wolfSSL queued, so the peer
/// learns why) and the channel is closed. Modelled on swift-nio-ssl's `NIOSSLHandler`.
///
/// **Thread-safety:** event-loop bound; create it inside the channel initializer.
public final class TLSHandler: ChannelInboundHandler, ChannelOutboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    enum State {
        case idle
        case handshaking
        /// Handshake done; `accepted` says whether the peer's verdict has arrived.
        case active(accepted: Bool)
        /// close_notify sent on our side, channel closing.
        case closing
        case failed
        case closed
    }

    var state: State = .idle
    let connection: TLSConnection
    var bufferedWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    var flushPending = false
    var sessionDelivered = false

    /// Creates a handler for one connection.
    ///
    /// - Parameters:
    ///   - context: the shared context of the role.
    ///   - identity: the device's own chain and key (client); nil for the backend, whose identity
    ///     is in the context, or for a device that sends no certificate.
    ///   - serverName: client only: the name or IP address the server's certificate must carry.
    ///   - resume: client only: a session from an earlier connection to resume.
    ///   - clockCheck: client only: the device's own clock, when it is not real time; the server's
    ///     certificate dates are judged by it.
    ///   - trace: records every step for `repro`.
    /// - Throws: ``TLSFailure`` (`identity-invalid`, `local-resource`) before any I/O.
    public init(
        context: TLSContext,
        identity: DeviceIdentity? = nil,
        serverName: String? = nil,
        resume: TLSSession? = nil,
        clockCheck: DeviceClockCheck? = nil,
        trace: ConnectionTrace? = nil
    ) throws(TLSFailure) {
        self.connection = try TLSConnection(
            context: context,
            identity: identity,
            serverName: serverName,
            resume: resume,
            clockCheck: clockCheck,
            trace: trace
        )
    }

    /// A device now holds this accepted connection idle: its session gives back what it no
    /// longer needs (see `TLSConnection.releaseIdleMemory`); returns the bytes of session pages
    /// handed back to the kernel. Call on the channel's loop.
    @discardableResult
    public func releaseIdleMemory() -> Int {
        self.connection.releaseIdleMemory()
    }

    // MARK: - Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.startHandshake(context: context)
        }
    }

    public func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        self.startHandshake(context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let old = self.state
        self.state = .closed
        self.connection.transportClosed = true
        switch old {
        case .handshaking:
            // Drain what arrived with the FIN: an alert may be waiting in the buffer.
            if case .failed(let failure) = self.connection.handshake() {
                context.fireErrorCaught(failure)
            } else {
                context.fireErrorCaught(
                    TLSFailure(.closedByServer, detail: self.peerName + " closed the connection during the handshake")
                )
            }
        case .active(accepted: false):
            if self.connection.inbound.readableBytes > 0 {
                self.decode(context: context)
            }
            if case .active(accepted: false) = self.state {
                let detail = self.peerName + " closed the connection after the handshake without a verdict"
                context.fireErrorCaught(TLSFailure(.closedByServer, detail: detail))
            }
        case .idle, .active(accepted: true), .closing, .failed, .closed:
            break
        }
        self.failBufferedWrites(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    // MARK: - Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.connection.receive(self.unwrapInboundIn(data))
        switch self.state {
        case .handshaking:
            self.handshakeStep(context: context)
        case .active:
            self.decode(context: context)
        case .idle, .closing, .failed, .closed:
            // Nothing more is read once we have failed or started closing.
            self.connection.inbound.clear()
        }
    }

    // MARK: - Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = self.unwrapOutboundIn(data)
        switch self.state {
        case .idle, .handshaking:
            self.bufferedWrites.append((bytes, promise))
        case .active:
            if let failure = self.connection.write(bytes) {
                promise?.fail(failure)
                self.fail(failure, context: context)
            } else {
                self.emitCiphertext(context: context, promise: promise, flush: false)
            }
        case .closing, .failed, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch self.state {
        case .idle, .handshaking:
            self.flushPending = true
        case .active, .closing, .failed, .closed:
            context.flush()
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if case .active = self.state, mode == .all {
            self.state = .closing
            self.connection.shutdown()
            self.emitCiphertext(context: context, promise: nil, flush: true)
        }
        context.close(mode: mode, promise: promise)
    }

    // MARK: - Driving wolfSSL

    private func startHandshake(context: ChannelHandlerContext) {
        guard case .idle = self.state else { return }
        self.state = .handshaking
        if let trace = self.connection.trace {
            let configuration = self.connection.offeredVersions
            let alpn = self.connection.alpn.map { ", ALPN \($0.protocols)" } ?? ""
            trace.record(.local, "offering TLS \(configuration)\(alpn)")
            if let clock = self.connection.clockCheck?.clock {
                trace.record(
                    .local,
                    "device clock: \(DeviceClockCheck.timestamp(clock)) (real time: \(DeviceClockCheck.timestamp(Date())))"
                )
            }
        }
        self.handshakeStep(context: context)
    }

    private func handshakeStep(context: ChannelHandlerContext) {
        let result = self.connection.handshake()
        self.emitCiphertext(context: context, promise: nil, flush: true)
        switch result {
        case .wantRead:
            return
        case .failed(let failure):
            self.fail(failure, context: context)
        case .complete:
            if let refusal = self.connection.stapleRefusal() {
                self.fail(refusal, context: context)
                return
            }
            let now = NIODeadline.now()
            let version = self.connection.negotiatedVersion
            // TLS 1.2: the server's Finished comes after its check of our certificate. TLS 1.3: wait
            // for its first post-handshake record. The backend's verdict is its own handshake.
            let acceptedNow = self.connection.role == .server || version != .v1_3
            self.state = .active(accepted: acceptedNow)
            let resumed = self.connection.sessionResumed
            let peer = self.connection.role == .server ? self.connection.serverSidePeer() : nil
            var info = TLSHandshakeInfo(
                version: version,
                cipherSuite: self.connection.cipherSuite,
                resumed: resumed,
                peer: peer?.identity,
                at: now,
                // A resumed handshake exchanges no certificates: nothing to tell.
                clientCertificateRequested: self.connection.observesCertificateRequests && !resumed
                    ? self.connection.certificateRequested : nil,
                alpn: self.connection.negotiatedALPN
            )
            info.peerCertificate = peer?.leaf
            info.group = self.connection.negotiatedGroup
            info.ocspStaple = self.connection.stapleStatus
            if info.clientCertificateRequested == false {
                self.connection.trace?.record(
                    .received,
                    "the server did not ask for a client certificate: mutual TLS was not tested"
                )
            }
            self.connection.trace?.record(
                .local,
                "handshake done: TLS \(version?.rawValue ?? "?"), \(info.cipherSuite ?? "?")"
                    + (info.resumed ? ", resumed" : ", full handshake")
                    + (info.alpn.map { ", ALPN \($0)" }
                        ?? (self.connection.alpn != nil ? ", no ALPN protocol selected" : ""))
                    + (info.ocspStaple.map { ", OCSP staple \($0.rawValue)" } ?? "")
                    + (self.connection.clockOverride.map { "; note: \($0)" } ?? "")
            )
            context.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(info))
            if acceptedNow {
                if version == .v1_2 { self.deliverSession(context: context) }
                context.fireUserInboundEventTriggered(TLSEvent.accepted(at: now))
            }
            self.unbufferWrites(context: context)
            if self.connection.inbound.readableBytes > 0 {
                self.decode(context: context)
            }
        }
    }

    /// Reads plaintext until wolfSSL wants more ciphertext; notices the acceptance signal.
    private func decode(context: ChannelHandlerContext) {
        var delivered = false
        readLoop: while case .active = self.state {
            // A fresh buffer per record read: held devices keep no plaintext buffer between reads.
            var plaintext = context.channel.allocator.buffer(capacity: 0)
            switch self.connection.read(into: &plaintext) {
            case .data:
                self.markAccepted(context: context, signal: .data)
                delivered = true
                context.fireChannelRead(self.wrapInboundOut(plaintext))
            case .wantRead:
                break readLoop
            case .closed:
                if case .active(accepted: false) = self.state {
                    // The handshake completed and the server closed cleanly, without an alert: it let
                    // the device in, then closed. Whichever record came first (a ticket may sit in the
                    // same read), this is an acceptance followed by a close, never a refusal.
                    if self.connection.ticketReceived { self.deliverSession(context: context) }
                    self.markAccepted(context: context, signal: .closeNotify)
                }
                self.state = .closing
                context.close(promise: nil)
                break readLoop
            case .failed(let failure):
                self.fail(failure, context: context)
                break readLoop
            }
        }
        if self.connection.ticketReceived {
            self.deliverSession(context: context)
            self.markAccepted(context: context, signal: .ticket)
        }
        if delivered {
            context.fireChannelReadComplete()
        }
        // Reading may have produced records to send (e.g. a key update response).
        if self.connection.outbound.readableBytes > 0 {
            self.emitCiphertext(context: context, promise: nil, flush: true)
        }
    }

}

@available(*, unavailable)
extension TLSHandler: Sendable {}
