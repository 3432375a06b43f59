import FleetMQTT
import FleetTLS
import NIOCore

/// The top of one connection's pipeline: turns channel events into the device's events, one way,
/// and nothing else. The ``DeviceAgent`` decides and acts; this handler only tells it what happened
/// and on which of its connections (a late event of an earlier connection is dropped there).
///
/// **Thread-safety:** event-loop bound; created in the channel initializer, on the agent's loop.
final class DeviceChannelHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket

    private let agent: DeviceAgent
    private let connection: Int
    /// `tls` mode reads no application data: anything the server sends only counts as acceptance,
    /// which the TLS handler already signalled.
    private let readsMQTT: Bool
    private var active = false

    init(agent: DeviceAgent, connection: Int, mqtt: Bool) {
        self.agent = agent
        self.connection = connection
        self.readsMQTT = mqtt
    }

    func channelActive(context: ChannelHandlerContext) {
        self.active = true
        self.agent.tcpConnected(self.connection, channel: context.channel)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let event as TLSEvent:
            self.agent.tls(event, connection: self.connection)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard self.readsMQTT else { return }
        self.agent.mqtt(self.unwrapInboundIn(data), connection: self.connection)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Before the channel is active a failure is the connect's, reported by the bootstrap.
        guard self.active else { return }
        self.agent.failed(error, connection: self.connection)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if self.active {
            self.active = false
            self.agent.closed(self.connection)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Removed without becoming inactive (should not happen): never lose a device.
        if self.active {
            self.active = false
            self.agent.closed(self.connection)
        }
    }
}

@available(*, unavailable)
extension DeviceChannelHandler: Sendable {}
