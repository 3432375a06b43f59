import FleetMQTT
import NIOCore
import Testing

/// MQTT 3.1.1 §3.1.2.10: a connected device that sends nothing for 1.5 × its keep-alive is
/// disconnected; any packet starts the interval again; keep-alive 0 turns the check off.
@Suite struct KeepAliveTests {
    /// A connected device with `keepAlive` seconds (10 s: it is closed after 15 s of silence).
    static func connected(keepAlive: UInt16) throws -> SessionHarness {
        let session = try SessionHarness(.mqtt)
        session.admit("tcu-0042")
        try session.send(.connect(.init(clientID: "tcu-0042", keepAliveSeconds: keepAlive)))
        _ = try session.sent()
        return session
    }

    @Test func silenceForOneAndAHalfIntervalsDisconnects() throws {
        let session = try Self.connected(keepAlive: 10)
        session.advance(.milliseconds(14_999))
        #expect(session.isOpen)
        session.advance(.milliseconds(1))
        #expect(!session.isOpen)
        #expect(session.audit.map(\.verdict) == ["accepted"], "a keep-alive expiry after the verdict is no new verdict")
    }

    @Test func aPingOrAPublishStartsTheIntervalAgain() throws {
        let session = try Self.connected(keepAlive: 10)
        session.advance(.seconds(14))
        try session.send(.pingreq)
        #expect(try session.sent() == [.pingresp])
        session.advance(.seconds(14))
        #expect(session.isOpen, "the PINGREQ reset the keep-alive")
        try session.send(.publish(.init(topic: "vehicles/tcu-0042/telemetry", payload: ByteBuffer(string: "{}"))))
        session.advance(.seconds(14))
        #expect(session.isOpen, "the PUBLISH reset the keep-alive")
        session.advance(.seconds(1))
        #expect(!session.isOpen)
    }

    @Test func keepAliveZeroNeverExpires() throws {
        let session = try Self.connected(keepAlive: 0)
        session.advance(.hours(24))
        #expect(session.isOpen)
    }
}
