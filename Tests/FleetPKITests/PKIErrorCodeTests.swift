import FleetPKI
import FleetTestSupport
import Foundation
import SwiftASN1
import Testing
import X509

/// Every ``PKIError`` code a bad file can cause, asserted by code and by the file it is about —
/// never by the wording of the message.
@Suite struct PKIErrorCodeTests {
    @Test func aCertificateFileThatCannotBeUsedSaysWhy() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try KeyAlgorithm.ecdsaP256.generate().pkcs8PEM
        let notADER = PEMDocument(type: "CERTIFICATE", derBytes: [0x30, 0x03, 0x02, 0x01, 0x00]).pemString
        let cases: [(path: String, code: PKIError.Code)] = [
            (directory.path("missing.pem"), .noSuchFile),
            (directory.url.path, .fileUnreadable),  // a directory where a file belongs
            (try directory.write("garbage.pem", "this is not PEM at all\n"), .notPEM),
            (try directory.write("empty.pem", ""), .notPEM),
            (try directory.write("key.pem", key), .notACertificate),
            (try directory.write("not-der.pem", notADER), .certificateUnparseable),
        ]
        for (path, code) in cases {
            let error = #expect(throws: PKIError.self, "\(path)") { try PEMFile.certificates(at: path) }
            #expect(error?.code == code, "\(path): \(error?.message ?? "")")
            #expect(error?.path == path)
        }
    }

    @Test func aCAWhoseKeyCannotBeUsedSaysWhy() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = try CertificateAuthority.makeRoot(commonName: "test root")
        let certificatePath = try directory.write("root.pem", PEMText.encode([root.certificate]))
        let cases: [(key: String, code: PKIError.Code)] = [
            ("not a key\n", .keyUnreadable),
            (PEMText.encode([root.certificate]), .keyUnreadable),
            (try KeyAlgorithm.ecdsaP256.generate().pkcs8PEM, .keyMismatch),
        ]
        for (key, code) in cases {
            let keyPath = try directory.write("root.key", key)
            let error = #expect(throws: PKIError.self) {
                try CertificateAuthority.load(certificatePath: certificatePath, keyPath: keyPath)
            }
            #expect(error?.code == code, "\(error?.message ?? "")")
            #expect(error?.path == keyPath)
        }
        let keyPath = try directory.write("root.key", root.key.pkcs8PEM)
        #expect(
            try CertificateAuthority.load(certificatePath: certificatePath, keyPath: keyPath).certificate
                == root.certificate
        )
    }

    @Test func aCAWithAKeyTypeFleetsimDoesNotIssueWithIsUnsupported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let made = try await ForeignProcess.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-nodes", "-keyout",
                directory.path("ca.key"),
                "-out", directory.path("ca.pem"), "-subj", "/CN=P-521 root", "-days", "1",
            ],
            in: directory
        )
        #expect(made.status == 0, "\(made.output)")
        let error = #expect(throws: PKIError.self) {
            try CertificateAuthority.load(certificatePath: directory.path("ca.pem"), keyPath: directory.path("ca.key"))
        }
        #expect(error?.code == .unsupportedKey, "\(error?.message ?? "")")
        #expect(error?.path == directory.path("ca.pem"))
    }

    @Test func bytesThatAreNotACRLSayWhy() throws {
        let root = try CertificateAuthority.makeRoot(commonName: "test root")
        let certificate = PEMText.encode([root.certificate])
        let notACRL = #expect(throws: PKIError.self) { try RevocationList(bytes: Array(certificate.utf8)) }
        #expect(notACRL?.code == .notACRL)
        let truncated = #expect(throws: PKIError.self) { try RevocationList(bytes: [0x30, 0x03, 0x02, 0x01, 0x00]) }
        #expect(truncated?.code == .crlMalformed)
        let crl = try RevocationList.make(issuer: root, revoked: [], number: 1, thisUpdate: Date())
        #expect(try RevocationList(bytes: Array(crl.utf8)).number == 1)
    }

    @Test func errorsAreEqualByCode() {
        #expect(
            PKIError(.noSuchFile, "a: no such file", path: "a") == PKIError(.noSuchFile, "b: no such file", path: "b")
        )
        #expect(PKIError(.noSuchFile, "a") != PKIError(.fileUnreadable, "a"))
        #expect(Set(PKIError.Code.allCases.map(\.rawValue)).count == PKIError.Code.allCases.count)
    }
}
