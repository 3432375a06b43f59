import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// What `pki` makes is what it claims to be, judged by OpenSSL's own CLI.
@Suite struct OpenSSLAgreesTests {
    @Test func openSSLVerifiesTheServerAndEveryGoodDevice() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        let good = fixture.pki.manifest.devices.filter { $0.defect == .none }.map { layout.deviceCertificate($0.id) }
        #expect(good.count == 2)
        for file in [layout.serverCertificate] + good {
            let result = try await ForeignProcess.run(
                "openssl",
                ["verify", "-CAfile", layout.rootCertificate, "-untrusted", layout.intermediateCertificate, file],
                in: fixture.directory
            )
            #expect(result.status == 0, "\(result.output)")
            #expect(result.stdout.contains("\(file): OK"))
        }
        // …and names the server's purpose correctly.
        let purpose = try await ForeignProcess.run(
            "openssl",
            [
                "verify", "-purpose", "sslserver", "-CAfile", layout.rootCertificate, "-untrusted",
                layout.intermediateCertificate,
                layout.serverCertificate,
            ],
            in: fixture.directory
        )
        #expect(purpose.status == 0, "\(purpose.output)")
    }

    @Test func openSSLSeesTheRevokedDeviceRevoked() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        let bundle = try fixture.directory.write(
            "crl-and-chain.pem",
            try fixture.text(layout.crl) + (try fixture.text(layout.caChain))
        )
        let revoked = try await ForeignProcess.run(
            "openssl",
            [
                "verify", "-crl_check", "-CAfile", bundle, "-untrusted", layout.intermediateCertificate,
                fixture.certificatePath(.revoked),
            ],
            in: fixture.directory
        )
        #expect(revoked.status != 0)
        #expect(revoked.output.contains("certificate revoked"), "\(revoked.output)")
        let good = try await ForeignProcess.run(
            "openssl",
            [
                "verify", "-crl_check", "-CAfile", bundle, "-untrusted", layout.intermediateCertificate,
                fixture.certificatePath(.none),
            ],
            in: fixture.directory
        )
        #expect(good.status == 0, "\(good.output)")
    }

    @Test func openSSLShowsTheIntendedExtensions() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let id = fixture.devices[.none]!
        let text = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-text", "-in", fixture.certificatePath(.none)],
            in: fixture.directory
        )
        #expect(text.stdout.contains("Subject: O = fleetsim, CN = \(id), serialNumber = \(id)"), "\(text.stdout)")
        #expect(text.stdout.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        #expect(text.stdout.contains("X509v3 Extended Key Usage: \n                TLS Web Client Authentication\n"))
        #expect(text.stdout.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(text.stdout.contains("X509v3 Subject Key Identifier"))
        #expect(text.stdout.contains("X509v3 Authority Key Identifier"))

        let server = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-text", "-in", fixture.certificatePath(.serverEKU)],
            in: fixture.directory
        )
        #expect(server.stdout.contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication\n"))
        let noEKU = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-text", "-in", fixture.certificatePath(.noEKU)],
            in: fixture.directory
        )
        #expect(!noEKU.stdout.contains("Extended Key Usage"))
        let sha1 = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-text", "-in", fixture.certificatePath(.sha1)],
            in: fixture.directory
        )
        #expect(sha1.stdout.contains("Signature Algorithm: sha1WithRSAEncryption"))
        let weak = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-text", "-in", fixture.certificatePath(.weakRSA)],
            in: fixture.directory
        )
        #expect(weak.stdout.contains("Public-Key: (1024 bit)"))
        let expired = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-checkend", "0", "-in", fixture.certificatePath(.expired)],
            in: fixture.directory
        )
        #expect(expired.stdout.contains("will expire"))
    }

    @Test func chainFilesHoldWhatEachDefectSays() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        #expect(try PEMFile.certificates(at: fixture.certificatePath(.none)).count == 2)
        #expect(try PEMFile.certificates(at: fixture.certificatePath(.noChain)).count == 1)
        #expect(try PEMFile.certificates(at: fixture.certificatePath(.selfSigned)).count == 1)
        let wrongCA = try PEMFile.certificates(at: fixture.certificatePath(.wrongCA))
        #expect(wrongCA[1].subject != fixture.pki.intermediate.certificate.subject)
    }
}
