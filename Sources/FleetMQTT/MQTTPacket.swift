import FleetCore
import NIOCore

/// The MQTT control packets a telematics device and its backend exchange, in MQTT 3.1.1 (OASIS
/// §3) and MQTT 5.0 (OASIS §3). One model for both versions: what only v5 carries (properties,
/// reason codes on acknowledgements and DISCONNECT) is empty or 0 in 3.1.1, and the codec's
/// version decides whether it goes on the wire.
public enum MQTTPacket: Sendable, Equatable {
    case connect(Connect)
    case connack(Connack)
    case publish(Publish)
    case puback(PubAck)
    case subscribe(Subscribe)
    case suback(SubAck)
    case pingreq
    case pingresp
    case disconnect(Disconnect)

    /// CONNECT: the version, client id, keep-alive and clean-session (v5: clean start) flag,
    /// optional user name and password, and (v5) properties.
    public struct Connect: Sendable, Equatable {
        public var version: MQTTVersion
        public var clientID: String
        public var keepAliveSeconds: UInt16
        public var cleanSession: Bool
        public var username: String?
        public var password: [UInt8]?
        public var properties: MQTTProperties

        public init(
            version: MQTTVersion = .v3_1_1,
            clientID: String,
            keepAliveSeconds: UInt16 = 60,
            cleanSession: Bool = true,
            username: String? = nil,
            password: [UInt8]? = nil,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.version = version
            self.clientID = clientID
            self.keepAliveSeconds = keepAliveSeconds
            self.cleanSession = cleanSession
            self.username = username
            self.password = password
            self.properties = properties
        }
    }

    /// CONNACK: 0 accepts; 3.1.1 refuses with return codes 1–5, v5 with reason codes ≥ 0x80.
    public struct Connack: Sendable, Equatable {
        public var sessionPresent: Bool
        public var code: UInt8
        public var properties: MQTTProperties

        public init(sessionPresent: Bool = false, code: UInt8, properties: MQTTProperties = MQTTProperties()) {
            self.sessionPresent = sessionPresent
            self.code = code
            self.properties = properties
        }
    }

    /// PUBLISH: topic, payload, QoS (0 or 1 here), the packet id for QoS 1, retain, (v5) properties.
    public struct Publish: Sendable, Equatable {
        public var topic: String
        public var payload: ByteBuffer
        /// 0 or 1 (QoS 2 is not simulated).
        public var qos: UInt8
        public var packetID: UInt16?
        public var retain: Bool
        public var properties: MQTTProperties

        public init(
            topic: String,
            payload: ByteBuffer,
            qos: UInt8 = 0,
            packetID: UInt16? = nil,
            retain: Bool = false,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.packetID = packetID
            self.retain = retain
            self.properties = properties
        }
    }

    /// PUBACK: the QoS 1 publish it acknowledges; v5 adds a reason code (0x87: an ACL denied the
    /// topic) and properties.
    public struct PubAck: Sendable, Equatable {
        public var packetID: UInt16
        public var code: UInt8
        public var properties: MQTTProperties

        public init(packetID: UInt16, code: UInt8 = 0, properties: MQTTProperties = MQTTProperties()) {
            self.packetID = packetID
            self.code = code
            self.properties = properties
        }
    }

    /// SUBSCRIBE: topic filters with their options byte (bits 0–1 the QoS asked for).
    public struct Subscribe: Sendable, Equatable {
        public var packetID: UInt16
        public var filters: [Filter]
        public var properties: MQTTProperties

        public struct Filter: Sendable, Equatable {
            public var topic: String
            public var options: UInt8
            public var qos: UInt8 { self.options & 0x03 }

            public init(topic: String, qos: UInt8) {
                self.topic = topic
                self.options = qos & 0x03
            }

            init(topic: String, options: UInt8) {
                self.topic = topic
                self.options = options
            }
        }

        public init(packetID: UInt16, filters: [Filter], properties: MQTTProperties = MQTTProperties()) {
            self.packetID = packetID
            self.filters = filters
            self.properties = properties
        }
    }

    /// SUBACK: one code per filter, the granted QoS (0–2) or a failure (0x80; v5 also 0x87 and others).
    public struct SubAck: Sendable, Equatable {
        public var packetID: UInt16
        public var codes: [UInt8]
        public var properties: MQTTProperties

        public init(packetID: UInt16, codes: [UInt8], properties: MQTTProperties = MQTTProperties()) {
            self.packetID = packetID
            self.codes = codes
            self.properties = properties
        }
    }

    /// DISCONNECT: in 3.1.1 only the client sends it, with no body; in v5 either side, with a
    /// reason code (0x8E: another connection took the session over) and properties.
    public struct Disconnect: Sendable, Equatable {
        public var code: UInt8
        public var properties: MQTTProperties

        public init(code: UInt8 = 0, properties: MQTTProperties = MQTTProperties()) {
            self.code = code
            self.properties = properties
        }

        public static let normal = Disconnect()
    }

    /// The packet type nibble (§2.2.1 in both versions).
    var typeCode: UInt8 {
        switch self {
        case .connect: 1
        case .connack: 2
        case .publish: 3
        case .puback: 4
        case .subscribe: 8
        case .suback: 9
        case .pingreq: 12
        case .pingresp: 13
        case .disconnect: 14
        }
    }
}

/// A peer sent bytes that are not MQTT of the connection's version: the connection must be closed
/// (3.1.1 §4.8, 5.0 §4.13).
public struct MQTTProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed MQTT packet: \(self.reason)" }
}
