import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// `fleetsim inspect` as a user runs it: exit 0 clean, 1 with errors, 2 on unreadable input.
@Suite struct InspectCommandTests {
    @Test func exitCodesFollowTheFindings() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let ca = fixture.layout.rootCertificate
        let clean = try await FleetsimBinary.run(
            ["inspect", fixture.certificatePath(.none), "--ca", ca, "--key", fixture.keyPath(.none)],
            in: fixture.directory
        )
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.stdout.contains("no problems found"))

        let serverEKU = try await FleetsimBinary.run(["inspect", fixture.certificatePath(.serverEKU), "--ca", ca], in: fixture.directory)
        #expect(serverEKU.status == 1)
        #expect(serverEKU.stdout.contains("missing-client-auth-eku"))
        #expect(serverEKU.stdout.contains("this is a server certificate"))

        let weak = try await FleetsimBinary.run(["inspect", fixture.certificatePath(.weakRSA)], in: fixture.directory)
        #expect(weak.status == 1, "\(weak.output)")
        #expect(weak.stdout.contains("weak-key"))

        let revoked = try await FleetsimBinary.run(
            ["inspect", fixture.certificatePath(.revoked), "--ca", ca, "--crl", fixture.layout.crl, "--json"],
            in: fixture.directory
        )
        #expect(revoked.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(revoked.stdout.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["code"] as? String == "revoked" && $0["severity"] as? String == "error" })
        #expect(findings.allSatisfy { $0.keys.contains("code") && $0["message"] is String })
        #expect(json["errors"] as? Int == 1)
    }

    @Test func unreadableInputExitsTwoNamingTheFile() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let garbage = try fixture.directory.write("garbage.pem", "this is not a certificate\n")
        let cases: [([String], String)] = [
            (["inspect", fixture.directory.path("missing.pem")], "missing.pem: no such file"),
            (["inspect", garbage], "garbage.pem: not a PEM certificate"),
            (["inspect", fixture.keyPath(.none)], "expected a certificate, found a PRIVATE KEY block"),
            (["inspect", fixture.certificatePath(.none), "--key", garbage], "garbage.pem: expected a PEM private key"),
            (["inspect", fixture.certificatePath(.none), "--ca", garbage], "garbage.pem"),
            (["inspect", fixture.certificatePath(.none), "--crl", garbage], "garbage.pem: not a CRL"),
        ]
        for (arguments, message) in cases {
            let result = try await FleetsimBinary.run(arguments, in: fixture.directory)
            #expect(result.status == 2, "\(arguments): \(result.output)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.output.contains("Fatal error"))
        }
    }
}
