import FleetCore
import FleetMQTT
import NIOCore
import Testing

/// What a connected device may send, and what the backend does with packets out of place: QoS 1
/// publishes acknowledged, QoS 0 not; a packet before CONNECT is a protocol error; after the
/// verdict, a violation closes the connection without a second record.
@Suite struct MQTTSessionTests {
    static func publish(qos: UInt8, packetID: UInt16? = nil) -> MQTTPacket {
        .publish(
            .init(
                topic: "vehicles/tcu-0042/telemetry",
                payload: ByteBuffer(string: "{\"speed\":88}"),
                qos: qos,
                packetID: packetID
            )
        )
    }

    static func connected() throws -> SessionHarness {
        let session = try SessionHarness(.mqtt)
        session.admit("tcu-0042")
        try session.send(.connect(.init(clientID: "tcu-0042")))
        _ = try session.sent()
        return session
    }

    @Test func qos1IsAcknowledgedWithItsPacketIDAndQoS0IsNot() throws {
        let session = try Self.connected()
        try session.send(Self.publish(qos: 1, packetID: 7))
        #expect(try session.sent() == [.puback(.init(packetID: 7))])
        try session.send(Self.publish(qos: 0))
        #expect(try session.sent().isEmpty)
        #expect(session.isOpen)
    }

    @Test func disconnectClosesWithoutASecondRecord() throws {
        let session = try Self.connected()
        try session.send(.disconnect(.normal))
        #expect(!session.isOpen)
        #expect(session.audit.map(\.verdict) == ["accepted"])
    }

    @Test(arguments: [Self.publish(qos: 1, packetID: 1), .pingreq])
    func aPacketBeforeConnectIsAProtocolError(packet: MQTTPacket) throws {
        let session = try SessionHarness(.mqtt)
        session.admit("tcu-0042")
        try session.send(packet)
        #expect(try session.sent().isEmpty)
        let record = try #require(session.audit.first)
        #expect(record.verdict == "rejected")
        #expect(record.outcome == Outcome.protocolError.identifier)
        #expect(!session.isOpen)
    }

    @Test(arguments: [
        MQTTPacket.connect(.init(clientID: "tcu-0042")), .connack(.init(code: 0)),
        .puback(.init(packetID: 3)), .pingresp,
    ])
    func aViolationAfterTheVerdictClosesWithoutASecondRecord(packet: MQTTPacket) throws {
        let session = try Self.connected()
        try session.send(packet)
        #expect(try session.sent().isEmpty)
        #expect(!session.isOpen)
        #expect(session.audit.map(\.verdict) == ["accepted"])
    }
}
