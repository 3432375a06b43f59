import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// `fleetsim pki …` as a user runs it.
@Suite struct PKICommandTests {
    @Test func initIssueRevokeFromTheCommandLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = directory.path("certs")
        let created = try await FleetsimBinary.run(
            ["pki", "init", "--dir", certs, "--server-name", "broker.local"],
            in: directory
        )
        #expect(created.status == 0, "\(created.output)")
        // The server certificate is for the name given: OpenSSL verifies it for that host.
        let verified = try await ForeignProcess.run(
            "openssl",
            [
                "verify", "-CAfile", "\(certs)/root.pem", "-untrusted", "\(certs)/intermediate.pem", "-purpose",
                "sslserver",
                "-verify_hostname", "broker.local", "\(certs)/server.pem",
            ],
            in: directory
        )
        #expect(verified.status == 0, "\(verified.output)")

        let again = try await FleetsimBinary.run(["pki", "init", "--dir", certs], in: directory)
        #expect(again.status == 2)
        #expect(again.inputErrorCode == "pki:pki-exists", "\(again.stderr)")
        #expect(again.stderr.contains("--force"), "the way out is named: \(again.stderr)")

        let issued = try await FleetsimBinary.run(["pki", "issue", "--dir", certs, "--count", "3"], in: directory)
        #expect(issued.status == 0, "\(issued.output)")
        #expect(
            try FleetManifest.load(from: "\(certs)/fleet.json").devices.map(\.id) == [
                "tcu-00001", "tcu-00002", "tcu-00003",
            ]
        )
        let expired = try await FleetsimBinary.run(
            ["pki", "issue", "--dir", certs, "--count", "1", "--defect", "expired"],
            in: directory
        )
        #expect(expired.status == 0, "\(expired.output)")

        let revoked = try await FleetsimBinary.run(["pki", "revoke", "--dir", certs, "tcu-00002"], in: directory)
        #expect(revoked.status == 0, "\(revoked.output)")
        let crl = try RevocationList(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: "\(certs)/crl.pem"))))
        #expect(crl.number == 2)
        #expect(crl.entries.count == 1)
        let unknown = try await FleetsimBinary.run(["pki", "revoke", "--dir", certs, "tcu-99999"], in: directory)
        #expect(unknown.status == 2)
        #expect(unknown.inputErrorCode == "pki:unknown-device", "\(unknown.stderr)")
        #expect(unknown.stderr.contains("tcu-99999"))

        let manifest = try FleetManifest.load(from: "\(certs)/fleet.json")
        #expect(manifest.devices.map(\.id) == ["tcu-00001", "tcu-00002", "tcu-00003", "tcu-expired-00001"])
        #expect(manifest.devices.last?.defect == .expired)
        #expect(manifest.devices.filter(\.revoked).map(\.id) == ["tcu-00002"])
    }

    @Test func usageErrorsExitTwoAndRunNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let noPKI = try await FleetsimBinary.run(
            ["pki", "issue", "--dir", directory.path("none"), "--count", "1"],
            in: directory
        )
        #expect(noPKI.status == 2)
        #expect(noPKI.inputErrorCode == "pki:no-pki", "\(noPKI.stderr)")
        let zero = try await FleetsimBinary.run(["pki", "issue", "--count", "0"], in: directory)
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--count"))
        let defect = try await FleetsimBinary.run(["pki", "issue", "--count", "1", "--defect", "rusty"], in: directory)
        #expect(defect.status == 2)
        let weakChoice = try await FleetsimBinary.run(
            ["pki", "init", "--dir", directory.path("c"), "--key", "rsa-1024"],
            in: directory
        )
        #expect(weakChoice.status == 2)
        #expect(!FileManager.default.fileExists(atPath: directory.path("c/root.key")))
    }

    @Test func versionNamesTheWolfSSLLoaded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let version = try await FleetsimBinary.run(["--version"], in: directory)
        #expect(version.status == 0)
        #expect(version.stdout.contains("wolfSSL 5."), "\(version.output)")
        let help = try await FleetsimBinary.run(["pki", "issue", "--help"], in: directory)
        #expect(help.stdout.contains("server-eku"))
        #expect(help.stdout.contains("default: none)"))
        #expect(help.stdout.contains("(default: certs)"))
    }
}
