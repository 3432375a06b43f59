import FleetPKI
import FleetTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Revocation while a fleet is connected (#15): `serve` reloads its CRL when the file changes or on
/// SIGHUP; with `--drop-revoked` the open sessions of newly revoked devices close; they come back
/// and are refused; everyone else is untouched — and `run` counts exactly that.
@Suite(.serialized) struct RevocationMidRunTests {
    static let devices = 200
    static let revoked = 20

    @Test(arguments: ["file", "SIGHUP"])
    func holdRevokeDrop(trigger: String) async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-revoke")
        defer { directory.remove() }
        var pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: .ecdsaP256,
            serverNames: ["localhost", "127.0.0.1"],
            force: false
        )
        let ids = try await pki.issueDevices(count: Self.devices, prefix: "tcu-", defect: .none, algorithm: .ecdsaP256)
            .map(\.id).sorted()
        let layout = pki.layout
        let audit = AuditLogFile(directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", layout.directory, "--audit", audit.path, "--drop-revoked"],
            in: directory
        )
        defer { server.stop() }
        let json = directory.path("report.json")
        let fleet = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost",
                "--protocol", "mqtt", "--hold", "10s", "--retries", "1", "--backoff-base", "200ms", "--json", json,
                "--quiet",
            ],
            in: directory,
            name: "fleet"
        )
        defer { fleet.stop() }
        try await audit.waitForLines(Self.devices, where: { $0.verdict == "accepted" }, timeout: .seconds(60))

        let victims = Array(ids.prefix(Self.revoked))
        if trigger == "file" {
            // `pki revoke` rewrites crl.pem atomically: serve sees the file change.
            let revoke = try await FleetsimBinary.run(
                ["pki", "revoke", "--dir", layout.directory] + victims,
                in: directory
            )
            #expect(revoke.status == 0, "\(revoke.output)")
        } else {
            // Written by another tool while serve is told to re-read only by the signal: the file
            // watcher may also notice; either way exactly one reload must drop exactly the victims.
            let revoke = try await FleetsimBinary.run(
                ["pki", "revoke", "--dir", layout.directory] + victims,
                in: directory
            )
            #expect(revoke.status == 0, "\(revoke.output)")
            server.process.signal(SIGHUP)
        }
        let lines = try await audit.waitForLines(
            Self.revoked,
            where: { $0.verdict == "disconnected" },
            timeout: .seconds(30)
        )
        #expect(lines.contains { $0.verdict == "reloaded" })
        let dropped = lines.filter { $0.verdict == "disconnected" }
        #expect(Set(dropped.compactMap(\.deviceID)) == Set(victims))
        #expect(dropped.allSatisfy { $0.reason?.contains("revoked") == true })

        let status = try await fleet.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(fleet.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let connections = try #require(report["connections"] as? [String: Any])
        #expect(connections["lost"] as? Int == Self.revoked)
        #expect(connections["refusedAfterLoss"] as? [String: Int] == ["rejected:certificate-revoked": Self.revoked])
        #expect(connections["revokedWhileConnected"] as? Int == Self.revoked)
        // Every device was accepted once: the fleet's outcomes are all ok; 180 never noticed.
        #expect((report["failures"] as? [String: Int])?.isEmpty == true)
        #expect((report["counts"] as? [String: Any])?["succeeded"] as? Int == Self.devices)
    }
}

/// A resumed session exchanges no certificate, so no CRL check runs in its handshake: a device
/// revoked between two connections must not come back with its ticket or session id; and a reload
/// that revokes nobody must not break resumption (tickets issued before it stay valid).
@Suite(.serialized) struct RevokedResumptionTests {
    static func churn(
        tls: String,
        resumption: String,
        between: (PKILayout, FleetsimServer, AuditLogFile, TemporaryDirectory) async throws -> Void
    ) async throws -> (report: [String: Any], audit: [AuditLine]) {
        let (directory, layout) = try await MQTTRefusalTests.fleet()
        defer { directory.remove() }
        let audit = AuditLogFile(directory.path("audit.jsonl"))
        let server = try await FleetsimServer(["--dir", layout.directory, "--audit", audit.path], in: directory)
        defer { server.stop() }
        let json = directory.path("report.json")
        let fleet = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost",
                "--protocol", "mqtt", "--tls", tls, "--resumption", resumption, "--churn", "2", "--churn-pause", "4s",
                "--jitter", "none", "--json", json, "--quiet",
            ],
            in: directory,
            name: "fleet"
        )
        defer { fleet.stop() }
        try await audit.waitForLines(3, where: { $0.verdict == "accepted" })
        try await between(layout, server, audit, directory)
        #expect(try await fleet.waitForExit(timeout: .seconds(30)) == 0, "\(fleet.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        return (report, try audit.lines())
    }

    static func outcomes(_ report: [String: Any]) -> [String: Int] {
        (report["connections"] as? [String: Any])?["outcomes"] as? [String: Int] ?? [:]
    }

    @Test(arguments: [("1.2", "tickets"), ("1.2", "session-ids"), ("1.3", "tickets")])
    func aDeviceRevokedBetweenConnectionsIsRefusedOnResumption(tls: String, resumption: String) async throws {
        let (report, audit) = try await Self.churn(tls: tls, resumption: resumption) { layout, _, audit, directory in
            let revoke = try await FleetsimBinary.run(
                ["pki", "revoke", "--dir", layout.directory, "tcu-00001"],
                in: directory
            )
            #expect(revoke.status == 0, "\(revoke.output)")
            try await audit.waitForLines(1, where: { $0.verdict == "reloaded" })
        }
        // Accepted on its first connection; its second, resumed, is refused after the handshake.
        #expect(Self.outcomes(report) == ["ok": 5, "closed-after-connect": 1])
        let refusal = try #require(audit.last { $0.deviceID == "tcu-00001" })
        #expect(refusal.outcome == "rejected:certificate-revoked")
        #expect(refusal.phase == "tls-after-handshake")
    }

    @Test func aReloadThatRevokesNobodyKeepsTicketsValid() async throws {
        let (report, _) = try await Self.churn(tls: "1.2", resumption: "tickets") { _, server, audit, _ in
            server.process.signal(SIGHUP)
            try await audit.waitForLines(1, where: { $0.verdict == "reloaded" })
        }
        #expect(Self.outcomes(report) == ["ok": 6])
        let resumption = (report["connections"] as? [String: Any])?["resumption"] as? [String: Any]
        #expect(resumption?["resumed"] as? Int == 3)
    }
}
