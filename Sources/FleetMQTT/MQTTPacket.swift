import NIOCore

/// The MQTT 3.1.1 control packets a telematics device and its backend exchange (OASIS MQTT 3.1.1 §3).
///
/// Subscriptions are not modelled: simulated devices publish telemetry, they do not subscribe.
public enum MQTTPacket: Sendable, Equatable {
    case connect(Connect)
    case connack(sessionPresent: Bool, returnCode: UInt8)
    case publish(Publish)
    case puback(packetID: UInt16)
    case pingreq
    case pingresp
    case disconnect

    /// CONNECT: the client id, keep-alive and clean-session flag, optional user name and password.
    public struct Connect: Sendable, Equatable {
        public var clientID: String
        public var keepAliveSeconds: UInt16
        public var cleanSession: Bool
        public var username: String?
        public var password: [UInt8]?

        public init(
            clientID: String,
            keepAliveSeconds: UInt16 = 60,
            cleanSession: Bool = true,
            username: String? = nil,
            password: [UInt8]? = nil
        ) {
            self.clientID = clientID
            self.keepAliveSeconds = keepAliveSeconds
            self.cleanSession = cleanSession
            self.username = username
            self.password = password
        }
    }

    /// PUBLISH: topic, payload, QoS (0 or 1 here), the packet id for QoS 1, retain.
    public struct Publish: Sendable, Equatable {
        public var topic: String
        public var payload: ByteBuffer
        /// 0 or 1 (QoS 2 is not simulated).
        public var qos: UInt8
        public var packetID: UInt16?
        public var retain: Bool

        public init(topic: String, payload: ByteBuffer, qos: UInt8 = 0, packetID: UInt16? = nil, retain: Bool = false) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.packetID = packetID
            self.retain = retain
        }
    }

    /// The packet type nibble (§2.2.1).
    var typeCode: UInt8 {
        switch self {
        case .connect: 1
        case .connack: 2
        case .publish: 3
        case .puback: 4
        case .pingreq: 12
        case .pingresp: 13
        case .disconnect: 14
        }
    }
}

/// A peer sent bytes that are not MQTT 3.1.1: the connection must be closed (§4.8).
public struct MQTTProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed MQTT packet: \(self.reason)" }
}
