import FleetPKI
import FleetTestSupport
import Foundation
import SwiftASN1
import Testing
import X509

/// Every defect kind gets its diagnosis code — for our own certificates here, for OpenSSL-made
/// ones in `OpenSSLMadeLintTests`.
@Suite struct CertificateLintTests {
    static let expected: [(DeviceDefect, DiagnosisCode?, LintFinding.Severity?)] = [
        (.none, nil, nil),
        (.expired, .expired, .error),
        (.notYetValid, .notYetValid, .error),
        (.serverEKU, .missingClientAuthEKU, .error),
        (.noEKU, .missingClientAuthEKU, .warning),
        (.wrongCA, .untrustedIssuer, .error),
        (.selfSigned, .selfSigned, .error),
        (.noChain, .incompleteChain, .error),
        (.revoked, .revoked, .error),
        (.keyMismatch, .keyMismatch, .error),
        (.sha1, .weakSignature, .error),
    ]

    @Test func everyDefectKindGetsItsCode() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let crl = try RevocationList(bytes: Array(try fixture.text(fixture.layout.crl).utf8))
        let roots = try PEMFile.certificates(at: fixture.layout.rootCertificate)
        for (defect, code, severity) in Self.expected {
            let chain = try PEMFile.certificates(at: fixture.certificatePath(defect))
            let lint = CertificateLint(
                role: .client,
                trusted: roots,
                crl: crl,
                keyPEM: try fixture.text(fixture.keyPath(defect))
            )
            let problems = lint.lint(chain).filter { $0.code != nil }
            if let code {
                #expect(problems.map(\.code) == [code], "\(defect): \(problems)")
                #expect(problems.first?.severity == severity, "\(defect)")
            } else {
                #expect(problems.isEmpty, "\(defect): \(problems)")
            }
        }
    }

    @Test func weakRSACertificatesAreNamedNotCalledGarbage() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        // swift-certificates cannot parse it at all…
        let unparseable = #expect(throws: PKIError.self) {
            try PEMFile.certificates(at: fixture.certificatePath(.weakRSA))
        }
        #expect(unparseable?.code == .certificateUnparseable)
        // …but the probe finds the key size, which is the defect.
        let pem = try fixture.text(fixture.certificatePath(.weakRSA))
        let der = try #require(try PEMDocument.parseMultiple(pemString: pem).first?.derBytes)
        #expect(WeakRSAProbe.rsaModulusBits(certificateDER: der) == 1024)
        let good = try #require(
            try PEMDocument.parseMultiple(pemString: try fixture.text(fixture.certificatePath(.none))).first
        )
        #expect(WeakRSAProbe.rsaModulusBits(certificateDER: good.derBytes) == nil)  // ECDSA: not RSA
    }

    @Test func messagesSayWhatABackendWillDo() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let chain = try PEMFile.certificates(at: fixture.certificatePath(.serverEKU))
        let finding = try #require(CertificateLint().lint(chain).first { $0.code == .missingClientAuthEKU })
        // It names what the certificate has, what it lacks, and the alert a backend will send.
        #expect(finding.message.contains("1.3.6.1.5.5.7.3.1"))
        #expect(finding.message.contains("1.3.6.1.5.5.7.3.2"))
        #expect(finding.message.contains("unsupported_certificate"))

        let expired = try PEMFile.certificates(at: fixture.certificatePath(.expired))
        let clock = expired[0].notValidAfter.addingTimeInterval(1421 * 86400)
        let message = try #require(CertificateLint(clock: clock).lint(expired).first { $0.code == .expired }?.message)
        #expect(message.contains("1,421 days"), "\(message)")
    }

    @Test func aDeviceClockBeforeValidityIsNotYetValid() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let chain = try PEMFile.certificates(at: fixture.certificatePath(.none))
        // A device that booted without a real-time clock thinks it is 2000-01-01.
        let codes = CertificateLint(clock: Date(timeIntervalSince1970: 946_684_800)).lint(chain).compactMap(\.code)
        #expect(codes == [.notYetValid])
    }

    @Test func serverRoleChecksServerAuth() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let roots = try PEMFile.certificates(at: fixture.layout.rootCertificate)
        let server = try PEMFile.certificates(at: fixture.layout.serverCertificate)
        #expect(CertificateLint(role: .server, trusted: roots).lint(server).filter { $0.severity != .info }.isEmpty)
        let device = try PEMFile.certificates(at: fixture.certificatePath(.none))
        #expect(
            CertificateLint(role: .server, trusted: roots).lint(device).compactMap(\.code).contains(
                .missingServerAuthEKU
            )
        )
    }
}
