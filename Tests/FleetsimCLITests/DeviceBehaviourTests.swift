import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Device behaviours of `fleetsim run` against real servers: the device's clock, constrained TLS,
/// session resumption, and reconnects after a server restart with and without jitter.
@Suite(.serialized) struct DeviceBehaviourTests {
    func report(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func goodDevices(_ fixture: PKIFixture, count: Int) async throws -> String {
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: count, prefix: "fleet-", defect: .none, algorithm: .ecdsaP256)
        // Only the fleet-* devices, in a folder of their own (the same files: a user's identities folder).
        let folder = fixture.directory.path("fleet")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.layout.devices) where name.hasPrefix("fleet-") {
            try FileManager.default.copyItem(atPath: fixture.layout.devices + "/" + name, toPath: folder + "/" + name)
        }
        return folder
    }

    @Test func aDeviceWithoutARealTimeClockRefusesAValidServer() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let server = try await FleetsimServer(["--dir", fixture.layout.directory, "--protocol", "tls"], in: fixture.directory)
        defer { server.stop() }
        let identities = try await self.goodDevices(fixture, count: 2)
        let common = ["run", "--target", "127.0.0.1:\(server.port)", "--identities", identities, "--ca", fixture.layout.rootCertificate,
                      "--server-name", "localhost", "--quiet", "--per-device"]

        let skewedPath = fixture.directory.path("skewed.json")
        let skewed = try await FleetsimBinary.run(common + ["--clock-start", "2000-01-01", "--json", skewedPath], in: fixture.directory)
        #expect(skewed.status == 0, "\(skewed.output)")
        let report = try self.report(skewedPath)
        let devices = try #require(report["devices"] as? [[String: Any]])
        #expect(devices.count == 2)
        for device in devices {
            #expect(device["outcome"] as? String == "server-untrusted")
            #expect((device["detail"] as? String ?? "").contains("not yet valid by the device's clock"), "\(device)")
            #expect((device["diagnosis"] as? [String])?.first == "clock-skew")
            #expect((device["clock"] as? String ?? "").hasPrefix("2000-01-01"))
        }
        #expect((report["connections"] as? [String: Any])?["clockFailures"] as? Int == 2)
        #expect(skewed.stdout.contains("because of their own clock"))

        // The same devices on real time connect.
        let realPath = fixture.directory.path("real.json")
        let real = try await FleetsimBinary.run(common + ["--json", realPath], in: fixture.directory)
        #expect(real.status == 0, "\(real.output)")
        #expect((try self.report(realPath)["counts"] as? [String: Int])?["succeeded"] == 2)

        // A clock far ahead: the server's certificate has expired by it.
        let ahead = try await FleetsimBinary.run(common + ["--devices", "1", "--clock-skew=+20000d"], in: fixture.directory)
        #expect(ahead.stdout.contains("has expired by the device's clock"), "\(ahead.output)")
    }

    @Test func aTLS12OnlyDeviceAgainstATLS13OnlyServerGetsWhatTheServerSends() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        let server = try await OpenSSLServer(
            certificate: layout.serverCertificate, chain: layout.intermediateCertificate, key: layout.serverKey,
            clientCA: layout.rootCertificate, version: "1.3", in: fixture.directory
        )
        defer { server.stop() }
        let json = fixture.directory.path("report.json")
        let run = try await FleetsimBinary.run(
            ["run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost", "--tls", "1.2",
             "--devices", "1", "--json", json, "--quiet"],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let device = try #require((try self.report(json)["devices"] as? [[String: Any]])?.first)
        #expect(device["outcome"] as? String == "rejected:protocol-version", "\(device)")
        #expect(device["alert"] as? Int == 70)
    }

    @Test(arguments: [("1.3", "tickets"), ("1.2", "session-ids"), ("1.2", "tickets")])
    func resumedHandshakesAreCountedAndFaster(version: String, mode: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        // s_server resumes both ways (session cache and tickets) and answers one connection at a time.
        let server = try await OpenSSLServer(
            certificate: layout.serverCertificate, chain: layout.intermediateCertificate, key: layout.serverKey,
            clientCA: layout.rootCertificate, version: version, in: fixture.directory
        )
        defer { server.stop() }
        let identities = try await self.goodDevices(fixture, count: 8)
        let json = fixture.directory.path("report.json")
        let run = try await FleetsimBinary.run(
            ["run", "--target", "127.0.0.1:\(server.port)", "--identities", identities, "--ca", layout.rootCertificate,
             "--server-name", "localhost", "--tls", version, "--concurrency", "1", "--churn", "4", "--churn-pause", "0ms",
             "--resumption", mode, "--json", json, "--quiet"],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let report = try self.report(json)
        #expect((report["counts"] as? [String: Int])?["succeeded"] == 8, "\(run.output)")
        let connections = try #require(report["connections"] as? [String: Any])
        #expect(connections["attempts"] as? Int == 32)
        let resumption = try #require(connections["resumption"] as? [String: Any])
        #expect(resumption["offered"] as? Int == 24)
        #expect(resumption["resumed"] as? Int == 24, "\(resumption)")
        #expect(resumption["rate"] as? Double == 1)
        let latency = try #require(report["latencyMs"] as? [String: [String: Double]])
        let full = try #require(latency["tlsHandshake"])
        let resumed = try #require(latency["tlsHandshakeResumed"])
        #expect(full["count"] == 8)
        #expect(resumed["count"] == 24)
        #expect(resumed["p50"]! < full["p50"]!, "resumed p50 \(resumed["p50"]!) ms vs full \(full["p50"]!) ms")
    }

    /// The reconnect storm: 60 held devices, the server killed and restarted on the same port.
    /// Without jitter every device comes back in the same instant; with full jitter they spread.
    @Test func jitterLowersThePeakReconnectRateAfterAServerRestart() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let identities = try await self.goodDevices(fixture, count: 60)
        var peaks: [String: Double] = [:]
        for jitter in ["none", "full"] {
            let audit = fixture.directory.path("audit-\(jitter).jsonl")
            let serveArguments = ["--dir", fixture.layout.directory, "--protocol", "tls", "--audit", audit]
            var server = try await FleetsimServer(serveArguments, in: fixture.directory)
            let port = server.port
            let json = fixture.directory.path("storm-\(jitter).json")
            let run = try ForeignProcess(
                FleetsimBinary.path,
                ["run", "--target", "127.0.0.1:\(port)", "--identities", identities, "--ca", fixture.layout.rootCertificate,
                 "--server-name", "localhost", "--hold", "6s", "--retries", "10", "--backoff", "constant", "--backoff-base", "1s",
                 "--jitter", jitter, "--json", json, "--quiet"],
                in: fixture.directory,
                name: "storm-\(jitter)"
            )
            defer { run.stop() }
            // Every device connected and held (bounded wait), then the server dies and comes back.
            try await Self.waitForAccepted(60, in: audit)
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
            #expect((connections["recoverySeconds"] as? Double ?? 0) > 0)
            peaks[jitter] = try #require(connections["peakReconnectRate"] as? Double)
            server.stop()
        }
        // Without jitter, 60 reconnects land in one or two 100 ms windows (≥ 300/s); full jitter
        // spreads them over the 1 s step.
        let none = try #require(peaks["none"]), full = try #require(peaks["full"])
        #expect(none >= 300, "no jitter: \(none)/s")
        #expect(full < none / 2, "full jitter \(full)/s vs none \(none)/s")
    }

    static func waitForAccepted(_ count: Int, in audit: String) async throws {
        for _ in 0..<150 {
            let text = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").filter({ $0.contains("\"verdict\":\"accepted\"") }).count >= count {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ForeignProcessError("\(count) devices were not accepted in 15 s:\n" + ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""))
    }
}
