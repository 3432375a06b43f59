import FleetCore
import Testing

@testable import Fleet

/// The MQTT verdicts of the pure device machine: CONNACK codes read in the device's version, and a
/// close after CONNECT told apart from a close during TLS (#14).
@Suite struct MQTTVerdictTests {
    typealias Machine = DeviceStateMachine

    static func awaitingConnack(_ version: MQTTVersion = .v3_1_1, retries: Int = 0, tlsAccepted: Bool = true) -> Machine
    {
        var plan = DeviceStateMachineTests.plan(.mqtt, retries: retries)
        plan.mqttVersion = version
        var machine = Machine(plan: plan)
        _ = machine.start()
        _ = machine.tcpConnected()
        #expect(machine.handshakeCompleted() == [.sendConnect, .arm(.accept)])
        if tlsAccepted { #expect(machine.tlsAccepted(at: 0.1) == []) }
        return machine
    }

    @Test(arguments: [
        (MQTTVersion.v5, UInt8(0x87), Outcome.mqttRefused(.notAuthorized)),
        (.v5, 0x85, .mqttRefused(.identifierRejected)),
        (.v5, 0x86, .mqttRefused(.badCredentials)),
        (.v5, 0x8C, .mqttRefused(.badAuthenticationMethod)),
        (.v5, 0x9F, .mqttRefused(.connectionRateExceeded)),
        (.v5, 5, .protocolError),  // a 3.1.1 code is not a v5 reason code
        (.v5, 0x10, .protocolError),
        (.v3_1_1, 5, .mqttRefused(.notAuthorized)),
        (.v3_1_1, 0x87, .protocolError),
    ])
    func connackCodesAreReadInTheDevicesVersion(version: MQTTVersion, code: UInt8, outcome: Outcome) {
        var machine = Self.awaitingConnack(version)
        #expect(
            machine.connack(code: code, at: 1) == [.recordConnection(outcome, kind: .first, recovering: false), .close]
        )
    }

    @Test func aCloseAfterTheServerAcceptedTLSIsClosedAfterConnect() {
        var machine = Self.awaitingConnack()
        #expect(
            machine.closed(at: 1, random: 0, stopped: false) == [
                .recordConnection(.closedAfterConnect, kind: .first, recovering: false),
                .report(.closedAfterConnect, connections: 1), .finish,
            ]
        )
        #expect(Outcome(identifier: "closed-after-connect") == .closedAfterConnect)
    }

    /// TLS 1.3 with no ticket or record from the server: whether it accepted the certificate is
    /// unknown, so the close is not blamed on the CONNECT.
    @Test func aCloseBeforeAnyServerRecordStaysClosedByServer() {
        var machine = Self.awaitingConnack(tlsAccepted: false)
        #expect(Self.reports(machine.closed(at: 1, random: 0, stopped: false)) == [.closedByServer])
    }

    /// Just-in-time registration: the first connection of a new certificate is closed by design;
    /// with a retry the device is `ok` on its second connection.
    @Test func aRetryTurnsJustInTimeRegistrationIntoOk() {
        var machine = Self.awaitingConnack(retries: 1)
        let closed = machine.closed(at: 1, random: 0, stopped: false)
        #expect(closed.first == .recordConnection(.closedAfterConnect, kind: .first, recovering: false))
        #expect(Self.reports(closed).isEmpty)
        #expect(machine.backoffElapsed(stopped: false) == [.connect(.retry)])
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        #expect(Self.reports(machine.connack(code: 0, at: 2)) == [.ok])
        #expect(machine.connections == 2)
    }

    static func reports(_ actions: [Machine.Action]) -> [Outcome] {
        DeviceStateMachineTests.reports(actions)
    }
}
