import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Device behaviours of `fleetsim run` against real servers: the device's clock, constrained TLS,
/// session resumption, and reconnects after a server restart with and without jitter. Outcomes and
/// counts only: how fast resumption is and how jitter spreads a reconnect storm are measured by
/// bench/device-behaviour.sh.
@Suite(.serialized) struct DeviceBehaviourTests {
    func report(_ path: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        )
    }

    func goodDevices(_ fixture: PKIFixture, count: Int) async throws -> String {
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: count, prefix: "fleet-", defect: .none, algorithm: .ecdsaP256)
        // Only the fleet-* devices, in a folder of their own (the same files: a user's identities folder).
        let folder = fixture.directory.path("fleet")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.layout.devices)
        where name.hasPrefix("fleet-") {
            try FileManager.default.copyItem(atPath: fixture.layout.devices + "/" + name, toPath: folder + "/" + name)
        }
        return folder
    }

    @Test func aDeviceWithoutARealTimeClockRefusesAValidServer() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "tls"],
            in: fixture.directory
        )
        defer { server.stop() }
        let identities = try await self.goodDevices(fixture, count: 2)
        let common = [
            "run", "--target", "127.0.0.1:\(server.port)", "--identities", identities, "--ca",
            fixture.layout.rootCertificate,
            "--server-name", "localhost", "--quiet", "--per-device",
        ]

        let skewedPath = fixture.directory.path("skewed.json")
        let skewed = try await FleetsimBinary.run(
            common + ["--clock-start", "2000-01-01", "--json", skewedPath],
            in: fixture.directory
        )
        #expect(skewed.status == 0, "\(skewed.output)")
        let report = try self.report(skewedPath)
        let devices = try #require(report["devices"] as? [[String: Any]])
        #expect(devices.count == 2)
        for device in devices {
            #expect(device["outcome"] as? String == "server-untrusted", "\(device)")
            #expect((device["diagnosis"] as? [String])?.first == "clock-skew")
            #expect((device["clock"] as? String ?? "").hasPrefix("2000-01-01"))
        }
        #expect((report["connections"] as? [String: Any])?["clockFailures"] as? Int == 2)

        // The same devices on real time connect.
        let realPath = fixture.directory.path("real.json")
        let real = try await FleetsimBinary.run(common + ["--json", realPath], in: fixture.directory)
        #expect(real.status == 0, "\(real.output)")
        #expect((try self.report(realPath)["counts"] as? [String: Int])?["succeeded"] == 2)

        // A clock far ahead: the server's certificate has expired by it.
        let aheadPath = fixture.directory.path("ahead.json")
        let ahead = try await FleetsimBinary.run(
            common + ["--devices", "1", "--clock-skew=+20000d", "--json", aheadPath],
            in: fixture.directory
        )
        #expect(ahead.status == 0, "\(ahead.output)")
        let aheadDevice = try #require((try self.report(aheadPath)["devices"] as? [[String: Any]])?.first)
        #expect(aheadDevice["outcome"] as? String == "server-untrusted", "\(aheadDevice)")
        #expect((aheadDevice["diagnosis"] as? [String])?.first == "clock-skew", "\(aheadDevice)")
        let aheadClock = try #require(
            ISO8601DateFormatter().date(from: aheadDevice["clock"] as? String ?? ""),
            "\(aheadDevice)"
        )
        #expect(
            aheadClock > Date(timeIntervalSinceNow: 19_999 * 86_400),
            "the device judged by its own clock, 20000 days ahead"
        )
    }

    @Test func aTLS12OnlyDeviceAgainstATLS13OnlyServerGetsWhatTheServerSends() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        let server = try await OpenSSLServer(
            certificate: layout.serverCertificate,
            chain: layout.intermediateCertificate,
            key: layout.serverKey,
            clientCA: layout.rootCertificate,
            version: "1.3",
            in: fixture.directory
        )
        defer { server.stop() }
        let json = fixture.directory.path("report.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost",
                "--tls", "1.2",
                "--devices", "1", "--json", json, "--quiet",
            ],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let device = try #require((try self.report(json)["devices"] as? [[String: Any]])?.first)
        #expect(device["outcome"] as? String == "rejected:protocol-version", "\(device)")
        #expect(device["alert"] as? Int == 70)
    }

    @Test(arguments: [("1.3", "tickets"), ("1.2", "session-ids"), ("1.2", "tickets")])
    func resumedHandshakesAreCounted(version: String, mode: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        // s_server resumes both ways (session cache and tickets) and answers one connection at a time.
        let server = try await OpenSSLServer(
            certificate: layout.serverCertificate,
            chain: layout.intermediateCertificate,
            key: layout.serverKey,
            clientCA: layout.rootCertificate,
            version: version,
            in: fixture.directory
        )
        defer { server.stop() }
        let identities = try await self.goodDevices(fixture, count: 8)
        let json = fixture.directory.path("report.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--identities", identities, "--ca",
                layout.rootCertificate,
                "--server-name", "localhost", "--tls", version, "--concurrency", "1", "--churn", "4", "--churn-pause",
                "0ms",
                "--resumption", mode, "--json", json, "--quiet",
            ],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let report = try self.report(json)
        #expect((report["counts"] as? [String: Int])?["succeeded"] == 8, "\(run.output)")
        let connections = try #require(report["connections"] as? [String: Any])
        #expect(connections["attempts"] as? Int == 32)
        #expect(connections["byKind"] as? [String: Int] == ["first": 8, "churn": 24])
        let resumption = try #require(connections["resumption"] as? [String: Any])
        #expect(resumption["offered"] as? Int == 24)
        #expect(resumption["resumed"] as? Int == 24, "\(resumption)")
        #expect(resumption["rate"] as? Double == 1)
        // Each connection's handshake is in the histogram of its kind: 8 full, 24 resumed.
        let latency = try #require(report["latencyMs"] as? [String: [String: Double]])
        #expect(latency["tlsHandshake"]?["count"] == 8)
        #expect(latency["tlsHandshakeResumed"]?["count"] == 24)
    }

    /// The reconnect storm: 60 held devices, the server killed and restarted on the same port.
    /// Every device loses its connection, reconnects and is accepted again, with or without jitter.
    @Test(arguments: ["none", "full"])
    func everyHeldDeviceReconnectsAfterAServerRestart(jitter: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let identities = try await self.goodDevices(fixture, count: 60)
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let serveArguments = ["--dir", fixture.layout.directory, "--protocol", "tls", "--audit", audit.path]
        var server = try await FleetsimServer(serveArguments, in: fixture.directory)
        let port = server.port
        let json = fixture.directory.path("storm.json")
        let run = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(port)", "--identities", identities, "--ca",
                fixture.layout.rootCertificate,
                "--server-name", "localhost", "--hold", "6s", "--retries", "10", "--backoff", "constant",
                "--backoff-base", "1s",
                "--jitter", jitter, "--json", json, "--quiet",
            ],
            in: fixture.directory,
            name: "storm-\(jitter)"
        )
        defer { run.stop() }
        // Every device connected and held, then the server dies and comes back.
        try await audit.waitForLines(60, where: { $0.verdict == "accepted" })
        server.process.signal(SIGKILL)
        _ = try await server.process.waitForExit(timeout: .seconds(5))
        server = try await FleetsimServer(serveArguments, in: fixture.directory, port: port)
        defer { server.stop() }
        let status = try await run.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "\(run.output)")
        let report = try self.report(json)
        #expect((report["counts"] as? [String: Int])?["succeeded"] == 60)
        let connections = try #require(report["connections"] as? [String: Any])
        #expect(connections["lost"] as? Int == 60, "\(connections)")
        #expect(connections["recovered"] as? Int == 60, "\(connections)")
        #expect(connections["recoverySeconds"] as? Double != nil, "\(connections)")
        // One first connection per device; at least one reconnect per lost connection (more when a
        // reconnect found the server still down); every connection counted once.
        let byKind = try #require(connections["byKind"] as? [String: Int])
        #expect(byKind["first"] == 60, "\(byKind)")
        #expect((byKind["reconnect"] ?? 0) >= 60, "\(byKind)")
        #expect(byKind.values.reduce(0, +) == connections["attempts"] as? Int, "\(connections)")
        #expect((connections["outcomes"] as? [String: Int])?["ok"] == 120, "\(connections)")
        // The restarted server accepted every device again.
        let accepted = try await audit.waitForLines(120, where: { $0.verdict == "accepted" })
        #expect(Set(accepted.compactMap(\.deviceID)).count == 60)
    }
}
