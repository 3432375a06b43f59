import FleetTLS
import NIOConcurrencyHelpers
import NIOCore

/// Sits above a TLSHandler and remembers what came up the pipeline: TLS events, failures, plaintext.
/// Thread-safe so tests can read it from outside the event loop.
final class EventRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    struct Record {
        var handshake: TLSHandshakeInfo?
        var accepted = false
        var session: TLSSession?
        var failures: [TLSFailure] = []
        var otherErrors: [String] = []
        var received = ""
        var inactive = false
    }

    private let box = NIOLockedValueBox(Record())
    /// Plaintext the recorder answers with once it reads anything (server side), then closes.
    private let reply: String?

    init(reply: String? = nil) {
        self.reply = reply
    }

    var record: Record { self.box.withLockedValue { $0 } }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case TLSEvent.handshakeCompleted(let info): self.box.withLockedValue { $0.handshake = info }
        case TLSEvent.accepted: self.box.withLockedValue { $0.accepted = true }
        case TLSEvent.sessionReady(let session): self.box.withLockedValue { $0.session = session }
        default: context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let failure = error as? TLSFailure {
            self.box.withLockedValue { $0.failures.append(failure) }
        } else {
            self.box.withLockedValue { $0.otherErrors.append(String(describing: error)) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = self.unwrapInboundIn(data)
        self.box.withLockedValue { $0.received += String(buffer: bytes) }
        if let reply {
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: reply)), promise: nil)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.box.withLockedValue { $0.inactive = true }
        context.fireChannelInactive()
    }
}
