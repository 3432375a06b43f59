import FleetCore
import FleetMQTT
import FleetTLS
import NIOCore

/// The top of one connection's pipeline: turns channel events into the device's events, one way,
/// and nothing else. The ``DeviceAgent`` decides and acts; this handler only tells it what happened
/// and on which of its connections (a late event of an earlier connection is dropped there). In
/// `mqtt` mode it also frames the plaintext into packets (``DeviceMQTTFraming``).
///
/// **Thread-safety:** event-loop bound; created in the channel initializer, on the agent's loop.
final class DeviceChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let agent: DeviceAgent
    private let connection: Int
    /// `tls` mode reads no application data (nil): anything the server sends only counts as
    /// acceptance, which the TLS handler already signalled.
    private var framing: DeviceMQTTFraming?
    private var active = false

    init(agent: DeviceAgent, connection: Int, mqtt: MQTTVersion?) {
        self.agent = agent
        self.connection = connection
        self.framing = mqtt.map(DeviceMQTTFraming.init(version:))
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
        guard self.framing != nil else { return }
        self.framing?.append(self.unwrapInboundIn(data))
        // Bounded: every packet consumes bytes. The agent may close the connection while it
        // handles a packet; the framing is not being accessed then.
        while true {
            let packet: MQTTPacket?
            do {
                packet = try self.framing?.next()
            } catch {
                self.agent.failed(error, connection: self.connection)
                return
            }
            guard let packet else { return }
            self.agent.mqtt(packet, connection: self.connection)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Before the channel is active a failure is the connect's, reported by the bootstrap.
        guard self.active else { return }
        self.agent.failed(error, connection: self.connection)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if self.active {
            self.active = false
            if let leftover = self.framing?.leftover {
                self.agent.failed(ByteToMessageDecoderError.leftoverDataWhenDone(leftover), connection: self.connection)
            }
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
