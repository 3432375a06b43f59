import FleetCore
import FleetMQTT
import Testing

@testable import FleetTLS

/// The verdict a backend session writes to the audit log, in `tls` and `mqtt` mode, and when it
/// writes none: one record per connection, with the outcome code the device sees.
@Suite struct BackendSessionVerdictTests {
    @Test func tlsModeAcceptsOnTheTLSVerdictAndKeepsTheConnectionUntilIdle() throws {
        let session = try SessionHarness(.tls)
        session.handshakeCompleted(commonName: "tcu-0042", serialNumber: "tcu-0042", version: .v1_2)
        #expect(session.audit.isEmpty, "the handshake alone is no verdict")
        session.accepted()
        let record = try #require(session.audit.first)
        #expect(session.audit.count == 1)
        #expect(record.verdict == "accepted")
        #expect(record.outcome == nil)
        #expect(record.deviceID == "tcu-0042")
        #expect(record.phase == "tls")
        #expect(record.tls == "1.2")
        #expect(record.remote == SessionHarness.remote)
        #expect(record.mqttClientID == nil)
        #expect(try session.sent().isEmpty)

        session.advance(.seconds(59))
        #expect(session.isOpen)
        session.advance(.seconds(1))
        #expect(!session.isOpen, "the idle timeout closes an accepted, silent connection")
        #expect(session.audit.count == 1, "closing after a verdict writes no second record")
    }

    @Test func mqttModeWaitsForTheConnectBeforeItsVerdict() throws {
        let session = try SessionHarness(.mqtt)
        session.admit("tcu-0042")
        #expect(session.audit.isEmpty, "in MQTT mode the verdict is the CONNACK's")
        try session.send(.connect(.init(clientID: "tcu-0042")))
        #expect(try session.sent() == [.connack(.init(code: 0))])
        let record = try #require(session.audit.first)
        #expect(session.audit.count == 1)
        #expect(record.verdict == "accepted")
        #expect(record.phase == "mqtt")
        #expect(record.mqttClientID == "tcu-0042")
        #expect(record.tls == "1.3")
        #expect(session.isOpen)
    }

    @Test func aHandshakeThatDoesNotCompleteInTimeIsRejected() throws {
        let session = try SessionHarness(.mqtt)
        session.advance(.milliseconds(9_999))
        #expect(session.audit.isEmpty)
        session.advance(.milliseconds(1))
        let record = try #require(session.audit.first)
        #expect(record.verdict == "rejected")
        #expect(record.outcome == Outcome.handshakeTimeout.identifier)
        #expect(record.phase == "tls")
        #expect(record.deviceID == nil)
        #expect(!session.isOpen)
    }

    @Test func anAcceptedDeviceWithoutAConnectIsRejectedAfterTheConnectTimeout() throws {
        let session = try SessionHarness(.mqtt)
        session.admit("tcu-0042")
        session.advance(.seconds(5))
        let record = try #require(session.audit.first)
        #expect(record.outcome == Outcome.acceptTimeout.identifier)
        #expect(record.phase == "mqtt")
        #expect(record.deviceID == "tcu-0042")
        #expect(!session.isOpen)
        session.advance(.seconds(10))
        #expect(session.audit.count == 1, "the handshake timer was replaced, not added")
    }

    @Test(arguments: [false, true])
    func aTLSFailureIsRecordedWithItsAlertAndPhase(afterHandshake: Bool) throws {
        let session = try SessionHarness(.mqtt)
        if afterHandshake { session.handshakeCompleted(commonName: "tcu-0042", serialNumber: "tcu-0042") }
        var failure = TLSFailure(
            .rejected(.certificateExpired),
            detail: "the certificate has expired",
            nativeCode: -150,
            alertSent: .certificateExpired,
            verifyResult: 10
        )
        failure.peer = PeerIdentity(commonName: "tcu-0042", serialNumber: "tcu-0042")
        session.fail(failure)
        let record = try #require(session.audit.first)
        #expect(session.audit.count == 1)
        #expect(record.verdict == "rejected")
        #expect(record.outcome == "rejected:certificate-expired")
        #expect(record.alertSent == 45)
        #expect(record.verifyError == 10)
        #expect(record.wolfSSLCode == -150)
        #expect(record.deviceID == "tcu-0042")
        #expect(record.phase == (afterHandshake ? "tls-after-handshake" : "tls"))
        #expect(!session.isOpen)
    }

    @Test func aDeviceThatLeavesBeforeAVerdictIsRecordedAsClosed() throws {
        let session = try SessionHarness(.tls)
        try session.channel.close().wait()
        let record = try #require(session.audit.first)
        #expect(record.verdict == "rejected")
        #expect(record.outcome == Outcome.closedByServer.identifier)
        #expect(record.phase == "tls")
    }

    /// A device that leaves after its handshake: before the TLS verdict the phase is
    /// `tls-after-handshake` in either mode, never `mqtt`; in MQTT mode after the TLS verdict, it
    /// is `mqtt` (the CONNECT was awaited).
    @Test(arguments: [
        (ProtocolMode.tls, false, "tls-after-handshake"), (.mqtt, false, "tls-after-handshake"), (.mqtt, true, "mqtt"),
    ])
    func aDeviceThatLeavesAfterItsHandshakeIsRecordedInThePhaseItReached(
        mode: ProtocolMode,
        tlsAccepted: Bool,
        phase: String
    ) throws {
        let session = try SessionHarness(mode)
        session.handshakeCompleted(commonName: "tcu-0042", serialNumber: "tcu-0042")
        if tlsAccepted { session.accepted() }
        try session.channel.close().wait()
        let record = try #require(session.audit.first)
        #expect(session.audit.count == 1)
        #expect(record.verdict == "rejected")
        #expect(record.outcome == Outcome.closedByServer.identifier)
        #expect(record.deviceID == "tcu-0042")
        #expect(record.phase == phase)
    }

    @Test func malformedMQTTBeforeTheConnectIsAProtocolError() throws {
        let session = try SessionHarness(.mqtt)
        session.admit("tcu-0042")
        session.fail(MQTTProtocolError("reserved packet type 15"))
        let record = try #require(session.audit.first)
        #expect(record.outcome == Outcome.protocolError.identifier)
        #expect(record.phase == "mqtt")
        #expect(!session.isOpen)
    }
}
