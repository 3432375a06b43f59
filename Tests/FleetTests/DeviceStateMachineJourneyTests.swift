import FleetCore
import Testing

@testable import Fleet

/// What one device does across its connections — retries, reconnects after a loss, churn, a stop
/// while it waits — as the pure machine decides it.
@Suite struct DeviceStateMachineJourneyTests {
    typealias Fixture = DeviceStateMachineTests

    @Test func backoffDoublesUpToTheCapAndFullJitterDrawsBelowTheStep() {
        var policy = ReconnectPolicy()
        policy.base = 1
        policy.cap = 8
        policy.jitter = .none
        #expect((1...6).map { policy.delay(attempt: $0, random: 0.5) } == [1, 2, 4, 8, 8, 8])
        policy.jitter = .full
        #expect(policy.delay(attempt: 3, random: 0.25) == 1)
        #expect(policy.delay(attempt: 3, random: 0) == 0)
        policy.backoff = .constant
        #expect(policy.delay(attempt: 5, random: 0.5) == 0.5)
    }

    /// A draw from the system's generator is a system call (`getrandom`): a connection that ends for
    /// good, or a backoff without jitter, must not take one; full jitter takes exactly one.
    @Test func aRandomDrawIsTakenOnlyWhenAPauseNeedsOne() {
        var draws = 0
        func draw() -> Double {
            draws += 1
            return 0.5
        }
        var done = Fixture.started(Fixture.plan())
        _ = done.tcpConnected()
        _ = done.handshakeCompleted()
        _ = done.tlsAccepted(at: 1)
        #expect(done.closed(at: 1, random: draw(), stopped: false) == [.recordClosed(lost: false), .finish])
        var refused = Fixture.started(Fixture.plan())
        _ = refused.connectFailed(.tcpRefused, at: 0, random: draw(), stopped: false)
        var steady = Fixture.started(Fixture.plan(retries: 1))
        #expect(
            steady.connectFailed(.tcpRefused, at: 0, random: draw(), stopped: false).last == .arm(.backoff(seconds: 1))
        )
        #expect(draws == 0)
        var jittered = Fixture.started(Fixture.plan(retries: 1, jitter: .full))
        #expect(
            jittered.connectFailed(.tcpRefused, at: 0, random: draw(), stopped: false).last
                == .arm(.backoff(seconds: 0.5))
        )
        #expect(draws == 1)
    }

    @Test func retriesBackOffThenTheLastFailureStands() {
        var machine = Fixture.started(Fixture.plan(retries: 2))
        #expect(
            machine.connectFailed(.tcpRefused, at: 0, random: 0.5, stopped: false).last == .arm(.backoff(seconds: 1))
        )
        #expect(machine.state == .waiting(.retry))
        #expect(machine.backoffElapsed(stopped: false) == [.connect(.retry)])
        #expect(
            machine.connectFailed(.tcpTimeout, at: 1, random: 0.5, stopped: false).last == .arm(.backoff(seconds: 2))
        )
        _ = machine.backoffElapsed(stopped: false)
        _ = machine.tcpConnected()
        _ = machine.failed(.tcpReset)
        #expect(machine.closed(at: 3, random: 0.5, stopped: false) == [.report(.tcpReset, connections: 3), .finish])
        #expect(machine.connections == 3)
    }

    @Test func aVerdictIsRetriedOnlyWhenAskedTo() {
        var machine = Fixture.started(Fixture.plan(retries: 3))
        _ = machine.tcpConnected()
        _ = machine.failed(.rejected(.certificateExpired))
        #expect(Fixture.reports(machine.closed(at: 0, random: 0.5, stopped: false)) == [.rejected(.certificateExpired)])
        var plan = Fixture.plan(retries: 3)
        plan.policy.retryRejected = true
        var blind = Fixture.started(plan)
        _ = blind.tcpConnected()
        _ = blind.failed(.serverUntrusted)
        #expect(blind.closed(at: 0, random: 0.5, stopped: false) == [.arm(.backoff(seconds: 1))])
    }

    @Test func aRetryThatSucceedsMakesTheDeviceOK() {
        var machine = Fixture.started(Fixture.plan(retries: 3))
        _ = machine.connectFailed(.tcpRefused, at: 0, random: 0, stopped: false)
        _ = machine.backoffElapsed(stopped: false)
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        #expect(
            machine.tlsAccepted(at: 1) == [
                .recordConnection(.ok, kind: .retry, recovering: false), .report(.ok, connections: 2), .disconnect,
            ]
        )
        #expect(machine.closed(at: 1, random: 0, stopped: false) == [.recordClosed(lost: false), .finish])
        #expect(machine.outcome == .ok)
    }

    @Test func aLostConnectionReconnectsAndKeepsTheSameHoldEnd() {
        var machine = Fixture.started(Fixture.plan(retries: 5, hold: 10))
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        #expect(machine.tlsAccepted(at: 0).last == .arm(.hold(seconds: 10)))
        #expect(
            machine.closed(at: 4, random: 0, stopped: false) == [.recordClosed(lost: true), .arm(.backoff(seconds: 1))]
        )
        #expect(machine.recovering)
        #expect(machine.backoffElapsed(stopped: false) == [.connect(.reconnect)])
        // The server is still down: the reconnect fails and backs off further, still a reconnect.
        #expect(
            machine.connectFailed(.tcpRefused, at: 5, random: 0, stopped: false)
                == [.recordConnection(.tcpRefused, kind: .reconnect, recovering: true), .arm(.backoff(seconds: 2))]
        )
        _ = machine.backoffElapsed(stopped: false)
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        // Back: held until the original end (t = 10), and the device's outcome is not reported again.
        #expect(
            machine.tlsAccepted(at: 7)
                == [.recordConnection(.ok, kind: .reconnect, recovering: true), .startSession, .arm(.hold(seconds: 3))]
        )
        #expect(!machine.recovering)
        _ = machine.deadline(at: 0)
        #expect(machine.closed(at: 10, random: 0, stopped: false) == [.recordClosed(lost: false), .finish])
    }

    @Test func noReconnectOnceTheHoldIsOver() {
        var machine = Fixture.started(Fixture.plan(retries: 5, hold: 2))
        _ = machine.tcpConnected()
        _ = machine.handshakeCompleted()
        _ = machine.tlsAccepted(at: 0)
        #expect(machine.closed(at: 3, random: 0, stopped: false) == [.recordClosed(lost: true), .finish])
    }

    @Test func churnMakesItsConnectionsThenStops() {
        var machine = Fixture.started(Fixture.plan(connections: 3))
        for index in 1...3 {
            _ = machine.tcpConnected()
            _ = machine.handshakeCompleted()
            #expect(Fixture.reports(machine.tlsAccepted(at: Double(index))) == (index == 1 ? [.ok] : []))
            let next = machine.closed(at: Double(index), random: 0.5, stopped: false)
            #expect(next.last == (index < 3 ? .arm(.backoff(seconds: 0.5)) : .finish))
            if index < 3 { #expect(machine.backoffElapsed(stopped: false) == [.connect(.churn)]) }
        }
        #expect(machine.connections == 3)
    }

    @Test func aRejectedDeviceDoesNotChurn() {
        var machine = Fixture.started(Fixture.plan(connections: 5))
        _ = machine.tcpConnected()
        _ = machine.failed(.rejected(.certificateExpired))
        #expect(
            machine.closed(at: 0, random: 0, stopped: false) == [
                .report(.rejected(.certificateExpired), connections: 1), .finish,
            ]
        )
    }

    @Test func aStoppedRunEndsTheWaitAndTheLastFailureStands() {
        var machine = Fixture.started(Fixture.plan(retries: 5))
        _ = machine.connectFailed(.tcpRefused, at: 0, random: 0, stopped: false)
        #expect(machine.backoffElapsed(stopped: true) == [.report(.tcpRefused, connections: 1), .finish])
        // Stopped as the connection ends: no wait is armed at all.
        var ending = Fixture.started(Fixture.plan(retries: 5))
        #expect(
            ending.connectFailed(.tcpRefused, at: 0, random: 0, stopped: true)
                == [
                    .recordConnection(.tcpRefused, kind: .first, recovering: false),
                    .report(.tcpRefused, connections: 1), .finish,
                ]
        )
    }
}
