import FleetCore
import Foundation
import Testing

@testable import Fleet

/// The device's own clock and the profile keys of its behaviours, without sockets.
@Suite struct DeviceBehaviourModelTests {
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
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString).yaml")
            .path
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
        let badValue = #expect(throws: DeviceProfile.LoadError.self) { try DeviceProfile.load(path: path) }
        #expect(badValue?.code == .badValue)
        #expect(badValue?.key == "tls.max-fragment-length")
        try "reconnect: { jiter: full }".write(toFile: path, atomically: true, encoding: .utf8)
        let unknown = #expect(throws: DeviceProfile.LoadError.self) { try DeviceProfile.load(path: path) }
        #expect(unknown?.code == .unknownKey)
        #expect(unknown?.key == "reconnect.jiter")
    }
}
