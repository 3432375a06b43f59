import Fleet
import FleetFuzzSupport
import FleetPKI
import FleetTLS
import Foundation
import X509

/// Fuzz target for everything that reads a device's files: the input is a certificate chain and a
/// key, separated by a zero byte. It goes through the file reader (PEM or DER, keys decrypted with
/// the passphrase "fuzz"), the TLS context's identity check (wolfSSL's PEM and key loading, the
/// key-pair check), the certificate lint with its diagnosis, the PEM reader, the CRL parser, and
/// the OCSP request parser and responder (what `pki ocsp` reads from the network) and response
/// parser. Nothing may crash; every rejection is a thrown error, a finding or an OCSP error status.
enum IdentityFuzz {
    struct Trust: Sendable {
        let root: CertificateAuthority
        let context: TLSContext
    }

    /// One root for the whole run, made in memory (no key is committed for the fuzzer).
    static let trust: Trust = {
        let root = try! CertificateAuthority.makeRoot(commonName: "fleetsim fuzz root")
        let pem = try! root.certificate.serializeAsPEM().pemString
        return Trust(root: root, context: try! TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: pem)))
    }()

    static func check(_ bytes: [UInt8]) {
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        let chain = Array(bytes[..<split])
        let key = split < bytes.count ? Array(bytes[(split + 1)...]) : []
        let trust = Self.trust
        _ = try? trust.context.validate(DeviceIdentity(label: "fuzz", chainPEM: chain, keyPEM: key))
        // The files as users have them: DER or PEM, encrypted keys decrypted by wolfSSL.
        if let chainPEM = try? IdentityFiles.chainPEM(chain, label: "fuzz"),
            let keyPEM = try? IdentityFiles.keyPEM(key, label: "fuzz", passphrase: KeyPassphrase("fuzz"))
        {
            _ = try? trust.context.validate(DeviceIdentity(label: "fuzz", chainPEM: chainPEM, keyPEM: keyPEM))
        }
        let diagnosis = DeviceDiagnosis(trusted: [trust.root.certificate], crl: nil)
        _ = diagnosis.findings(
            chainPEM: String(decoding: chain, as: UTF8.self),
            keyPEM: String(decoding: key, as: UTF8.self),
            id: "fuzz"
        )
        _ = try? PEMFile.certificates(in: String(decoding: bytes, as: UTF8.self), source: "fuzz")
        _ = try? RevocationList(bytes: bytes)
        _ = Self.responder.answer(bytes)
        _ = try? OCSPResponse(derEncoded: bytes)
    }

    /// An OCSP responder for the fuzz root, knowing no certificate.
    static let responder: OCSPResponder = {
        let root = Self.trust.root
        let book = OCSPStatusBook(manifest: FleetManifest(), issuingAlgorithm: .ecdsaP256)
        return try! OCSPResponder(issuer: root.certificate, signer: .issuing(root), book: book, validity: 3600)
    }()

    /// Seeds: good and defective identities (chain, zero byte, key) and a CRL, made fresh.
    static func makeCorpus(in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let root = Self.trust.root
        let intermediate = try root.issueIntermediate(commonName: "fuzz issuing CA")
        let templates: [(String, CertificateTemplate)] = [
            ("good", .device(id: "fuzz-1", validFor: 86_400)),
            ("expired", .device(id: "fuzz-2", validFor: 86_400, now: Date(timeIntervalSinceNow: -3 * 86_400))),
            ("server", .server(names: ["localhost"], validFor: 86_400)),
        ]
        for (name, template) in templates {
            let issued = try intermediate.issueLeaf(template: template)
            let chain = issued.chainPEM
            let bytes = Array(chain.utf8) + [0] + Array(issued.keyPEM.utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
        let leaf = try intermediate.issueLeaf(template: .device(id: "fuzz-3", validFor: 86_400)).certificate
        let request = try OCSPRequest(
            certIDs: [try OCSPCertID(certificate: leaf, issuer: root.certificate)],
            nonce: Array(0..<16)
        ).derEncoded()
        try Data(request).write(to: URL(fileURLWithPath: "\(directory)/ocsp-request"))
        try Data(Self.responder.answer(request).bytes).write(to: URL(fileURLWithPath: "\(directory)/ocsp-response"))
        let crl = try RevocationList.make(
            issuer: intermediate,
            revoked: [],
            number: 1,
            thisUpdate: Date(),
            validFor: 3600
        )
        try Data(crl.utf8).write(to: URL(fileURLWithPath: "\(directory)/crl"))
    }
}

#if FUZZING
    @_cdecl("fleetsim_fuzz_identity_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        runLibFuzzer(argc, argv) { data, size in
            IdentityFuzz.check(fuzzInput(data, size))
            return 0
        }
    }
#else
    @main
    struct IdentityFuzzReplay {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "--make-corpus", arguments.count == 2 {
                try IdentityFuzz.makeCorpus(in: arguments[1])
                print("seed corpus written to \(arguments[1])")
                return
            }
            let count = FuzzCorpus.replay(arguments, IdentityFuzz.check)
            print("replayed \(count) inputs through the identity loader and lint: no failure")
        }
    }
#endif
