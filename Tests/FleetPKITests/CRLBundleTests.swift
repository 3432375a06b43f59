import FleetPKI
import FleetTestSupport
import Foundation
import Testing
import X509

/// A file of several CRLs (openssl-made): every one is read, and the lint judges a certificate by
/// the CRL of its own issuer, wherever that CRL stands in the bundle.
@Suite struct CRLBundleTests {
    @Test func everyCRLOfABundleIsReadAndTheIssuersOneIsUsed() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-crl-bundle")
        defer { directory.remove() }
        let root = try await OpenSSLCA.make("bundle-root", in: directory)
        let issuing = try await root.issueIntermediate("bundle-issuing")
        let (revoked, _) = try await issuing.issue("dev-revoked")
        let (good, _) = try await issuing.issue("dev-good")
        try await issuing.revoke(revoked)
        let text =
            try String(contentsOfFile: try await root.crl(), encoding: .utf8)
            + String(contentsOfFile: try await issuing.crl(), encoding: .utf8)
        let crls = try RevocationList.all(in: Array(text.utf8))
        #expect(crls.count == 2)
        #expect(RevocationList.pemBlocks(in: text).count == 2)
        let trusted = try PEMFile.certificates(at: root.certificate)
        let chain = { (leaf: String) in
            try PEMFile.certificates(at: leaf) + PEMFile.certificates(at: issuing.certificate)
        }
        let lint = CertificateLint(role: .client, trusted: trusted, crls: crls)
        #expect(lint.lint(try chain(revoked)).compactMap(\.code) == [.revoked])
        #expect(lint.lint(try chain(good)).compactMap(\.code).isEmpty)
    }
}
