import FleetCore
import FleetMQTT
import NIOCore
import Testing

/// MQTT 5 packets: byte vectors worked out from the OASIS MQTT 5.0 specification (§3.x), round
/// trips, and what only one version carries.
@Suite struct MQTT5CodecTests {
    static func encode(_ packet: MQTTPacket, _ version: MQTTVersion = .v5) -> [UInt8] {
        var buffer = ByteBuffer()
        MQTTEncoder.encode(packet, version: version, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func decode(_ bytes: [UInt8], _ version: MQTTVersion = .v5) throws -> MQTTPacket? {
        var buffer = ByteBuffer(bytes: bytes)
        let packet = try MQTTDecoder.parse(&buffer, version: version)
        #expect(buffer.readableBytes == 0)
        return packet
    }

    @Test func connectWithPropertiesUserNameAndPassword() throws {
        let connect = MQTTPacket.connect(
            .init(
                version: .v5,
                clientID: "a",
                keepAliveSeconds: 60,
                username: "u",
                password: [0x70],
                properties: .init(sessionExpiryInterval: 30, receiveMaximum: 10)
            )
        )
        let bytes: [UInt8] = [
            0x10, 28,
            0, 4, 0x4D, 0x51, 0x54, 0x54,  // "MQTT"
            5,  // protocol level 5
            0xC2,  // user name, password, clean start
            0, 60,  // keep-alive
            8, 0x11, 0, 0, 0, 30, 0x21, 0, 10,  // properties: session expiry 30, receive maximum 10
            0, 1, 0x61,  // client id "a"
            0, 1, 0x75,  // user name "u"
            0, 1, 0x70,  // password "p"
        ]
        #expect(Self.encode(connect) == bytes)
        // A CONNECT is read in its own version, whatever the decoder was told.
        #expect(try Self.decode(bytes, .v3_1_1) == connect)
    }

    @Test func connackRefusalWithReasonString() throws {
        let bytes: [UInt8] = [0x20, 8, 0x00, 0x87, 5, 0x1F, 0, 2, 0x6E, 0x6F]  // not authorized, "no"
        let connack = MQTTPacket.connack(.init(code: 0x87, properties: .init(reasonString: "no")))
        #expect(try Self.decode(bytes) == connack)
        #expect(Self.encode(connack) == bytes)
        #expect(MQTTRefusal(code: 0x87, version: .v5) == .notAuthorized)
        #expect(MQTTRefusal(code: 5, version: .v3_1_1) == .notAuthorized)
        #expect(MQTTRefusal(code: 0x85, version: .v5) == .identifierRejected)
        #expect(MQTTRefusal(code: 0x8C, version: .v5) == .badAuthenticationMethod)
        #expect(MQTTRefusal(code: 0x87, version: .v3_1_1) == nil)
        #expect(MQTTRefusal(code: 5, version: .v5) == nil)
    }

    @Test func pubackReasonCodeIsOptionalOnTheWire() throws {
        #expect(try Self.decode([0x40, 2, 0, 7]) == .puback(.init(packetID: 7)))
        #expect(try Self.decode([0x40, 3, 0, 7, 0x87]) == .puback(.init(packetID: 7, code: 0x87)))
        #expect(try Self.decode([0x40, 4, 0, 7, 0x10, 0]) == .puback(.init(packetID: 7, code: 0x10)))
        #expect(Self.encode(.puback(.init(packetID: 7))) == [0x40, 2, 0, 7])
        #expect(Self.encode(.puback(.init(packetID: 7, code: 0x87))) == [0x40, 3, 0, 7, 0x87])
        // 3.1.1 has no reason code: three bytes are malformed.
        #expect(throws: MQTTProtocolError.self) { try Self.decode([0x40, 3, 0, 7, 0x87], .v3_1_1) }
    }

    @Test func subscribeAndSuback() throws {
        let subscribe = MQTTPacket.subscribe(.init(packetID: 1, filters: [.init(topic: "c/#", qos: 1)]))
        #expect(Self.encode(subscribe) == [0x82, 9, 0, 1, 0, 0, 3, 0x63, 0x2F, 0x23, 1])
        #expect(Self.encode(subscribe, .v3_1_1) == [0x82, 8, 0, 1, 0, 3, 0x63, 0x2F, 0x23, 1])
        #expect(try Self.decode([0x90, 4, 0, 1, 0, 0x87]) == .suback(.init(packetID: 1, codes: [0x87])))
        #expect(try Self.decode([0x90, 3, 0, 1, 0x80], .v3_1_1) == .suback(.init(packetID: 1, codes: [0x80])))
        #expect(MQTTReasonCode.subackName(0x87) == "not-authorized")
        #expect(MQTTReasonCode.subackName(1) == "granted-qos-1")
    }

    @Test func serverDisconnectWithReason() throws {
        #expect(try Self.decode([0xE0, 0]) == .disconnect(.normal))
        #expect(try Self.decode([0xE0, 1, 0x8E]) == .disconnect(.init(code: 0x8E)))
        #expect(Self.encode(.disconnect(.init(code: 0x8E))) == [0xE0, 1, 0x8E])
        #expect(Self.encode(.disconnect(.init(code: 0x8E)), .v3_1_1) == [0xE0, 0])
        #expect(MQTTReasonCode.name(0x8E) == "session-taken-over")
    }

    @Test func publishCarriesAPropertyLength() throws {
        let publish = MQTTPacket.publish(.init(topic: "t", payload: ByteBuffer(bytes: [9]), qos: 1, packetID: 3))
        #expect(Self.encode(publish) == [0x32, 7, 0, 1, 0x74, 0, 3, 0, 9])
        #expect(Self.encode(publish, .v3_1_1) == [0x32, 6, 0, 1, 0x74, 0, 3, 9])
        // Properties a device does not act on (topic alias 0x23, user property 0x26) are skipped.
        let withProperties: [UInt8] = [0x30, 15, 0, 1, 0x74, 10, 0x23, 0, 1, 0x26, 0, 1, 0x6B, 0, 1, 0x76, 9]
        #expect(try Self.decode(withProperties) == .publish(.init(topic: "t", payload: ByteBuffer(bytes: [9]))))
    }

    @Test(arguments: [
        [UInt8]([0x20, 3, 0, 0x87, 1]),  // property length overruns
        [0x20, 4, 0, 0, 1, 0x7F],  // undefined property 0x7F
        [0x20, 5, 0, 0, 2, 0x21, 0],  // truncated receive maximum
        [0x82, 3, 0, 1, 0],  // SUBSCRIBE without a filter
        [0x82, 7, 0, 1, 0, 0, 1, 0x74, 0xC1],  // reserved subscription option bits
        [0x90, 3, 0, 1, 0],  // SUBACK without a code
        [0x10, 10, 0, 4, 0x4D, 0x51, 0x54, 0x54, 6, 2, 0, 0],  // protocol level 6
    ])
    func malformedV5PacketsThrow(bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: MQTTProtocolError.self) { try MQTTDecoder.parse(&buffer, version: .v5) }
    }

    static let packets: [MQTTPacket] = [
        .connect(.init(version: .v5, clientID: "tcu-1", properties: .init(sessionExpiryInterval: 0))),
        .connack(.init(code: 0, properties: .init(assignedClientIdentifier: "x", serverKeepAlive: 30, maximumQoS: 1))),
        .connack(.init(code: 0x86, properties: .init(reasonString: "bad password"))),
        .publish(.init(topic: "devices/1/messages/events/", payload: ByteBuffer(string: "{}"), qos: 1, packetID: 9)),
        .puback(.init(packetID: 9, code: 0x87, properties: .init(reasonString: "acl"))),
        .subscribe(.init(packetID: 2, filters: [.init(topic: "a", qos: 0), .init(topic: "b/+", qos: 1)])),
        .suback(.init(packetID: 2, codes: [0, 0x87])),
        .disconnect(.init(code: 0x9C, properties: .init(serverReference: "other.example"))),
    ]

    @Test(arguments: Self.packets)
    func roundTrips(packet: MQTTPacket) throws {
        #expect(try Self.decode(Self.encode(packet)) == packet)
    }
}
