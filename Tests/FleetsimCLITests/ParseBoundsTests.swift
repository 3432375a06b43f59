import FleetTestSupport
import Foundation
import Testing

/// Numbers and durations far out of range, negative, or not numbers at all: every one is refused
/// at parse time with exit 2 and a message naming the flag or key — never a trap (exit 132/133).
@Suite(.serialized) struct ParseBoundsTests {
    static let runCases: [(flags: [String], names: String)] = [
        (["--hold", "110000d"], "--hold"),
        (["--churn-pause", "99999999d"], "--churn-pause"),
        (["--duration", "1e400s"], "--duration"),
        (["--ramp", "nan", "--rate", "5"], "--ramp"),
        (["--rate", "-5"], "--rate"),
        (["--rate", "1e-300"], "--rate"),
        (["--devices", "-1"], "--devices"),
        (["--concurrency", "-3"], "--concurrency"),
        (["--retries", "-1"], "--retries"),
        (["--churn", "-2"], "--churn"),
        (["--max-failure-rate", "-0.5"], "--max-failure-rate"),
        (["--max-p99", "99999999d"], "--max-p99"),
        (["--clock-skew=-99999999d"], "--clock-skew"),
        (["--tls-accept", "quiet-period=99999999d"], "--tls-accept"),
    ]

    @Test func runRefusesOutOfRangeFlags() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try await FleetsimBinary.run(["pki", "init", "--dir", directory.path("certs")], in: directory)
        for (flags, name) in Self.runCases {
            let result = try await FleetsimBinary.run(
                ["run", "--target", "127.0.0.1:9", "--dir", directory.path("certs")] + flags,
                in: directory
            )
            #expect(result.status == 2, "\(flags): exit \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(name), "\(flags) is not named: \(result.stderr)")
        }
    }

    @Test func profileDurationsAreBounded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try await FleetsimBinary.run(["pki", "init", "--dir", directory.path("certs")], in: directory)
        for (yaml, key) in [
            ("timeouts: {handshake: 99999999d}\n", "timeouts.handshake"),
            ("timeouts: {connect: 99999999999}\n", "timeouts.connect"),
            ("mqtt: {keep-alive: -5s}\n", "mqtt.keep-alive"), ("clock: {skew: 99999999999}\n", "clock.skew"),
            ("tls: {accept: quiet-period 2h}\n", "tls.accept"),
        ] {
            let profile = try directory.write("bounds.yaml", yaml)
            let result = try await FleetsimBinary.run(
                ["run", "--target", "127.0.0.1:9", "--dir", directory.path("certs"), "--profile", profile],
                in: directory
            )
            #expect(result.status == 2, "\(yaml): exit \(result.status) \(result.stderr)")
            #expect(result.inputErrorCode == "profile:bad-value", "\(yaml): \(result.stderr)")
            #expect(result.stderr.contains(key), "\(yaml): \(result.stderr)")
        }
    }

    @Test func serveRefusesAnOutOfRangeHandshakeTimeout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try await FleetsimBinary.run(["pki", "init", "--dir", directory.path("certs")], in: directory)
        let result = try await FleetsimBinary.run(
            ["serve", "--listen", "127.0.0.1:0", "--dir", directory.path("certs"), "--handshake-timeout", "99999999d"],
            in: directory
        )
        #expect(result.status == 2, "exit \(result.status) \(result.stderr)")
        #expect(result.stderr.contains("--handshake-timeout"))
    }
}
