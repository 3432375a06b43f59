import FleetPKI
import FleetTestSupport
import Foundation
import Testing
import X509

/// ``OCSPResponseCheck`` on responses `openssl ocsp` made (and Python's `cryptography`, for a stale
/// one): each verdict a relying party can reach, so `inspect --ocsp` and `serve --device-ocsp` say
/// revoked, unknown or invalid for the right reason and never believe what they must not.
@Suite struct OCSPResponseCheckTests {
    struct Fixture {
        let ca: OpenSSLCA
        let other: OpenSSLCA
        let certificate: Certificate
        let issuer: Certificate
        let path: String

        func response(_ status: OpenSSLCA.StapledStatus, _ name: String) async throws -> [UInt8] {
            Array(
                try Data(
                    contentsOf: URL(fileURLWithPath: try await self.ca.ocspResponse(for: self.path, status, name: name))
                )
            )
        }

        var check: OCSPResponseCheck { OCSPResponseCheck(certificate: self.certificate, issuer: self.issuer) }
    }

    static func fixture(_ directory: TemporaryDirectory) async throws -> Fixture {
        let ca = try await OpenSSLCA.make("check-ca", in: directory)
        let other = try await OpenSSLCA.make("check-other", in: directory)
        let (path, _) = try await ca.issue("tcu-check")
        return Fixture(
            ca: ca,
            other: other,
            certificate: try PEMFile.certificates(at: path)[0],
            issuer: try PEMFile.certificates(at: ca.certificate)[0],
            path: path
        )
    }

    @Test func goodThenRevokedWithItsTime() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try await Self.fixture(directory)

        let good = fixture.check.judge(try await fixture.response(.fromDatabase, "good"))
        guard case .good(let thisUpdate, let nextUpdate) = good else {
            Issue.record("expected good, got \(good)")
            return
        }
        #expect(abs(thisUpdate.timeIntervalSinceNow) < 300)
        #expect(nextUpdate.map { $0 > Date() } == true)

        try await fixture.ca.revoke(fixture.path)
        let revoked = fixture.check.judge(try await fixture.response(.fromDatabase, "revoked"))
        guard case .revoked(let at, _, _) = revoked else {
            Issue.record("expected revoked, got \(revoked)")
            return
        }
        #expect(abs(at.timeIntervalSinceNow) < 300, "openssl ca -revoke records now")
        #expect(revoked.name == "revoked")
    }

    @Test func unknownIsNotGood() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try await Self.fixture(directory)
        let verdict = fixture.check.judge(try await fixture.response(.unknown, "unknown"))
        #expect(verdict.name == "unknown", "\(verdict)")
    }

    @Test func responsesThatMustNotBeBelieved() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try await Self.fixture(directory)

        let foreign = fixture.check.judge(try await fixture.response(.signedBy(fixture.other), "foreign"))
        #expect(foreign.name == "invalid", "signed by another CA's key: \(foreign)")
        let stale = fixture.check.judge(try await fixture.response(.stale, "stale"))
        #expect(stale.name == "invalid", "nextUpdate a day ago: \(stale)")

        // A good response about another certificate of the same CA.
        let (otherPath, _) = try await fixture.ca.issue("tcu-other")
        let aboutOther = Array(
            try Data(
                contentsOf: URL(
                    fileURLWithPath: try await fixture.ca.ocspResponse(for: otherPath, .fromDatabase, name: "o")
                )
            )
        )
        #expect(fixture.check.judge(aboutOther).name == "invalid")

        // Judged two days later, the good response has passed its nextUpdate.
        let good = try await fixture.response(.fromDatabase, "good")
        #expect(fixture.check.judge(good, now: Date().addingTimeInterval(2 * 86400)).name == "invalid")
        // A nonce the response does not carry is accepted (openssl made it with -no_nonce), as
        // `openssl ocsp` does.
        #expect(fixture.check.judge(good, nonce: [1, 2, 3]).name == "good")
    }

    @Test func answersThatAreNotOCSPAreUnavailable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let check = try await Self.fixture(directory).check
        #expect(check.judge(Array("<html>".utf8)).name == "unavailable")
        #expect(check.judge([]).name == "unavailable")
        #expect(check.judge(OCSPResponse.error(.tryLater)).name == "unavailable")
        #expect(check.judge(OCSPResponse.error(.unauthorized)).name == "unavailable")
    }

    @Test func findingsPerVerdict() {
        let url = "http://127.0.0.1:2560"
        let now = Date()
        #expect(
            CertificateLint.ocspFindings(.good(thisUpdate: now, nextUpdate: nil), responder: url).map(\.code) == [nil]
        )
        let revoked = CertificateLint.ocspFindings(
            .revoked(at: now, reason: .keyCompromise, nextUpdate: nil),
            responder: url
        )
        #expect(revoked.map(\.code) == [.revoked])
        #expect(revoked.map(\.severity) == [.error])
        #expect(CertificateLint.ocspFindings(.unknown(nextUpdate: nil), responder: url).map(\.code) == [.ocspUnknown])
        #expect(CertificateLint.ocspFindings(.unavailable("down"), responder: url).map(\.code) == [.ocspUnavailable])
        #expect(CertificateLint.ocspFindings(.invalid("stale"), responder: url).map(\.severity) == [.warning])
    }

}
