import FleetMQTT
import NIOCore
import Testing

@Suite struct MQTTCodecTests {
    static let packets: [MQTTPacket] = [
        .connect(.init(clientID: "tcu-00001", keepAliveSeconds: 30)),
        .connect(
            .init(clientID: "meter-7", keepAliveSeconds: 0, cleanSession: false, username: "u", password: [1, 2])
        ),
        .connack(.init(code: 0)),
        .connack(.init(sessionPresent: true, code: 5)),
        .publish(.init(topic: "telemetry/tcu-00001", payload: ByteBuffer(string: "{\"speed\":88}"))),
        .publish(.init(topic: "t", payload: ByteBuffer(repeating: 7, count: 300), qos: 1, packetID: 42)),
        .puback(.init(packetID: 42)),
        .pingreq, .pingresp, .disconnect(.normal),
    ]

    @Test(arguments: Self.packets)
    func roundTrips(packet: MQTTPacket) throws {
        var buffer = ByteBuffer()
        MQTTEncoder.encode(packet, into: &buffer)
        #expect(try MQTTDecoder.parse(&buffer) == packet)
        #expect(buffer.readableBytes == 0)
    }

    @Test func knownBytesFromTheSpec() throws {
        var buffer = ByteBuffer()
        MQTTEncoder.encode(.pingreq, into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0xC0, 0x00])
        buffer.clear()
        MQTTEncoder.encode(.connack(.init(code: 0)), into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0x20, 0x02, 0x00, 0x00])
        buffer.clear()
        MQTTEncoder.encode(.connect(.init(clientID: "a", keepAliveSeconds: 60)), into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0x10, 13, 0, 4, 77, 81, 84, 84, 4, 0x02, 0, 60, 0, 1, 97])
    }

    @Test func incompletePacketsWaitForMoreBytes() throws {
        var whole = ByteBuffer()
        MQTTEncoder.encode(.publish(.init(topic: "t", payload: ByteBuffer(repeating: 1, count: 200))), into: &whole)
        for cut in [0, 1, 2, 3, whole.readableBytes - 1] {
            var partial = whole.getSlice(at: 0, length: cut)!
            #expect(try MQTTDecoder.parse(&partial) == nil)
            #expect(partial.readableBytes == cut)  // nothing consumed
        }
    }

    @Test(arguments: [
        [UInt8]([0x00, 0x00]),  // type 0
        [0xF0, 0x00],  // type 15
        [0xC1, 0x00],  // PINGREQ with flags
        [0x20, 0x01, 0x00],  // truncated CONNACK body
        [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // 5-byte remaining length
        [0x36, 0x03, 0x00, 0x01, 0x61],  // QoS 3
        [0x10, 0x06, 0x00, 0x04, 0x4D, 0x51, 0x49, 0x73],  // protocol name "MQIs"
    ])
    func malformedPacketsThrow(bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: MQTTProtocolError.self) { try MQTTDecoder.parse(&buffer) }
    }

    @Test func oversizedPacketsAreRefusedBeforeTheyArrive() {
        var buffer = ByteBuffer(bytes: [0x30, 0x80, 0x80, 0x40])  // announces 1 MiB
        #expect(throws: MQTTProtocolError.self) { try MQTTDecoder.parse(&buffer, maximumPacketSize: 65536) }
    }
}
