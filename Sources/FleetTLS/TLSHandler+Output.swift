import NIOCore

/// What goes out: writes held until the handshake is done, the ciphertext wolfSSL produced, and a
/// failure reported after flushing the alert wolfSSL queued for the peer.
extension TLSHandler {
    func unbufferWrites(context: ChannelHandlerContext) {
        let writes = self.bufferedWrites
        self.bufferedWrites = []
        for (bytes, promise) in writes {
            self.write(context: context, data: self.wrapOutboundOut(bytes), promise: promise)
        }
        if self.flushPending {
            self.flushPending = false
            context.flush()
        }
    }

    /// Writes whatever ciphertext wolfSSL produced.
    func emitCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?, flush: Bool) {
        guard self.connection.outbound.readableBytes > 0 else {
            promise?.succeed()
            if flush { context.flush() }
            return
        }
        let bytes = self.connection.outbound
        self.connection.outbound = ByteBuffer()  // no capacity held between flights
        if flush {
            context.writeAndFlush(self.wrapOutboundOut(bytes), promise: promise)
        } else {
            context.write(self.wrapOutboundOut(bytes), promise: promise)
        }
    }

    /// Reports `failure` and closes, after flushing the alert wolfSSL queued for the peer.
    func fail(_ failure: TLSFailure, context: ChannelHandlerContext) {
        switch self.state {
        case .failed, .closed: return
        default: break
        }
        self.state = .failed
        if let trace = self.connection.trace {
            if let alert = failure.alertReceived { trace.record(.received, "alert \(alert.description) (fatal)") }
            if let alert = failure.alertSent { trace.record(.sent, "alert \(alert.description) (fatal)") }
            trace.record(.local, "TLS failed: \(failure.description)")
        }
        self.emitCiphertext(context: context, promise: nil, flush: true)
        self.failBufferedWrites(failure)
        context.fireErrorCaught(failure)
        context.close(promise: nil)
    }

    func failBufferedWrites(_ error: any Error) {
        let writes = self.bufferedWrites
        self.bufferedWrites = []
        for (_, promise) in writes { promise?.fail(error) }
    }

    var peerName: String {
        self.connection.role == .client ? "the server" : "the device"
    }
}
