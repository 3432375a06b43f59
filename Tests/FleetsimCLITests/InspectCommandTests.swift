import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// `fleetsim inspect` as a user runs it: exit 0 clean, 1 with errors, 2 on unreadable input.
@Suite struct InspectCommandTests {
    /// `inspect --json`: the exit status and the report's findings.
    func inspect(_ arguments: [String], in fixture: PKIFixture) async throws -> (
        status: Int32, report: [String: Any], codes: [String]
    ) {
        let result = try await FleetsimBinary.run(["inspect"] + arguments + ["--json"], in: fixture.directory)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            "\(result.output)"
        )
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.allSatisfy { $0.keys.contains("code") && $0["message"] is String }, "\(findings)")
        return (result.status, report, findings.compactMap { $0["code"] as? String })
    }

    @Test func exitCodesFollowTheFindings() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let ca = fixture.layout.rootCertificate
        let clean = try await self.inspect(
            [fixture.certificatePath(.none), "--ca", ca, "--key", fixture.keyPath(.none)],
            in: fixture
        )
        #expect(clean.status == 0, "\(clean.report)")
        #expect(clean.codes.isEmpty)
        #expect(clean.report["errors"] as? Int == 0)

        let serverEKU = try await self.inspect([fixture.certificatePath(.serverEKU), "--ca", ca], in: fixture)
        #expect(serverEKU.status == 1)
        #expect(serverEKU.codes == ["missing-client-auth-eku"])

        let weak = try await self.inspect([fixture.certificatePath(.weakRSA)], in: fixture)
        #expect(weak.status == 1, "\(weak.report)")
        #expect(weak.codes.contains("weak-key"), "\(weak.codes)")

        let revoked = try await self.inspect(
            [fixture.certificatePath(.revoked), "--ca", ca, "--crl", fixture.layout.crl],
            in: fixture
        )
        #expect(revoked.status == 1)
        let findings = try #require(revoked.report["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["code"] as? String == "revoked" && $0["severity"] as? String == "error" })
        #expect(revoked.report["errors"] as? Int == 1)
    }

    @Test func unreadableInputExitsTwoNamingTheFile() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let garbage = try fixture.directory.write("garbage.pem", "this is not a certificate\n")
        let cases: [(arguments: [String], code: String)] = [
            (["inspect", fixture.directory.path("missing.pem")], "pki:no-such-file"),
            (["inspect", garbage], "pki:not-pem"),
            (["inspect", fixture.keyPath(.none)], "pki:not-a-certificate"),
            (["inspect", fixture.certificatePath(.none), "--key", garbage], "not-a-key"),
            (["inspect", fixture.certificatePath(.none), "--ca", garbage], "pki:not-pem"),
            (["inspect", fixture.certificatePath(.none), "--crl", garbage], "not-a-crl"),
        ]
        for (arguments, code) in cases {
            let result = try await FleetsimBinary.run(arguments, in: fixture.directory)
            #expect(result.status == 2, "\(arguments): \(result.output)")
            #expect(result.inputErrorCode == code, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(arguments.last!), "the message names the file: \(result.stderr)")
        }
    }
}
