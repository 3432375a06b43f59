import NIOCore

/// Serializes ``MQTTPacket``s (MQTT 3.1.1 §2–3).
public enum MQTTEncoder {
    public static func encode(_ packet: MQTTPacket, into buffer: inout ByteBuffer) {
        var body = ByteBuffer()
        var flags: UInt8 = 0
        switch packet {
        case .connect(let connect):
            Self.writeString("MQTT", into: &body)
            body.writeInteger(UInt8(4))  // protocol level 3.1.1
            var connectFlags: UInt8 = connect.cleanSession ? 0x02 : 0
            if connect.username != nil { connectFlags |= 0x80 }
            if connect.password != nil { connectFlags |= 0x40 }
            body.writeInteger(connectFlags)
            body.writeInteger(connect.keepAliveSeconds)
            Self.writeString(connect.clientID, into: &body)
            if let username = connect.username { Self.writeString(username, into: &body) }
            if let password = connect.password {
                body.writeInteger(UInt16(password.count))
                body.writeBytes(password)
            }
        case .connack(let sessionPresent, let returnCode):
            body.writeInteger(UInt8(sessionPresent ? 1 : 0))
            body.writeInteger(returnCode)
        case .publish(let publish):
            flags = (publish.qos << 1) | (publish.retain ? 1 : 0)
            Self.writeString(publish.topic, into: &body)
            if publish.qos > 0 { body.writeInteger(publish.packetID ?? 1) }
            var payload = publish.payload
            body.writeBuffer(&payload)
        case .puback(let packetID):
            body.writeInteger(packetID)
        case .pingreq, .pingresp, .disconnect:
            break
        }
        buffer.writeInteger(packet.typeCode << 4 | flags)
        Self.writeRemainingLength(body.readableBytes, into: &buffer)
        buffer.writeBuffer(&body)
    }

    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(string.utf8.count))
        buffer.writeString(string)
    }

    /// Variable-length "remaining length" (§2.2.3): 7 bits per byte, high bit = more.
    static func writeRemainingLength(_ length: Int, into buffer: inout ByteBuffer) {
        var value = length
        repeat {
            var byte = UInt8(value % 128)
            value /= 128
            if value > 0 { byte |= 0x80 }
            buffer.writeInteger(byte)
        } while value > 0
    }
}
