import FleetCore
import Foundation
import Testing

@testable import Fleet

/// The decisions a device makes across connections, without sockets or clocks.
@Suite struct DeviceJourneyTests {
    func plan(retries: Int = 0, connections: Int = 1, hold: Double? = nil, jitter: ReconnectPolicy.Jitter = .none) -> DeviceJourney.Plan {
        var plan = DeviceJourney.Plan()
        plan.policy.retries = retries
        plan.policy.jitter = jitter
        plan.policy.base = 1
        plan.policy.cap = 8
        plan.connections = connections
        plan.pause = 0.5
        plan.hold = hold
        return plan
    }

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

    @Test func withoutRetriesAFailedDeviceIsDoneWithItsFailure() {
        var journey = DeviceJourney(plan: self.plan())
        #expect(journey.connecting() == .first)
        let (outcome, next) = journey.ended(.failed(.tcpRefused), at: 1, random: 0.5)
        #expect(outcome == .tcpRefused)
        #expect(next == .done)
    }

    @Test func retriesBackOffThenTheLastFailureStands() {
        var journey = DeviceJourney(plan: self.plan(retries: 2))
        _ = journey.connecting()
        #expect(journey.ended(.failed(.tcpRefused), at: 0, random: 0.5) == (nil, .connect(after: 1, kind: .retry)))
        #expect(journey.connecting() == .retry)
        #expect(journey.ended(.failed(.tcpTimeout), at: 1, random: 0.5) == (nil, .connect(after: 2, kind: .retry)))
        _ = journey.connecting()
        #expect(journey.ended(.failed(.tcpReset), at: 3, random: 0.5) == (.tcpReset, .done))
        #expect(journey.connections == 3)
    }

    @Test func aVerdictIsRetriedOnlyWhenAskedTo() {
        var journey = DeviceJourney(plan: self.plan(retries: 3))
        _ = journey.connecting()
        #expect(journey.ended(.failed(.rejected(.certificateExpired)), at: 0, random: 0.5) == (.rejected(.certificateExpired), .done))
        var plan = self.plan(retries: 3)
        plan.policy.retryRejected = true
        var blind = DeviceJourney(plan: plan)
        _ = blind.connecting()
        #expect(blind.ended(.failed(.serverUntrusted), at: 0, random: 0.5) == (nil, .connect(after: 1, kind: .retry)))
    }

    @Test func aRetryThatSucceedsMakesTheDeviceOK() {
        var journey = DeviceJourney(plan: self.plan(retries: 3))
        _ = journey.connecting()
        _ = journey.ended(.failed(.tcpRefused), at: 0, random: 0)
        _ = journey.connecting()
        #expect(journey.accepted(at: 1) == (.ok, nil))
        #expect(journey.ended(.completed, at: 1, random: 0) == (nil, .done))
        #expect(journey.outcome == .ok)
    }

    @Test func aLostConnectionReconnectsAndKeepsTheSameHoldEnd() {
        var journey = DeviceJourney(plan: self.plan(retries: 5, hold: 10))
        _ = journey.connecting()
        #expect(journey.accepted(at: 0) == (.ok, 10))
        #expect(journey.ended(.lost, at: 4, random: 0) == (nil, .connect(after: 1, kind: .reconnect)))
        #expect(journey.recovering)
        #expect(journey.connecting() == .reconnect)
        // The server is still down: the reconnect fails and backs off further, still a reconnect.
        #expect(journey.ended(.failed(.tcpRefused), at: 5, random: 0) == (nil, .connect(after: 2, kind: .reconnect)))
        _ = journey.connecting()
        // Back: held until the original end (t = 10), and the device's outcome is not reported again.
        #expect(journey.accepted(at: 7) == (nil, 3))
        #expect(!journey.recovering)
        #expect(journey.ended(.completed, at: 10, random: 0) == (nil, .done))
    }

    @Test func noReconnectOnceTheHoldIsOver() {
        var journey = DeviceJourney(plan: self.plan(retries: 5, hold: 2))
        _ = journey.connecting()
        _ = journey.accepted(at: 0)
        #expect(journey.ended(.lost, at: 3, random: 0) == (nil, .done))
    }

    @Test func churnMakesItsConnectionsThenStops() {
        var journey = DeviceJourney(plan: self.plan(connections: 3))
        for index in 1...3 {
            #expect(journey.connecting() == (index == 1 ? .first : .churn))
            #expect(journey.accepted(at: Double(index)).outcome == (index == 1 ? .ok : nil))
            let next = journey.ended(.completed, at: Double(index), random: 0.5)
            #expect(next.next == (index < 3 ? .connect(after: 0.5, kind: .churn) : .done))
        }
    }

    @Test func aRejectedDeviceDoesNotChurn() {
        var journey = DeviceJourney(plan: self.plan(connections: 5))
        _ = journey.connecting()
        #expect(journey.ended(.failed(.rejected(.certificateExpired)), at: 0, random: 0) == (.rejected(.certificateExpired), .done))
    }

    @Test func deviceClocks() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(DeviceClock().time(for: "a", now: now, sinceStart: 5) == nil)
        let start = try #require(DeviceClock.parseStart("2000-01-01"))
        #expect(DeviceClock(start: start).time(for: "a", now: now, sinceStart: 5) == start.addingTimeInterval(5))
        #expect(DeviceClock(skew: -86_400).time(for: "a", now: now, sinceStart: 0) == now.addingTimeInterval(-86_400))
        // Spread: fixed per device, within ±spread, and different devices differ.
        let spread = DeviceClock(spread: 600)
        let offsets = (0..<50).map { spread.offset(for: "tcu-\($0)") }
        #expect(offsets.allSatisfy { abs($0) <= 600 })
        #expect(Set(offsets).count > 40)
        #expect(spread.offset(for: "tcu-7") == spread.offset(for: "tcu-7"))
        #expect(DeviceClock.parseStart("yesterday") == nil)
    }

    @Test func profileBehaviourKeys() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            tls: { versions: [1.2], max-fragment-length: 1024, resumption: session-ids }
            clock: { start: 2000-01-01, skew: -90d, spread: 10m }
            reconnect: { backoff: constant, jitter: none, base: 2s, cap: 30s, retries: 4 }
            churn: { connections: 3, pause: 500ms }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let profile = try DeviceProfile.load(path: path)
        #expect(profile.maxFragmentLength == 1024)
        #expect(profile.resumption == .sessionIDs)
        #expect(profile.clock.skew == -90 * 86_400)
        #expect(profile.clock.spread == 600)
        #expect(profile.clock.start == DeviceClock.parseStart("2000-01-01"))
        #expect(profile.reconnect.backoff == .constant && profile.reconnect.jitter == .none)
        #expect(profile.reconnect.base == 2 && profile.reconnect.cap == 30 && profile.reconnect.retries == 4)
        #expect(profile.churnConnections == 3 && profile.churnPause == 0.5)

        try "tls: { max-fragment-length: 700 }".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: DeviceProfile.LoadError.self) { try DeviceProfile.load(path: path) }
        try "reconnect: { jiter: full }".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: DeviceProfile.LoadError.self) { try DeviceProfile.load(path: path) }
        #expect(error?.description.contains("reconnect.jiter") == true)
    }
}
