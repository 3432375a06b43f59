import FleetPKI
import FleetTestSupport
import Foundation
import SwiftASN1
import Testing
import X509

/// The lint is not tied to fleetsim's own certificates: a small CA run with the `openssl` CLI
/// (`openssl ca` with explicit dates and extension sections) makes each defect, and the lint
/// names it.
@Suite struct OpenSSLMadeLintTests {
    func codes(_ certificate: String, key: String? = nil, trusting ca: OpenSSLCA, crl: String? = nil) throws
        -> [DiagnosisCode]
    {
        let lint = CertificateLint(
            role: .client,
            trusted: try PEMFile.certificates(at: ca.certificate),
            crl: try crl.map { try RevocationList(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: $0)))) },
            keyPEM: try key.map { try String(contentsOfFile: $0, encoding: .utf8) }
        )
        return lint.lint(try PEMFile.certificates(at: certificate)).compactMap(\.code)
    }

    @Test func openSSLMadeDefectsAreDiagnosed() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-openssl-ca")
        defer { directory.remove() }
        let ca = try await OpenSSLCA.make("OpenSSL Root", in: directory)
        let other = try await OpenSSLCA.make("Other Root", in: directory)
        let legacy = try await OpenSSLCA.make("Legacy RSA Root", in: directory, rsa: true)

        let (good, goodKey) = try await ca.issue("dev-good")
        #expect(try self.codes(good, key: goodKey, trusting: ca).isEmpty)

        let (expired, _) = try await ca.issue("dev-expired", start: "20200101000000Z", end: "20200201000000Z")
        #expect(try self.codes(expired, trusting: ca) == [.expired])

        let (future, _) = try await ca.issue("dev-future", start: "20400101000000Z", end: "20410101000000Z")
        #expect(try self.codes(future, trusting: ca) == [.notYetValid])

        let (serverOnly, _) = try await ca.issue("dev-server", extensions: "server_only")
        #expect(try self.codes(serverOnly, trusting: ca) == [.missingClientAuthEKU])

        let (noEKU, _) = try await ca.issue("dev-no-eku", extensions: "no_eku")
        #expect(try self.codes(noEKU, trusting: ca) == [.missingClientAuthEKU])

        let (caLeaf, _) = try await ca.issue("dev-ca", extensions: "ca_leaf")
        #expect(try self.codes(caLeaf, trusting: ca) == [.caCertificate])

        // Issued by another CA, presented with that CA's certificate.
        let (foreign, _) = try await other.issue("dev-foreign")
        let foreignChain = try directory.write(
            "dev-foreign-chain.pem",
            try String(contentsOfFile: foreign, encoding: .utf8)
                + (try String(contentsOfFile: other.certificate, encoding: .utf8))
        )
        #expect(try self.codes(foreignChain, trusting: ca) == [.untrustedIssuer])

        let (_, otherKey) = try await ca.issue("dev-other-key")
        #expect(try self.codes(good, key: otherKey, trusting: ca) == [.keyMismatch])

        let (sha1, _) = try await legacy.issue("dev-sha1", digest: "sha1")
        #expect(try self.codes(sha1, trusting: legacy) == [.weakSignature])

        // Self-signed device certificate made by `openssl req -x509`.
        let selfSigned = directory.path("dev-self.pem")
        try await ca.openssl(
            [
                "req", "-x509", "-config", ca.config, "-extensions", "client", "-nodes", "-days", "30", "-subj",
                "/CN=dev-self",
                "-keyout", directory.path("dev-self.key"), "-out", selfSigned,
            ] + OpenSSLCA.keyArguments(rsa: nil)
        )
        #expect(try self.codes(selfSigned, trusting: ca) == [.selfSigned])

        // Revoked with `openssl ca -revoke`, CRL from `openssl ca -gencrl`.
        let (revoked, _) = try await ca.issue("dev-revoked")
        try await ca.openssl([
            "ca", "-config", ca.config, "-cert", ca.certificate, "-keyfile", ca.key, "-revoke", revoked,
        ])
        let crl = directory.path("openssl.crl")
        try await ca.openssl([
            "ca", "-gencrl", "-config", ca.config, "-cert", ca.certificate, "-keyfile", ca.key, "-out", crl,
        ])
        #expect(try self.codes(revoked, trusting: ca, crl: crl) == [.revoked])
        #expect(try self.codes(good, trusting: ca, crl: crl).isEmpty)
        let parsed = try RevocationList(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: crl))))
        #expect(parsed.isSigned(by: try PEMFile.certificates(at: ca.certificate)[0]))

        // Missing intermediate: root → intermediate → leaf, the file holds only the leaf.
        let intermediateKey = directory.path("sub.key")
        let intermediateCSR = directory.path("sub.csr")
        let intermediate = directory.path("sub.pem")
        try await ca.openssl(
            [
                "req", "-new", "-config", ca.config, "-nodes", "-subj", "/CN=OpenSSL Sub CA",
                "-keyout", intermediateKey, "-out", intermediateCSR,
            ] + OpenSSLCA.keyArguments(rsa: nil)
        )
        try await ca.openssl([
            "ca", "-batch", "-notext", "-config", ca.config, "-cert", ca.certificate, "-keyfile", ca.key,
            "-in", intermediateCSR, "-out", intermediate, "-extensions", "v3_ca", "-extfile", ca.config, "-days", "30",
        ])
        let leafCSR = directory.path("dev-nochain.csr")
        let leaf = directory.path("dev-nochain.pem")
        try await ca.openssl(
            [
                "req", "-new", "-config", ca.config, "-nodes", "-subj", "/CN=dev-nochain",
                "-keyout", directory.path("dev-nochain.key"), "-out", leafCSR,
            ] + OpenSSLCA.keyArguments(rsa: nil)
        )
        try await ca.openssl([
            "x509", "-req", "-in", leafCSR, "-CA", intermediate, "-CAkey", intermediateKey, "-CAcreateserial",
            "-out", leaf, "-days", "30", "-extfile", ca.config, "-extensions", "client",
        ])
        #expect(try self.codes(leaf, trusting: ca) == [.incompleteChain])
        let full = try directory.write(
            "dev-chain.pem",
            try String(contentsOfFile: leaf, encoding: .utf8)
                + (try String(contentsOfFile: intermediate, encoding: .utf8))
        )
        #expect(try self.codes(full, trusting: ca).isEmpty)

        // RSA-1024: swift-certificates refuses it; the probe names it.
        let (weak, _) = try await ca.issue("dev-weak", rsa: 1024)
        let pem = try String(contentsOfFile: weak, encoding: .utf8)
        let der = try #require(try PEMDocument.parseMultiple(pemString: pem).first?.derBytes)
        #expect(WeakRSAProbe.rsaModulusBits(certificateDER: der) == 1024)
    }
}
