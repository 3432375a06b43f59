import FleetCore
import FleetTLS
import NIOCore

/// Sits above the ``TLSHandler`` of one device in `tls` mode: records when each phase ended,
/// turns the first failure into the device's result, and closes politely once the server accepted.
///
/// The first terminal event wins: a failure after acceptance, or the channel closing after a
/// failure, does not overwrite the outcome already decided.
///
/// **Thread-safety:** event-loop bound.
final class DeviceSessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let start: NIODeadline
    private let promise: EventLoopPromise<ConnectionResult>
    private let acceptTimeout: TimeAmount
    private let handshakeTimeout: TimeAmount
    private var timings = ConnectionTimings()
    private var handshake: TLSHandshakeInfo?
    private var session: TLSSession?
    private var decided = false
    /// Only a connected channel's end is ours to decide; a failed connect is the connector's.
    private var connected = false
    private var timer: Scheduled<Void>?

    init(
        start: NIODeadline,
        handshakeTimeout: TimeAmount,
        acceptTimeout: TimeAmount,
        promise: EventLoopPromise<ConnectionResult>
    ) {
        self.start = start
        self.handshakeTimeout = handshakeTimeout
        self.acceptTimeout = acceptTimeout
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        self.connected = true
        self.timings.tcpConnect = .now() - self.start
        self.arm(context: context, after: self.handshakeTimeout) { handler in
            ConnectionResult(
                outcome: .handshakeTimeout,
                detail: "the TLS handshake did not complete in \(DurationText.format(handler.handshakeTimeout.seconds))",
                timings: handler.timings
            )
        }
        context.fireChannelActive()
    }

    /// Schedules a deadline that decides the result unless something else decides first.
    private func arm(
        context: ChannelHandlerContext,
        after delay: TimeAmount,
        result: @escaping (DeviceSessionHandler) -> ConnectionResult
    ) {
        self.timer?.cancel()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let make = NIOLoopBound(result, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: delay) {
            handler.value.decide(make.value(handler.value), context: boundContext.value)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case TLSEvent.handshakeCompleted(let info):
            self.handshake = info
            self.timings.tlsHandshake = info.at - self.start
            self.arm(context: context, after: self.acceptTimeout) { handler in
                ConnectionResult(
                    outcome: .acceptTimeout,
                    detail: "the TLS handshake completed but the server gave no verdict in "
                        + DurationText.format(handler.acceptTimeout.seconds),
                    timings: handler.timings,
                    handshake: handler.handshake
                )
            }
        case TLSEvent.sessionReady(let session):
            self.session = session
        case TLSEvent.accepted(let at):
            self.timings.serverAccept = at - self.start
            var result = ConnectionResult(outcome: .ok, timings: self.timings, handshake: self.handshake)
            result.session = self.session
            self.decide(result, context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard self.connected else { return }
        if let failure = error as? TLSFailure {
            self.decide(
                ConnectionResult(outcome: failure.outcome, failure: failure, timings: self.timings, handshake: self.handshake),
                context: context
            )
        } else {
            let (outcome, detail) = TransportFailure.outcome(for: error)
            self.decide(
                ConnectionResult(outcome: outcome, detail: detail, timings: self.timings, handshake: self.handshake),
                context: context
            )
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // `tls` mode expects no application data; anything the server sends only counts as acceptance,
        // which the TLS handler already signalled.
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard self.connected else { return context.fireChannelInactive() }
        self.decide(
            ConnectionResult(
                outcome: .closedByServer,
                detail: "the server closed the connection before a verdict",
                timings: self.timings,
                handshake: self.handshake
            ),
            context: context
        )
        context.fireChannelInactive()
    }

    /// Records the first result and closes the channel (close_notify first when the session is up).
    func decide(_ result: ConnectionResult, context: ChannelHandlerContext) {
        guard !self.decided else { return }
        self.decided = true
        self.timer?.cancel()
        self.promise.succeed(result)
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        if self.connected && !self.decided {
            self.decided = true
            self.promise.succeed(
                ConnectionResult(outcome: .closedByServer, detail: "the connection ended", timings: self.timings)
            )
        }
    }
}

@available(*, unavailable)
extension DeviceSessionHandler: Sendable {}

