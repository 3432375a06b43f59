import FleetPKI
import FleetTestSupport
import Foundation
import SwiftASN1
import Testing
import X509

/// `pki verification-cert` below the command line: which codes are accepted, what the certificate
/// holds, and that loading a CA needs only that CA's files.
@Suite struct VerificationCertificateTests {
    /// What AWS IoT Core hands out: 64 hexadecimal characters, exactly X.520's CN bound.
    static let awsStyleCode = String(repeating: "0123456789abcdef", count: 4)

    @Test func aCodeIsOneToSixtyFourPrintableASCIICharacters() throws {
        for accepted in ["A", Self.awsStyleCode, "reg/code 42", "~!#$%&'()*+,-.:;<=>?@[]^_`{|}"] {
            #expect(try VerificationCode(accepted).value == accepted)
        }
        let refused = [
            "",
            Self.awsStyleCode + "0",
            "ab\u{07}c",
            "abc\n",
            "tab\there",
            "del\u{7F}",
            "caf\u{E9}",
            " leading",
            "trailing ",
        ]
        for text in refused {
            let error = #expect(throws: PKIError.self, "\(text.debugDescription)") { try VerificationCode(text) }
            #expect(error?.code == .badVerificationCode, "\(text.debugDescription)")
            #expect(error?.message.hasPrefix("--code ") == true, "names the option: \(error?.message ?? "")")
        }
    }

    @Test func theDefaultFileNameIsOnePlainFileBesideTheCAs() throws {
        let layout = PKILayout(directory: "certs")
        #expect(
            layout.verificationCertificate(try VerificationCode("ABC-12_3.x")) == "certs/verification-ABC-12_3.x.pem"
        )
        #expect(layout.verificationCertificate(try VerificationCode("a/../b c")) == "certs/verification-a_.._b_c.pem")
    }

    @Test(arguments: [KeyAlgorithm.ecdsaP256, .rsa2048])
    func theCertificateIsSignedByTheCAWithTheCodeAsItsOnlySubject(algorithm: KeyAlgorithm) throws {
        let root = try CertificateAuthority.makeRoot(commonName: "test root", algorithm: algorithm)
        let issuing = try root.issueIntermediate(commonName: "test issuing CA")
        let code = try VerificationCode(Self.awsStyleCode)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let certificate = try VerificationCertificate.issue(code: code, by: issuing, now: now)

        let subject = certificate.subject.flatMap { Array($0) }
        #expect(subject.map(\.type) == [.RDNAttributeType.commonName])
        #expect(subject.first.flatMap { String($0.value) } == code.value)
        #expect(certificate.issuer == issuing.certificate.subject)
        #expect(issuing.certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        #expect(!root.certificate.publicKey.isValidSignature(certificate.signature, for: certificate))

        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(certificate.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
        #expect(try certificate.extensions.keyUsage == KeyUsage(digitalSignature: true))
        #expect(certificate.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try certificate.extensions.extendedKeyUsage == nil)
        #expect(certificate.notValidBefore == now.addingTimeInterval(-3600))
        #expect(certificate.notValidAfter == now.addingTimeInterval(30 * 86400))

        // A fresh key and a random serial each time: two answers to one code share nothing.
        let again = try VerificationCertificate.issue(code: code, by: issuing, now: now)
        #expect(again.serialNumber != certificate.serialNumber)
        #expect(again.publicKey != certificate.publicKey)
        #expect(certificate.serialNumber.bytes.count >= 8)
    }

    @Test func loadingOneCANeedsOnlyItsOwnFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = directory.path("certs")
        let pki = try PrivatePKI.create(in: certs, algorithm: .ecdsaP256, serverNames: ["localhost"], force: false)
        try FileManager.default.removeItem(atPath: pki.layout.rootKey)  // the root key kept offline
        try FileManager.default.removeItem(atPath: pki.layout.manifest)
        #expect(try PrivatePKI.authority(.issuing, in: certs).certificate == pki.intermediate.certificate)
        let noRootKey = #expect(throws: PKIError.self) { try PrivatePKI.authority(.root, in: certs) }
        #expect(noRootKey?.code == .noSuchFile)
        #expect(noRootKey?.path == pki.layout.rootKey)

        let empty = directory.path("empty")
        let noPKI = #expect(throws: PKIError.self) { try PrivatePKI.authority(.issuing, in: empty) }
        #expect(noPKI?.code == .noPKI)
        #expect(noPKI?.path == empty)
    }
}
