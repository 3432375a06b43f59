import FleetTestSupport
import Foundation
import Testing

/// A resumed session exchanges no certificate, so no verify callback runs: `serve --device-ocsp`
/// judges the leaf it remembered for the session after the handshake, and a device revoked at the
/// responder since is closed once its refreshed status says so.
@Suite(.serialized) struct DeviceOCSPResumptionTests {
    @Test func aDeviceRevokedAtTheResponderIsRefusedOnResumption() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = FreePort.find()
        let certs = try await PKIOCSPCommandTests.makePKI(
            in: directory,
            devices: 2,
            ocspURL: "http://127.0.0.1:\(port)/"
        )
        // OCSP only: serve started without a CRL watches none (`pki revoke` writes one again).
        try FileManager.default.removeItem(atPath: "\(certs)/crl.pem")
        // Answers valid 1 s (thisUpdate a minute back): statuses are asked again every few seconds.
        let responder = try await FleetsimServer(
            ["--dir", certs, "--validity", "1s"],
            in: directory,
            port: port,
            command: ["pki", "ocsp"]
        )
        defer { responder.stop() }
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
