import FleetTestSupport
import Foundation
import Testing

@testable import FleetTLS

/// The staple reader on responses `openssl ocsp` made: status, reason, dates and responder.
@Suite struct OCSPStapleFactsTests {
    @Test func readsGoodAndRevokedResponsesFromOpenSSL() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-staple-facts")
        defer { directory.remove() }
        let ca = try await OpenSSLCA.make("facts-ca", in: directory)
        let (server, _) = try await ca.issueServer("facts-server", ocspURL: "http://127.0.0.1:9/")
        let goodPath = try await ca.ocspResponse(for: server, .fromDatabase, name: "facts-good")
        try await ca.openssl([
            "ca", "-config", ca.config, "-cert", ca.certificate, "-keyfile", ca.key, "-revoke", server,
            "-crl_reason", "keyCompromise",
        ])
        let revokedPath = try await ca.ocspResponse(for: server, .fromDatabase, name: "facts-revoked")

        let good = try #require(OCSPStapleFacts(der: Array(try Data(contentsOf: URL(fileURLWithPath: goodPath)))))
        #expect(good.status == "good")
        #expect(good.responder == "CN=facts-ca")
        let thisUpdate = try #require(good.thisUpdate)
        let nextUpdate = try #require(good.nextUpdate)
        #expect(abs(thisUpdate.timeIntervalSinceNow) < 600)
        #expect(abs(nextUpdate.timeIntervalSince(thisUpdate) - 86_400) < 60, "-ndays 1")

        let revoked = try #require(
            OCSPStapleFacts(der: Array(try Data(contentsOf: URL(fileURLWithPath: revokedPath))))
        )
        #expect(revoked.status == "revoked")
        #expect(revoked.revocationReason == "keyCompromise")
        #expect(revoked.revocationTime != nil)
        #expect(OCSPStapleFacts(der: [0x30, 0x03, 0x0A, 0x01, 0x06]) == nil, "tryLater: no basic response")
    }
}
