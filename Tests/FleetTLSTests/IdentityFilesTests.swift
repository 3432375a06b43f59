import FleetPKI
import FleetTestSupport
import SwiftASN1
import Testing

@testable import FleetTLS

/// Identity files in every form become the PEM wolfSSL loads, told apart by content; what is not
/// a certificate or a key, or an encrypted key without its passphrase, is `identity-invalid` by name.
/// (openssl-made files, encrypted ones included, go through `fleetsim run` in IdentityInputsTests.)
@Suite struct IdentityFilesTests {
    let pki: TestPKI
    let device: IssuedIdentity

    init() throws {
        self.pki = try TestPKI()
        self.device = try self.pki.device(.good)
    }

    func der(_ pem: String) throws -> [UInt8] {
        try PEMDocument(pemString: pem).derBytes
    }

    func failure(_ body: () throws(TLSFailure) -> String) -> TLSFailure? {
        do {
            let text = try body()
            Issue.record("expected a failure, got \(text.prefix(40))…")
            return nil
        } catch {
            #expect(error.outcome == .identityInvalid)
            return error
        }
    }

    @Test func derCertificateAndKeyLoadLikeTheirPEM() throws {
        let certificate = try self.der(self.device.certificatePEM)
        let key = try self.der(self.device.keyPEM)
        let chainPEM = try IdentityFiles.chainPEM(certificate, label: "tcu-der")
        let keyPEM = try IdentityFiles.keyPEM(key, label: "tcu-der", passphrase: nil)
        #expect(try PEMDocument(pemString: chainPEM).derBytes == certificate)
        #expect(try PEMDocument(pemString: keyPEM).discriminator == "PRIVATE KEY")
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        #expect(try context.validate(DeviceIdentity(label: "tcu-der", chainPEM: chainPEM, keyPEM: keyPEM)).isValidated)

        // PEM is kept as it is, whatever the file is called.
        #expect(try IdentityFiles.chainPEM(Array(self.device.chainPEM.utf8), label: "x") == self.device.chainPEM)
        #expect(
            try IdentityFiles.keyPEM(Array(self.device.keyPEM.utf8), label: "x", passphrase: nil) == self.device.keyPEM
        )
    }

    @Test func keyStructuresAreToldFromTheirShape() throws {
        let pkcs8 = try self.der(self.device.keyPEM)
        #expect(PrivateKeyStructure(der: pkcs8) == .pkcs8)
        // The SEC1 ECPrivateKey inside the PKCS#8 envelope.
        guard case .constructed(let children) = try DER.parse(pkcs8).content,
            let inner = Array(children).last, case .primitive(let sec1) = inner.content
        else {
            Issue.record("not PKCS#8")
            return
        }
        #expect(PrivateKeyStructure(der: Array(sec1)) == .sec1)
        #expect(PrivateKeyStructure(der: try self.der(self.device.certificatePEM)) == nil, "a certificate is no key")
        #expect(PrivateKeyStructure(der: pkcs8 + [0]) == nil, "trailing bytes")
        #expect(PrivateKeyStructure(der: Array("garbage".utf8)) == nil)
        #expect(PrivateKeyStructure(der: []) == nil)
        #expect(PrivateKeyStructure.pkcs1.pemLabel == "RSA PRIVATE KEY")

        // Block-cipher padding left after a legacy decryption goes; other trailing bytes stay.
        #expect(PrivateKeyStructure.strippingPadding(Array(sec1) + [7, 7, 7, 7, 7, 7, 7]) == Array(sec1))
        #expect(PrivateKeyStructure.strippingPadding(Array(sec1) + [7, 7, 1]) == Array(sec1) + [7, 7, 1])
        #expect(PrivateKeyStructure.strippingPadding([0x30]) == [0x30])
    }

    @Test func whatIsNotACertificateOrAKeyIsNamed() throws {
        let key = try self.der(self.device.keyPEM)
        let certificate = try self.der(self.device.certificatePEM)
        let cases: [(() throws(TLSFailure) -> String, String)] = [
            ({ () throws(TLSFailure) in try IdentityFiles.chainPEM(key, label: "tcu-1") }, "holds a DER private key"),
            (
                { () throws(TLSFailure) in try IdentityFiles.chainPEM(Array("nothing here\n".utf8), label: "tcu-1") },
                "neither PEM nor one DER certificate"
            ),
            (
                { () throws(TLSFailure) in try IdentityFiles.chainPEM(certificate + certificate, label: "tcu-1") },
                "leaf alone"
            ),
            (
                { () throws(TLSFailure) in try IdentityFiles.keyPEM(certificate, label: "tcu-1", passphrase: nil) },
                "neither a PEM private key nor a DER one"
            ),
            (
                { () throws(TLSFailure) in try IdentityFiles.keyPEM([], label: "tcu-1", passphrase: nil) },
                "neither a PEM private key nor a DER one"
            ),
        ]
        for (body, words) in cases {
            let detail = self.failure(body)?.detail ?? ""
            #expect(detail.hasPrefix("tcu-1: ") && detail.contains(words), "\(detail)")
        }
    }

    @Test func encryptedKeysNeedTheRightPassphrase() throws {
        let encrypted = Array("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n".utf8)
        let missing = self.failure { () throws(TLSFailure) in
            try IdentityFiles.keyPEM(encrypted, label: "tcu-2", passphrase: nil)
        }
        #expect(missing?.detail.contains("passphrase-protected") == true)
        #expect(missing?.detail.contains("--key-passphrase-env") == true)
        let legacy = Array(
            "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00000000000000000000000000000000\n\nAAAA\n-----END EC PRIVATE KEY-----\n"
                .utf8
        )
        for file in [encrypted, legacy] {
            let wrong = self.failure { () throws(TLSFailure) in
                try IdentityFiles.keyPEM(file, label: "tcu-2", passphrase: KeyPassphrase("guess"))
            }
            #expect(wrong?.detail.hasPrefix("tcu-2: wrong passphrase") == true, "\(wrong?.detail ?? "")")
        }
        // A device key given directly (not from files) is still refused by name when encrypted.
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        let direct = DeviceIdentity(label: "tcu-3", chainPEM: Array(self.device.chainPEM.utf8), keyPEM: encrypted)
        #expect(throws: TLSFailure.self) { try context.validate(direct) }
    }

    @Test func thePassphraseNeverPrints() {
        let passphrase = KeyPassphrase("hunter2-very-secret")
        var dumped = ""
        dump(passphrase, to: &dumped)
        for text in [String(describing: passphrase), String(reflecting: passphrase), "\(passphrase)", dumped] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(passphrase.withCString { String(cString: $0) } == "hunter2-very-secret")
    }

    @Test func theDeviceIDIsTheSerialNumberElseTheCNElseTheURI() {
        let all = PeerIdentity(commonName: "cn", serialNumber: "serial", uri: "urn:dev:x")
        #expect(all.deviceID == "serial")
        #expect(all.isNamed("cn") && all.isNamed("serial") && all.isNamed("urn:dev:x") && !all.isNamed("other"))
        #expect(PeerIdentity(commonName: "cn", serialNumber: nil, uri: "urn:dev:x").deviceID == "cn")
        #expect(
            PeerIdentity(commonName: nil, serialNumber: nil, uri: "spiffe://fleet.example/x").deviceID
                == "spiffe://fleet.example/x"
        )
        #expect(PeerIdentity(commonName: nil, serialNumber: nil).deviceID == nil)
    }
}
