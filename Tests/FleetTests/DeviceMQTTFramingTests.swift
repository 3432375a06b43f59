import FleetCore
import FleetMQTT
import NIOCore
import Testing

@testable import Fleet

/// The device's own MQTT framing (#18): packets across reads, whole packets left while the device
/// handles one, a cut packet at the end, and nothing read after a malformed one.
@Suite struct DeviceMQTTFramingTests {
    static func bytes(_ values: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: values)
    }

    static let connack: [UInt8] = [0x20, 2, 0, 0]
    static let pingresp: [UInt8] = [0xD0, 0]

    @Test func packetsComeWholeWhateverTheReadsCutThem() throws {
        var framing = DeviceMQTTFraming(version: .v3_1_1)
        framing.append(Self.bytes([0x20]))
        #expect(try framing.next() == nil)
        #expect(framing.leftover?.readableBytes == 1)  // the connection ending now would cut a packet
        framing.append(Self.bytes([2, 0, 0] + Self.pingresp + [0xD0]))
        #expect(try framing.next() == .connack(.init(code: 0)))
        // The device may close while handling the CONNACK: a whole packet waiting is not cut.
        #expect(framing.leftover == nil)
        #expect(try framing.next() == .pingresp)
        #expect(try framing.next() == nil)
        #expect(framing.leftover?.readableBytes == 1)
        framing.append(Self.bytes([0]))
        #expect(try framing.next() == .pingresp)
        #expect(try framing.next() == nil)
        #expect(framing.leftover == nil)
    }

    @Test func nothingIsReadAfterAMalformedPacket() throws {
        var framing = DeviceMQTTFraming(version: .v3_1_1)
        framing.append(Self.bytes([0x21, 2, 0, 0] + Self.connack))  // CONNACK's flags must be 0
        #expect(throws: MQTTProtocolError.self) { try framing.next() }
        #expect(framing.malformed)
        #expect(try framing.next() == nil)
        framing.append(Self.bytes(Self.connack))
        #expect(try framing.next() == nil)
        #expect(framing.leftover == nil)  // already reported as malformed
    }

    @Test func aPacketAnnouncedOverTheLimitIsMalformedBeforeItArrives() throws {
        var framing = DeviceMQTTFraming(version: .v5)
        framing.append(Self.bytes([0x30, 0xFF, 0xFF, 0xFF, 0x7F]))  // PUBLISH of 256 MB announced
        #expect(throws: MQTTProtocolError.self) { try framing.next() }
    }

    @Test func encodingIsTheEncodersInTheDevicesVersion() throws {
        for version in MQTTVersion.allCases {
            let packet = MQTTPacket.disconnect(.normal)
            var expected = ByteBuffer()
            MQTTEncoder.encode(packet, version: version, into: &expected)
            var encoded = DeviceMQTTFraming.encode(packet, version: version, allocator: ByteBufferAllocator())
            #expect(encoded == expected)
            #expect(try MQTTDecoder.parse(&encoded, version: version) == packet)
        }
    }
}
