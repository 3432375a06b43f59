import FleetCore
import NIOCore

/// Parses ``MQTTPacket``s from a byte stream, as a SwiftNIO `ByteToMessageDecoder`.
///
/// Strict by design (3.1.1 §4.8, 5.0 §4.13: a malformed packet closes the connection): wrong
/// fixed-header flags, lengths that overrun, packets over ``maximumPacketSize``, undefined
/// properties and unknown types throw ``MQTTProtocolError``; nothing is ever read past the
/// packet's own length.
public struct MQTTDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = MQTTPacket

    /// Largest packet accepted (bytes of remaining length). Telemetry is small; a peer announcing
    /// megabytes is broken or hostile.
    public var maximumPacketSize: Int
    /// The version packets are read in. A server's decoder starts at 3.1.1 and takes the version
    /// of the CONNECT it reads: the client's first packet decides the connection's version.
    public private(set) var version: MQTTVersion

    public init(version: MQTTVersion = .v3_1_1, maximumPacketSize: Int = 256 * 1024) {
        self.version = version
        self.maximumPacketSize = maximumPacketSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let packet = try Self.parse(&buffer, version: self.version, maximumPacketSize: self.maximumPacketSize)
        else {
            return .needMoreData
        }
        if case .connect(let connect) = packet { self.version = connect.version }
        context.fireChannelRead(self.wrapInboundOut(packet))
        return .continue
    }

    /// Parses one packet from the front of `buffer` in `version` (a CONNECT in its own); nil
    /// (nothing consumed) when it is not complete yet.
    public static func parse(
        _ buffer: inout ByteBuffer,
        version: MQTTVersion = .v3_1_1,
        maximumPacketSize: Int = 256 * 1024
    ) throws -> MQTTPacket? {
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
        let packet = try Self.parseBody(type: type, flags: flags, body: &body, v5: version == .v5)
        guard body.readableBytes == 0 || type == 3 else {
            throw MQTTProtocolError("\(body.readableBytes) unexpected trailing bytes in packet type \(type)")
        }
        return packet
    }

    private static func parseBody(type: UInt8, flags: UInt8, body: inout ByteBuffer, v5: Bool) throws -> MQTTPacket {
        func requireFlags(_ expected: UInt8) throws {
            guard flags == expected else { throw MQTTProtocolError("invalid flags \(flags) for packet type \(type)") }
        }
        func packetID() throws -> UInt16 {
            guard let id = body.readInteger(as: UInt16.self) else { throw MQTTProtocolError("truncated packet id") }
            return id
        }
        switch type {
        case 1:
            try requireFlags(0)
            return .connect(try Self.parseConnect(&body))
        case 2:
            try requireFlags(0)
            guard let acknowledge = body.readInteger(as: UInt8.self), let code = body.readInteger(as: UInt8.self) else {
                throw MQTTProtocolError("truncated CONNACK")
            }
            guard acknowledge & 0xFE == 0 else { throw MQTTProtocolError("reserved CONNACK flags set") }
            let properties = v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            return .connack(.init(sessionPresent: acknowledge & 1 == 1, code: code, properties: properties))
        case 3:
            let qos = (flags >> 1) & 0x03
            guard qos < 3 else { throw MQTTProtocolError("PUBLISH with QoS 3") }
            let topic = try Self.readString(&body)
            let id = qos > 0 ? try packetID() : nil
            let properties = v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            let payload = body.readSlice(length: body.readableBytes) ?? ByteBuffer()
            return .publish(
                .init(
                    topic: topic,
                    payload: payload,
                    qos: qos,
                    packetID: id,
                    retain: flags & 1 == 1,
                    properties: properties
                )
            )
        case 4:
            try requireFlags(0)
            var ack = MQTTPacket.PubAck(packetID: try packetID())
            if v5, let code = body.readInteger(as: UInt8.self) {
                ack.code = code
                if body.readableBytes > 0 { ack.properties = try MQTTProperties.read(from: &body) }
            }
            return .puback(ack)
        case 8:
            try requireFlags(2)
            let id = try packetID()
            let properties = v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            var filters: [MQTTPacket.Subscribe.Filter] = []
            while body.readableBytes > 0 {
                let topic = try Self.readString(&body)
                guard let options = body.readInteger(as: UInt8.self) else {
                    throw MQTTProtocolError("truncated SUBSCRIBE")
                }
                guard options & (v5 ? 0xC0 : 0xFC) == 0, options & 0x03 != 3 else {
                    throw MQTTProtocolError("invalid subscription options \(options)")
                }
                filters.append(.init(topic: topic, options: options))
            }
            guard !filters.isEmpty else { throw MQTTProtocolError("SUBSCRIBE without a topic filter") }
            return .subscribe(.init(packetID: id, filters: filters, properties: properties))
        case 9:
            try requireFlags(0)
            let id = try packetID()
            let properties = v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
            let codes = body.readBytes(length: body.readableBytes) ?? []
            guard !codes.isEmpty else { throw MQTTProtocolError("SUBACK without a code") }
            return .suback(.init(packetID: id, codes: codes, properties: properties))
        case 12:
            try requireFlags(0)
            return .pingreq
        case 13:
            try requireFlags(0)
            return .pingresp
        case 14:
            try requireFlags(0)
            var disconnect = MQTTPacket.Disconnect()
            if v5, let code = body.readInteger(as: UInt8.self) {
                disconnect.code = code
                if body.readableBytes > 0 { disconnect.properties = try MQTTProperties.read(from: &body) }
            }
            return .disconnect(disconnect)
        default:
            throw MQTTProtocolError("unsupported packet type \(type)")
        }
    }

    private static func parseConnect(_ body: inout ByteBuffer) throws -> MQTTPacket.Connect {
        guard try Self.readString(&body) == "MQTT" else { throw MQTTProtocolError("protocol name is not MQTT") }
        guard let level = body.readInteger(as: UInt8.self), let connectFlags = body.readInteger(as: UInt8.self),
            let keepAlive = body.readInteger(as: UInt16.self)
        else { throw MQTTProtocolError("truncated CONNECT") }
        guard let version = MQTTVersion(level: level) else {
            throw MQTTProtocolError("protocol level \(level), neither 4 (3.1.1) nor 5")
        }
        guard connectFlags & 0x01 == 0 else { throw MQTTProtocolError("reserved CONNECT flag set") }
        let properties = version == .v5 ? try MQTTProperties.read(from: &body) : MQTTProperties()
        let clientID = try Self.readString(&body)
        if connectFlags & 0x04 != 0 {  // will (v5: its properties), topic and message: read and drop
            if version == .v5 { _ = try MQTTProperties.read(from: &body) }
            _ = try Self.readString(&body)
            _ = try Self.readBinary(&body)
        }
        let username = connectFlags & 0x80 != 0 ? try Self.readString(&body) : nil
        let password = connectFlags & 0x40 != 0 ? try Self.readBinary(&body) : nil
        return .init(
            version: version,
            clientID: clientID,
            keepAliveSeconds: keepAlive,
            cleanSession: connectFlags & 0x02 != 0,
            username: username,
            password: password,
            properties: properties
        )
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

    /// A variable byte integer (5.0 §1.5.5), at most four bytes.
    static func readVariableInteger(_ body: inout ByteBuffer) throws -> Int {
        var value = 0
        var multiplier = 1
        for _ in 0..<4 {
            guard let byte = body.readInteger(as: UInt8.self) else { throw MQTTProtocolError("truncated integer") }
            value += Int(byte & 0x7F) * multiplier
            if byte & 0x80 == 0 { return value }
            multiplier *= 128
        }
        throw MQTTProtocolError("variable integer longer than 4 bytes")
    }
}

/// Encodes ``MQTTPacket``s on the way out, as a SwiftNIO `MessageToByteEncoder`, in one version.
public struct MQTTPacketEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = MQTTPacket
    public let version: MQTTVersion
    public init(version: MQTTVersion = .v3_1_1) { self.version = version }
    public func encode(data: MQTTPacket, out: inout ByteBuffer) throws {
        MQTTEncoder.encode(data, version: self.version, into: &out)
    }
}
