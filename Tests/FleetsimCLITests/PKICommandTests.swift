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
        let created = try await FleetsimBinary.run(["pki", "init", "--dir", certs, "--server-name", "broker.local"], in: directory)
        #expect(created.status == 0, "\(created.output)")
        #expect(created.stdout.contains("server certificate for broker.local"))

        let again = try await FleetsimBinary.run(["pki", "init", "--dir", certs], in: directory)
        #expect(again.status == 2)
        #expect(again.stderr.contains("already holds a PKI"))
        #expect(again.stderr.contains("--force"))

        let issued = try await FleetsimBinary.run(["pki", "issue", "--dir", certs, "--count", "3"], in: directory)
        #expect(issued.status == 0, "\(issued.output)")
        #expect(issued.stdout.contains("issued 3 devices tcu-00001 … tcu-00003"))
        let expired = try await FleetsimBinary.run(["pki", "issue", "--dir", certs, "--count", "1", "--defect", "expired"], in: directory)
        #expect(expired.stdout.contains("tcu-expired-00001"))

        let revoked = try await FleetsimBinary.run(["pki", "revoke", "--dir", certs, "tcu-00002"], in: directory)
        #expect(revoked.status == 0, "\(revoked.output)")
        #expect(revoked.stdout.contains("CRL #2 lists 1 certificate"))
        let unknown = try await FleetsimBinary.run(["pki", "revoke", "--dir", certs, "tcu-99999"], in: directory)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("tcu-99999"))

        let manifest = try FleetManifest.load(from: "\(certs)/fleet.json")
        #expect(manifest.devices.map(\.id) == ["tcu-00001", "tcu-00002", "tcu-00003", "tcu-expired-00001"])
        #expect(manifest.devices.filter(\.revoked).map(\.id) == ["tcu-00002"])
    }

    @Test func usageErrorsExitTwoAndRunNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let noPKI = try await FleetsimBinary.run(["pki", "issue", "--dir", directory.path("none"), "--count", "1"], in: directory)
        #expect(noPKI.status == 2)
        #expect(noPKI.stderr.contains("pki init"))
        let zero = try await FleetsimBinary.run(["pki", "issue", "--count", "0"], in: directory)
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--count"))
        let defect = try await FleetsimBinary.run(["pki", "issue", "--count", "1", "--defect", "rusty"], in: directory)
        #expect(defect.status == 2)
        let weakChoice = try await FleetsimBinary.run(["pki", "init", "--dir", directory.path("c"), "--key", "rsa-1024"], in: directory)
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
