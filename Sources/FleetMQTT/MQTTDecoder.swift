import NIOCore

/// Parses ``MQTTPacket``s from a byte stream, as a SwiftNIO `ByteToMessageDecoder`.
///
/// Strict by design (§4.8: a malformed packet closes the connection): wrong fixed-header flags,
/// lengths that overrun, packets over ``maximumPacketSize`` and unknown types throw
/// ``MQTTProtocolError``; nothing is ever read past the packet's own length.
public struct MQTTDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = MQTTPacket

    /// Largest packet accepted (bytes of remaining length). Telemetry is small; a peer announcing
    /// megabytes is broken or hostile.
    public var maximumPacketSize: Int

    public init(maximumPacketSize: Int = 256 * 1024) {
        self.maximumPacketSize = maximumPacketSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let packet = try Self.parse(&buffer, maximumPacketSize: self.maximumPacketSize) else {
            return .needMoreData
        }
        context.fireChannelRead(self.wrapInboundOut(packet))
        return .continue
    }

    /// Parses one packet from the front of `buffer`; nil (nothing consumed) when it is not complete yet.
    public static func parse(_ buffer: inout ByteBuffer, maximumPacketSize: Int = 256 * 1024) throws -> MQTTPacket? {
        var view = buffer
        guard let first = view.readInteger(as: UInt8.self) else { return nil }
        var length = 0
        var multiplier = 1
        var lengthBytes = 0
        while true {
            guard let byte = view.readInteger(as: UInt8.self) else { return nil }
            lengthBytes += 1
            length += Int(byte & 0x7F) * multiplier
            if byte & 0x80 == 0 { break }
            multiplier *= 128
            if lengthBytes == 4 { throw MQTTProtocolError("remaining length longer than 4 bytes") }
        }
        guard length <= maximumPacketSize else {
            throw MQTTProtocolError("packet of \(length) bytes exceeds the limit of \(maximumPacketSize)")
        }
        guard var body = view.readSlice(length: length) else { return nil }
        buffer = view
        let type = first >> 4
        let flags = first & 0x0F
        let packet = try Self.parseBody(type: type, flags: flags, body: &body)
        guard body.readableBytes == 0 || type == 3 else {
            throw MQTTProtocolError("\(body.readableBytes) unexpected trailing bytes in packet type \(type)")
        }
        return packet
    }

    private static func parseBody(type: UInt8, flags: UInt8, body: inout ByteBuffer) throws -> MQTTPacket {
        func requireFlags(_ expected: UInt8) throws {
            guard flags == expected else { throw MQTTProtocolError("invalid flags \(flags) for packet type \(type)") }
        }
        switch type {
        case 1:
            try requireFlags(0)
            guard try Self.readString(&body) == "MQTT" else { throw MQTTProtocolError("protocol name is not MQTT") }
            guard let level = body.readInteger(as: UInt8.self), let connectFlags = body.readInteger(as: UInt8.self),
                let keepAlive = body.readInteger(as: UInt16.self)
            else { throw MQTTProtocolError("truncated CONNECT") }
            guard level == 4 else { throw MQTTProtocolError("protocol level \(level), not 4 (3.1.1)") }
            guard connectFlags & 0x01 == 0 else { throw MQTTProtocolError("reserved CONNECT flag set") }
            let clientID = try Self.readString(&body)
            if connectFlags & 0x04 != 0 {  // will topic + message: read and drop
                _ = try Self.readString(&body)
                _ = try Self.readBinary(&body)
            }
            let username = connectFlags & 0x80 != 0 ? try Self.readString(&body) : nil
            let password = connectFlags & 0x40 != 0 ? try Self.readBinary(&body) : nil
            return .connect(
                .init(
                    clientID: clientID,
                    keepAliveSeconds: keepAlive,
                    cleanSession: connectFlags & 0x02 != 0,
                    username: username,
                    password: password
                )
            )
        case 2:
            try requireFlags(0)
            guard let acknowledge = body.readInteger(as: UInt8.self), let code = body.readInteger(as: UInt8.self) else {
                throw MQTTProtocolError("truncated CONNACK")
            }
            return .connack(sessionPresent: acknowledge & 1 == 1, returnCode: code)
        case 3:
            let qos = (flags >> 1) & 0x03
            guard qos < 3 else { throw MQTTProtocolError("PUBLISH with QoS 3") }
            let topic = try Self.readString(&body)
            var packetID: UInt16?
            if qos > 0 {
                guard let id = body.readInteger(as: UInt16.self) else { throw MQTTProtocolError("truncated PUBLISH") }
                packetID = id
            }
            let payload = body.readSlice(length: body.readableBytes) ?? ByteBuffer()
            return .publish(.init(topic: topic, payload: payload, qos: qos, packetID: packetID, retain: flags & 1 == 1))
        case 4:
            try requireFlags(0)
            guard let id = body.readInteger(as: UInt16.self) else { throw MQTTProtocolError("truncated PUBACK") }
            return .puback(packetID: id)
        case 12:
            try requireFlags(0)
            return .pingreq
        case 13:
            try requireFlags(0)
            return .pingresp
        case 14:
            try requireFlags(0)
            return .disconnect
        default:
            throw MQTTProtocolError("unsupported packet type \(type)")
        }
    }

    static func readString(_ body: inout ByteBuffer) throws -> String {
        guard let length = body.readInteger(as: UInt16.self), let string = body.readString(length: Int(length)) else {
            throw MQTTProtocolError("truncated string")
        }
        return string
    }

    static func readBinary(_ body: inout ByteBuffer) throws -> [UInt8] {
        guard let length = body.readInteger(as: UInt16.self), let bytes = body.readBytes(length: Int(length)) else {
            throw MQTTProtocolError("truncated binary field")
        }
        return bytes
    }
}

/// Encodes ``MQTTPacket``s on the way out, as a SwiftNIO `MessageToByteEncoder`.
public struct MQTTPacketEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = MQTTPacket
    public init() {}
    public func encode(data: MQTTPacket, out: inout ByteBuffer) throws {
        MQTTEncoder.encode(data, into: &out)
    }
}
