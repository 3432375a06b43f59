import Fleet
import FleetCore
import Testing

@Suite struct DeviceLifecycleTests {
    func run(_ mode: DeviceLifecycle.Mode, holds: Bool = false, _ events: [DeviceLifecycle.Event]) -> (DeviceLifecycle, [DeviceLifecycle.Action]) {
        var machine = DeviceLifecycle(mode: mode, holds: holds)
        var actions: [DeviceLifecycle.Action] = []
        for event in events { actions += machine.handle(event) }
        return (machine, actions)
    }

    @Test func tlsModeIsOkOnlyAfterTheServersVerdict() {
        let (afterHandshake, actions) = self.run(.tls, [.start, .tcpConnected, .handshakeCompleted])
        #expect(afterHandshake.state == .awaitingAccept)
        #expect(afterHandshake.outcome == nil)  // TLS 1.3: handshake done is not accepted
        #expect(!actions.contains(.report(.ok)))
        let (accepted, all) = self.run(.tls, [.start, .tcpConnected, .handshakeCompleted, .tlsAccepted])
        #expect(accepted.outcome == .ok)
        #expect(all.suffix(2) == [.report(.ok), .disconnect])
    }

    @Test func mqttModeWaitsForTheConnack() {
        let (machine, actions) = self.run(.mqtt, [.start, .tcpConnected, .handshakeCompleted, .tlsAccepted])
        #expect(actions.contains(.sendConnect))
        #expect(machine.outcome == nil)
        let (ok, okActions) = self.run(.mqtt, [.start, .tcpConnected, .handshakeCompleted, .connack(returnCode: 0)])
        #expect(ok.outcome == .ok)
        #expect(okActions.last == .disconnect)
    }

    @Test(arguments: [(UInt8(5), Outcome.mqttRefused(.notAuthorized)), (2, .mqttRefused(.identifierRejected)), (9, .protocolError)])
    func refusedConnack(code: UInt8, outcome: Outcome) {
        let (machine, actions) = self.run(.mqtt, [.start, .tcpConnected, .handshakeCompleted, .connack(returnCode: code)])
        #expect(machine.outcome == outcome)
        #expect(actions.suffix(2) == [.report(outcome), .close])
    }

    @Test func eachPhaseHasItsOwnTimeout() {
        #expect(self.run(.tls, [.start, .deadline]).0.outcome == .tcpTimeout)
        #expect(self.run(.tls, [.start, .tcpConnected, .deadline]).0.outcome == .handshakeTimeout)
        #expect(self.run(.tls, [.start, .tcpConnected, .handshakeCompleted, .deadline]).0.outcome == .acceptTimeout)
        #expect(self.run(.mqtt, [.start, .tcpConnected, .handshakeCompleted, .tlsAccepted, .deadline]).0.outcome == .acceptTimeout)
    }

    @Test func theFirstTerminalEventWins() {
        let (machine, actions) = self.run(
            .tls,
            [.start, .tcpConnected, .failed(.rejected(.certificateExpired)), .closed, .failed(.tcpReset), .deadline]
        )
        #expect(machine.outcome == .rejected(.certificateExpired))
        #expect(actions.filter { if case .report = $0 { true } else { false } }.count == 1)
    }

    @Test func aCloseBeforeTheVerdictIsClosedByServer() {
        #expect(self.run(.tls, [.start, .tcpConnected, .handshakeCompleted, .closed]).0.outcome == .closedByServer)
    }

    @Test func holdingKeepsTheSessionUntilTheHoldEnds() {
        let (machine, actions) = self.run(.mqtt, holds: true, [.start, .tcpConnected, .handshakeCompleted, .connack(returnCode: 0)])
        #expect(machine.state == .session)
        #expect(actions.suffix(3) == [.report(.ok), .startSession, .arm(.hold)])
        var held = machine
        #expect(held.handle(.failed(.tcpReset)) == [])  // a drop during the hold does not rewrite ok
        #expect(held.handle(.deadline) == [.disconnect])
        #expect(held.outcome == .ok)
    }

    @Test func aCloseDuringTheHoldIsALostConnection() {
        var (machine, _) = self.run(.tls, holds: true, [.start, .tcpConnected, .handshakeCompleted, .tlsAccepted])
        #expect(machine.handle(.closed) == [.lost])
        #expect(machine.outcome == .ok)
        var (ended, _) = self.run(.tls, holds: true, [.start, .tcpConnected, .handshakeCompleted, .tlsAccepted, .deadline])
        #expect(ended.handle(.closed) == [])  // the device ended it: not lost
    }
}
