import FleetTestSupport
import Foundation
import Testing

/// A resumed session exchanges no certificate, so no verify callback runs: `serve --device-ocsp`
/// judges the leaf it remembered for the session after the handshake, and a device revoked at the
/// responder since is closed once its refreshed status says so.
@Suite(.serialized) struct DeviceOCSPResumptionTests {
    @Test func aDeviceRevokedAtTheResponderIsRefusedOnResumption() async throws {
        let pki = try await DeviceOCSPTests.Fleet.make(devices: 2, revokingLast: false, validity: "1s")
        defer { pki.stop() }
        let (directory, certs) = (pki.directory, pki.certs)
        let audit = AuditLogFile(directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", certs, "--device-ocsp", "aia", "--protocol", "tls", "--audit", audit.path],
            in: directory
        )
        defer { server.stop() }
        let fleet = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", certs, "--server-name", "localhost",
                "--protocol", "tls", "--tls", "1.2", "--resumption", "tickets", "--churn", "8", "--churn-pause",
                "1500ms", "--jitter", "none", "--quiet",
            ],
            in: directory,
            name: "fleet"
        )
        defer { fleet.stop() }
        try await audit.waitForDevices(["tcu-00001", "tcu-00002"])
        let revoke = try await FleetsimBinary.run(["pki", "revoke", "--dir", certs, "tcu-00001"], in: directory)
        #expect(revoke.status == 0, "\(revoke.output)")

        let isRefusal = { (line: AuditLine) in line.deviceID == "tcu-00001" && line.verdict == "rejected" }
        let refused = try #require(
            try await audit.waitForLines(1, where: isRefusal, timeout: .seconds(30)).first(where: isRefusal)
        )
        #expect(refused.phase == "tls-after-handshake", "refused on resumption: \(refused)")
        #expect(refused.reason?.contains("revoked: OCSP says revoked") == true, "\(refused)")
        fleet.stop()
        let lines = try audit.lines()
        #expect(lines.contains { $0.deviceID == "tcu-00002" && $0.verdict == "accepted" })
        #expect(!lines.contains { $0.deviceID == "tcu-00002" && $0.verdict == "rejected" }, "only the revoked one")
    }

}

/// `serve --device-ocsp aia --drop-revoked`: held sessions of devices the responder revokes are
/// dropped (each open connection looks its status up once a second; statuses are asked again when
/// due), the others untouched, and `run` sees them lost and refused on reconnect.
@Suite(.serialized) struct DeviceOCSPDropTests {
    @Test func heldDevicesRevokedAtTheResponderAreDropped() async throws {
        let pki = try await DeviceOCSPTests.Fleet.make(devices: 10, revokingLast: false, validity: "1s")
        defer { pki.stop() }
        let (directory, certs) = (pki.directory, pki.certs)
        let audit = AuditLogFile(directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", certs, "--device-ocsp", "aia", "--drop-revoked", "--audit", audit.path],
            in: directory
        )
        defer { server.stop() }
        let json = directory.path("report.json")
        let fleet = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", certs, "--server-name", "localhost",
                "--protocol", "mqtt", "--mqtt", "5", "--hold", "12s", "--retries", "1", "--backoff-base", "200ms",
                "--json", json, "--quiet",
            ],
            in: directory,
            name: "fleet"
        )
        defer { fleet.stop() }
        try await audit.waitForLines(10, where: { $0.verdict == "accepted" }, timeout: .seconds(30))
        let victims = ["tcu-00002", "tcu-00007"]
        let revoke = try await FleetsimBinary.run(["pki", "revoke", "--dir", certs] + victims, in: directory)
        #expect(revoke.status == 0, "\(revoke.output)")

        let drops = try await audit.waitForLines(
            2,
            where: { $0.verdict == "disconnected" },
            timeout: .seconds(20)
        ).filter { $0.verdict == "disconnected" }
        #expect(Set(drops.compactMap(\.deviceID)) == Set(victims), "\(drops)")
        #expect(drops.allSatisfy { $0.reason?.contains("dropped after an OCSP check: revoked") == true }, "\(drops)")

        #expect(try await fleet.waitForExit(timeout: .seconds(40)) == 0, "\(fleet.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let connections = try #require(report["connections"] as? [String: Any])
        #expect(connections["lost"] as? Int == 2, "\(connections)")
        let refused = (connections["refusedAfterLoss"] as? [String: Int] ?? [:]).values.reduce(0, +)
        #expect(refused == 2, "refused when they came back: \(connections)")
        let lines = try audit.lines()
        #expect(!lines.contains { $0.verdict == "disconnected" && !victims.contains($0.deviceID ?? "") })
    }
}
