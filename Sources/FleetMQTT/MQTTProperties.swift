import NIOCore

/// MQTT 5 properties (MQTT 5.0 §2.2.2): the ones a device and a test backend act on are kept;
/// every other property defined by the specification is read and skipped, and an undefined one
/// is a malformed packet.
public struct MQTTProperties: Sendable, Equatable {
    /// 0x11, CONNECT and CONNACK: seconds the broker keeps the session after a disconnect.
    public var sessionExpiryInterval: UInt32?
    /// 0x21, CONNECT and CONNACK: QoS 1 publishes the sender accepts unacknowledged at once.
    public var receiveMaximum: UInt16?
    /// 0x27, CONNECT and CONNACK: the largest packet the sender accepts.
    public var maximumPacketSize: UInt32?
    /// 0x12, CONNACK: the client id the broker chose for an empty one.
    public var assignedClientIdentifier: String?
    /// 0x13, CONNACK: the keep-alive the broker wants instead of the device's.
    public var serverKeepAlive: UInt16?
    /// 0x24, CONNACK: the highest QoS the broker accepts.
    public var maximumQoS: UInt8?
    /// 0x1C, CONNACK and DISCONNECT: where to connect instead (use-another-server, server-moved).
    public var serverReference: String?
    /// 0x1F: the human-readable reason of a refusal or a disconnect; reports quote it.
    public var reasonString: String?

    public init(
        sessionExpiryInterval: UInt32? = nil,
        receiveMaximum: UInt16? = nil,
        maximumPacketSize: UInt32? = nil,
        assignedClientIdentifier: String? = nil,
        serverKeepAlive: UInt16? = nil,
        maximumQoS: UInt8? = nil,
        serverReference: String? = nil,
        reasonString: String? = nil
    ) {
        self.sessionExpiryInterval = sessionExpiryInterval
        self.receiveMaximum = receiveMaximum
        self.maximumPacketSize = maximumPacketSize
        self.assignedClientIdentifier = assignedClientIdentifier
        self.serverKeepAlive = serverKeepAlive
        self.maximumQoS = maximumQoS
        self.serverReference = serverReference
        self.reasonString = reasonString
    }

    public var isEmpty: Bool { self == MQTTProperties() }

    /// Writes the property length and the properties.
    func write(into buffer: inout ByteBuffer) {
        var body = ByteBuffer()
        func id(_ value: UInt8) { body.writeInteger(value) }
        if let v = self.sessionExpiryInterval {
            id(0x11)
            body.writeInteger(v)
        }
        if let v = self.assignedClientIdentifier {
            id(0x12)
            MQTTEncoder.writeString(v, into: &body)
        }
        if let v = self.serverKeepAlive {
            id(0x13)
            body.writeInteger(v)
        }
        if let v = self.serverReference {
            id(0x1C)
            MQTTEncoder.writeString(v, into: &body)
        }
        if let v = self.reasonString {
            id(0x1F)
            MQTTEncoder.writeString(v, into: &body)
        }
        if let v = self.receiveMaximum {
            id(0x21)
            body.writeInteger(v)
        }
        if let v = self.maximumQoS {
            id(0x24)
            body.writeInteger(v)
        }
        if let v = self.maximumPacketSize {
            id(0x27)
            body.writeInteger(v)
        }
        MQTTEncoder.writeRemainingLength(body.readableBytes, into: &buffer)
        buffer.writeBuffer(&body)
    }

    /// Reads a property length and that many bytes of properties.
    static func read(from buffer: inout ByteBuffer) throws -> MQTTProperties {
        let length = try MQTTDecoder.readVariableInteger(&buffer)
        guard var body = buffer.readSlice(length: length) else { throw MQTTProtocolError("truncated properties") }
        var properties = MQTTProperties()
        while body.readableBytes > 0 {
            let id = try MQTTDecoder.readVariableInteger(&body)
            func byte() throws -> UInt8 {
                guard let v = body.readInteger(as: UInt8.self) else { throw MQTTProtocolError("truncated property") }
                return v
            }
            func u16() throws -> UInt16 {
                guard let v = body.readInteger(as: UInt16.self) else { throw MQTTProtocolError("truncated property") }
                return v
            }
            func u32() throws -> UInt32 {
                guard let v = body.readInteger(as: UInt32.self) else { throw MQTTProtocolError("truncated property") }
                return v
            }
            switch id {
            case 0x11: properties.sessionExpiryInterval = try u32()
            case 0x12: properties.assignedClientIdentifier = try MQTTDecoder.readString(&body)
            case 0x13: properties.serverKeepAlive = try u16()
            case 0x1C: properties.serverReference = try MQTTDecoder.readString(&body)
            case 0x1F: properties.reasonString = try MQTTDecoder.readString(&body)
            case 0x21: properties.receiveMaximum = try u16()
            case 0x24: properties.maximumQoS = try byte()
            case 0x27: properties.maximumPacketSize = try u32()
            // Defined, not acted on: read and skip.
            case 0x01, 0x17, 0x19, 0x25, 0x28, 0x29, 0x2A: _ = try byte()
            case 0x22, 0x23: _ = try u16()
            case 0x02, 0x18: _ = try u32()
            case 0x0B: _ = try MQTTDecoder.readVariableInteger(&body)
            case 0x03, 0x08, 0x15, 0x1A: _ = try MQTTDecoder.readString(&body)
            case 0x09, 0x16: _ = try MQTTDecoder.readBinary(&body)
            case 0x26:
                _ = try MQTTDecoder.readString(&body)
                _ = try MQTTDecoder.readString(&body)
            default: throw MQTTProtocolError("undefined property 0x\(String(id, radix: 16))")
            }
        }
        return properties
    }
}
