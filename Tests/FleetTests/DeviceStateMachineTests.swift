import FleetCore
import Testing

@testable import Fleet

/// One device's whole story — each connection's phases and what happens between connections — as
/// the pure machine decides it, without sockets or clocks.
@Suite struct DeviceStateMachineTests {
    typealias Machine = DeviceStateMachine
    typealias Action = DeviceStateMachine.Action

    static func plan(
        _ mode: ProtocolMode = .tls,
        retries: Int = 0,
        connections: Int = 1,
        hold: Double? = nil,
        jitter: ReconnectPolicy.Jitter = .none
    ) -> Machine.Plan {
        var plan = Machine.Plan()
        plan.mode = mode
        plan.policy.retries = retries
        plan.policy.jitter = jitter
        plan.policy.base = 1
        plan.policy.cap = 8
        plan.connections = connections
        plan.pause = 0.5
        plan.hold = hold
        return plan
    }

    /// A machine that has started its first connection.
    static func started(_ plan: Machine.Plan) -> Machine {
        var machine = Machine(plan: plan)
        #expect(machine.start() == [.connect(.first)])
        return machine
    }

    static func reports(_ actions: [Action]) -> [Outcome] {
        actions.compactMap { if case .report(let outcome, _) = $0 { outcome } else { nil } }
    }

    // MARK: - One connection

