import FleetCore
import FleetMQTT
import Testing

@testable import Backend

/// MQTT mode admits a device only if its CONNECT client id is its certificate's device id: the
/// serialNumber attribute (else the CN), or the CN. Anything else gets CONNACK 5 (not authorized).
@Suite struct ClientIDCheckTests {
    static let notAuthorized = MQTTPacket.connack(.init(code: MQTTRefusal.notAuthorized.code(in: .v3_1_1)))
    static let accepted = MQTTPacket.connack(.init(code: 0))

    /// A session whose device has serialNumber `SN-0042` and CN `tcu-0042`, sending CONNECT `clientID`.
    static func connect(_ clientID: String, policy: BackendPolicy = BackendPolicy()) throws -> SessionHarness {
        let session = try SessionHarness(.mqtt, policy: policy)
        session.handshakeCompleted(commonName: "tcu-0042", serialNumber: "SN-0042")
        session.accepted()
        try session.send(.connect(.init(clientID: clientID)))
        return session
    }

    @Test(arguments: ["SN-0042", "tcu-0042"])
    func theSerialNumberOrTheCommonNameIsAdmitted(clientID: String) throws {
        let session = try Self.connect(clientID)
        #expect(try session.sent() == [Self.accepted])
        let record = try #require(session.audit.first)
        #expect(record.verdict == "accepted")
        #expect(record.deviceID == "SN-0042", "the device id is the serialNumber attribute")
        #expect(record.mqttClientID == clientID)
        #expect(session.isOpen)
    }

    @Test(arguments: ["someone-else", "sn-0042", "SN-0042 ", ""])
    func anyOtherClientIDIsNotAuthorized(clientID: String) throws {
        let session = try Self.connect(clientID)
        #expect(try session.sent() == [Self.notAuthorized])
        let record = try #require(session.audit.first)
        #expect(session.audit.count == 1)
        #expect(record.verdict == "rejected")
        #expect(record.outcome == Outcome.mqttRefused(.notAuthorized).identifier)
        #expect(record.deviceID == "SN-0042")
        #expect(record.mqttClientID == clientID)
        #expect(record.phase == "mqtt")
        #expect(!session.isOpen)
    }

    @Test func aDeviceWithoutACertificateIdentityIsNotAuthorized() throws {
        let session = try SessionHarness(.mqtt)
        session.handshakeCompleted(commonName: nil, serialNumber: nil)
        session.accepted()
        try session.send(.connect(.init(clientID: "tcu-0042")))
        #expect(try session.sent() == [Self.notAuthorized])
        #expect(session.audit.first?.outcome == "mqtt-refused:not-authorized")
        #expect(session.audit.first?.deviceID == nil)
    }

    @Test func theCheckCanBeSwitchedOff() throws {
        var policy = BackendPolicy()
        policy.matchClientID = false
        let session = try Self.connect("someone-else", policy: policy)
        #expect(try session.sent() == [Self.accepted])
        #expect(session.audit.first?.verdict == "accepted")
        #expect(session.audit.first?.mqttClientID == "someone-else")
    }
}
