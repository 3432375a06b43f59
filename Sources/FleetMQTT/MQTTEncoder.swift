import FleetCore
import NIOCore

/// Serializes ``MQTTPacket``s in MQTT 3.1.1 (§2–3) or MQTT 5.0 (§2–3).
public enum MQTTEncoder {
    /// Encodes `packet` as `version` speaks it; a CONNECT is always encoded in its own version.
    /// In 3.1.1 what only v5 carries (properties, reason codes of PUBACK and DISCONNECT) is left out.
    public static func encode(_ packet: MQTTPacket, version: MQTTVersion = .v3_1_1, into buffer: inout ByteBuffer) {
        var body = ByteBuffer()
        var flags: UInt8 = 0
        let v5 = version == .v5
        switch packet {
        case .connect(let connect):
            Self.writeString("MQTT", into: &body)
            body.writeInteger(connect.version.level)
            var connectFlags: UInt8 = connect.cleanSession ? 0x02 : 0
            if connect.username != nil { connectFlags |= 0x80 }
            if connect.password != nil { connectFlags |= 0x40 }
            body.writeInteger(connectFlags)
            body.writeInteger(connect.keepAliveSeconds)
            if connect.version == .v5 { connect.properties.write(into: &body) }
            Self.writeString(connect.clientID, into: &body)
            if let username = connect.username { Self.writeString(username, into: &body) }
            if let password = connect.password {
                body.writeInteger(UInt16(clamping: password.count))
                body.writeBytes(password.prefix(Int(UInt16.max)))
            }
        case .connack(let connack):
            body.writeInteger(UInt8(connack.sessionPresent ? 1 : 0))
            body.writeInteger(connack.code)
            if v5 { connack.properties.write(into: &body) }
        case .publish(let publish):
            flags = (publish.qos << 1) | (publish.retain ? 1 : 0)
            Self.writeString(publish.topic, into: &body)
            if publish.qos > 0 { body.writeInteger(publish.packetID ?? 1) }
            if v5 { publish.properties.write(into: &body) }
            var payload = publish.payload
            body.writeBuffer(&payload)
        case .puback(let ack):
            body.writeInteger(ack.packetID)
            if v5 && (ack.code != 0 || !ack.properties.isEmpty) {
                body.writeInteger(ack.code)
                if !ack.properties.isEmpty { ack.properties.write(into: &body) }
            }
        case .subscribe(let subscribe):
            flags = 0x02
            body.writeInteger(subscribe.packetID)
            if v5 { subscribe.properties.write(into: &body) }
            for filter in subscribe.filters {
                Self.writeString(filter.topic, into: &body)
                body.writeInteger(v5 ? filter.options : filter.qos)
            }
        case .suback(let ack):
            body.writeInteger(ack.packetID)
            if v5 { ack.properties.write(into: &body) }
            body.writeBytes(ack.codes)
        case .disconnect(let disconnect):
            if v5 && (disconnect.code != 0 || !disconnect.properties.isEmpty) {
                body.writeInteger(disconnect.code)
                if !disconnect.properties.isEmpty { disconnect.properties.write(into: &body) }
            }
        case .pingreq, .pingresp:
            break
        }
        buffer.writeInteger(packet.typeCode << 4 | flags)
        Self.writeRemainingLength(body.readableBytes, into: &buffer)
        buffer.writeBuffer(&body)
    }

    /// A UTF-8 string with its 16-bit length; strings are bounded where they are made (templates,
    /// flags), and one over 65,535 bytes is cut rather than written with a wrong length.
    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        let bytes = string.utf8.prefix(Int(UInt16.max))
        buffer.writeInteger(UInt16(bytes.count))
        buffer.writeBytes(bytes)
    }

    /// Variable-length integer (3.1.1 §2.2.3, 5.0 §1.5.5): 7 bits per byte, high bit = more.
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