    @Test func tlsModeIsOkOnlyAfterTheServersVerdict() {
        var machine = Self.started(Self.plan(.tls))
        #expect(machine.tcpConnected() == [.arm(.handshake)])
        #expect(machine.handshakeCompleted() == [.arm(.accept)])
        #expect(machine.state == .awaitingAccept)
        #expect(machine.outcome == nil)  // TLS 1.3: handshake done is not accepted
        #expect(
            machine.tlsAccepted(at: 1) == [
                .recordConnection(.ok, kind: .first, recovering: false), .report(.ok, connections: 1), .disconnect,
            ]
        )
        #expect(machine.outcome == .ok)
        #expect(machine.tlsAccepted(at: 1) == [])  // a second ticket changes nothing
        #expect(machine.closed(at: 1, random: 0, stopped: false) == [.recordClosed(lost: false), .finish])
        #expect(machine.state == .done)
    }

    @Test func mqttModeWaitsForTheConnack() {
        var machine = Self.started(Self.plan(.mqtt))
        _ = machine.tcpConnected()
        #expect(machine.handshakeCompleted() == [.sendConnect, .arm(.accept)])
        #expect(machine.tlsAccepted(at: 1) == [])
        #expect(machine.outcome == nil)
        #expect(Self.reports(machine.connack(code: 0, at: 1)) == [.ok])
        #expect(machine.state == .closing(.completed))
    }

    @Test(arguments: [
        (UInt8(5), Outcome.mqttRefused(.notAuthorized)), (2, .mqttRefused(.identifierRejected)), (9, .protocolError),
    ])
    func refusedConnack(code: UInt8, outcome: Outcome) {
        var machine = Self.started(Self.plan(.mqtt))
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        #expect(
            machine.connack(code: code, at: 1) == [
                .recordConnection(outcome, kind: .first, recovering: false), .close,
            ]
        )
        // The device's outcome is decided when the connection is over and no retry follows.
        #expect(machine.closed(at: 1, random: 0, stopped: false) == [.report(outcome, connections: 1), .finish])
        #expect(machine.outcome == outcome)
    }

    @Test func eachPhaseHasItsOwnTimeout() {
        var handshaking = Self.started(Self.plan())
        _ = handshaking.tcpConnected()
        #expect(
            handshaking.deadline(at: 0) == [
                .recordConnection(.handshakeTimeout, kind: .first, recovering: false), .close,
            ]
        )
        var accepting = Self.started(Self.plan())
        _ = accepting.tcpConnected()
        _ = accepting.handshakeCompleted()
        #expect(accepting.deadline(at: 0).first == .recordConnection(.acceptTimeout, kind: .first, recovering: false))
        var mqtt = Self.started(Self.plan(.mqtt))
        _ = mqtt.tcpConnected()
        _ = mqtt.handshakeCompleted()
        _ = mqtt.tlsAccepted(at: 0)
        #expect(mqtt.deadline(at: 0).first == .recordConnection(.acceptTimeout, kind: .first, recovering: false))
        // TCP's own timeout is the bootstrap's: it arrives as a failed connect.
        var connecting = Self.started(Self.plan())
        #expect(
            connecting.connectFailed(.tcpTimeout, at: 5, random: 0, stopped: false)
                == [
                    .recordConnection(.tcpTimeout, kind: .first, recovering: false),
                    .report(.tcpTimeout, connections: 1), .finish,
                ]
        )
    }

    @Test func silenceAfterTheHandshakeAcceptsOnlyWhenThePlanSaysSo() {
        var plan = Self.plan(.tls)
        plan.acceptsSilence = true
        var quiet = Self.started(plan)
        _ = quiet.tcpConnected()
        #expect(quiet.handshakeCompleted() == [.arm(.quiet)])
        #expect(
            quiet.deadline(at: 1)
                == [
                    .acceptedBySilence, .recordConnection(.ok, kind: .first, recovering: false),
                    .report(.ok, connections: 1), .disconnect,
                ]
        )
        // A refusal inside the quiet period wins, as any first terminal event does.
        var refused = Self.started(plan)
        _ = refused.tcpConnected()
        _ = refused.handshakeCompleted()
        #expect(
            refused.failed(.rejected(.certificateExpired)).first
                == .recordConnection(.rejected(.certificateExpired), kind: .first, recovering: false)
        )
        // MQTT mode: the CONNACK is the verdict, silence never is.
        var mqttPlan = Self.plan(.mqtt)
        mqttPlan.acceptsSilence = true
        var mqtt = Self.started(mqttPlan)
        _ = mqtt.tcpConnected()
        _ = mqtt.handshakeCompleted()
        #expect(mqtt.deadline(at: 5).first == .recordConnection(.acceptTimeout, kind: .first, recovering: false))
    }

    @Test func theFirstTerminalEventWins() {
        var machine = Self.started(Self.plan())
        _ = machine.tcpConnected()
        var actions = machine.failed(.rejected(.certificateExpired))
        actions += machine.failed(.tcpReset)
        actions += machine.deadline(at: 0)
        actions += machine.closed(at: 1, random: 0, stopped: false)
        #expect(machine.outcome == .rejected(.certificateExpired))
        #expect(Self.reports(actions) == [.rejected(.certificateExpired)])
        #expect(actions.filter { if case .recordConnection = $0 { true } else { false } }.count == 1)
    }

    @Test func aCloseBeforeTheVerdictIsClosedByServer() {
        var machine = Self.started(Self.plan())
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        #expect(
            machine.closed(at: 1, random: 0, stopped: false)
                == [
                    .recordConnection(.closedByServer, kind: .first, recovering: false),
                    .report(.closedByServer, connections: 1), .finish,
                ]
        )
    }

    @Test func holdingKeepsTheSessionUntilTheHoldEnds() {
        var machine = Self.started(Self.plan(.mqtt, hold: 30))
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        #expect(
            machine.connack(code: 0, at: 2).suffix(3) == [
                .report(.ok, connections: 1), .startSession, .arm(.hold(seconds: 30)),
            ]
        )
        #expect(machine.state == .holding)
        #expect(machine.failed(.tcpReset) == [])  // a drop during the hold does not rewrite ok
        #expect(machine.deadline(at: 0) == [.disconnect])
        #expect(machine.outcome == .ok)
        #expect(machine.closed(at: 32, random: 0, stopped: false) == [.recordClosed(lost: false), .finish])
    }

    @Test func aCloseDuringTheHoldIsALostConnection() {
        var machine = Self.started(Self.plan(hold: 10))
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        _ = machine.tlsAccepted(at: 0)
        #expect(machine.closed(at: 4, random: 0, stopped: false) == [.recordClosed(lost: true), .finish])
        #expect(machine.outcome == .ok)
    }
}
