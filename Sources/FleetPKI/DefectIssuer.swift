import Foundation
import X509

/// Issues device identities with exactly one deliberate defect, and writes them to disk.
///
/// Whatever a defect needs besides the fleet's own CAs (a rogue CA for `wrong-ca`, an RSA issuing
/// CA for `sha1` when the fleet's CAs are ECDSA) is made once per batch, in `init`.
struct DefectIssuer: Sendable {
    let defect: DeviceDefect
    let algorithm: KeyAlgorithm
    let now: Date
    /// The CA that signs this batch's leaves.
    let issuer: CertificateAuthority
    /// The PKI's OCSP URL (`pki init --ocsp-url`), put in every leaf's AIA.
    let ocspURL: String?

    init(pki: PrivatePKI, defect: DeviceDefect, algorithm: KeyAlgorithm, now: Date) throws {
        self.defect = defect
        self.now = now
        self.algorithm = defect == .weakRSA ? .rsa1024 : algorithm
        self.ocspURL = pki.manifest.ocspURL
        switch defect {
        case _ where Self.signsWithIssuingCA(defect, issuingAlgorithm: pki.intermediate.algorithm):
            self.issuer = pki.intermediate
        case .wrongCA:
            let rogueRoot = try CertificateAuthority.makeRoot(
                commonName: "untrusted root CA",
                algorithm: algorithm,
                now: now
            )
            self.issuer = try rogueRoot.issueIntermediate(commonName: "untrusted issuing CA", now: now)
        case .sha1:
            // SHA-1 signatures exist here only as sha1WithRSAEncryption: sign with an RSA issuing CA
            // under the fleet's own root, so SHA-1 is the only thing wrong with the chain.
            self.issuer = try pki.root.issueIntermediate(
                commonName: "fleetsim legacy RSA issuing CA",
                algorithm: .rsa2048,
                now: now
            )
        default:
            self.issuer = pki.intermediate
        }
    }

    /// Whether devices with `defect` are signed by the PKI's issuing CA: all but `wrong-ca` (a
    /// rogue CA), `self-signed`, and `sha1` under non-RSA CAs (a legacy RSA issuing CA). The OCSP
    /// responder answers for exactly these; the others are not its to answer for.
    static func signsWithIssuingCA(_ defect: DeviceDefect, issuingAlgorithm: KeyAlgorithm) -> Bool {
        switch defect {
        case .wrongCA, .selfSigned: false
        case .sha1: issuingAlgorithm == .rsa2048
        case .none, .expired, .notYetValid, .serverEKU, .noEKU, .noChain, .revoked, .keyMismatch, .weakRSA: true
        }
    }

    func issue(id: String, layout: PKILayout) throws -> FleetManifest.Device {
        var template = CertificateTemplate.device(id: id, validFor: PrivatePKI.deviceLifetime, now: self.now)
        template.ocspURL = self.ocspURL
        switch self.defect {
        case .expired:
            template.notBefore = self.now.addingTimeInterval(-400 * 86400)
            template.notAfter = self.now.addingTimeInterval(-30 * 86400)
        case .notYetValid:
            template.notBefore = self.now.addingTimeInterval(30 * 86400)
            template.notAfter = self.now.addingTimeInterval(400 * 86400)
        case .serverEKU:
            template.extendedKeyUsages = [.serverAuth]
        case .noEKU:
            template.extendedKeyUsages = nil
        case .sha1:
            template.signatureAlgorithm = .sha1WithRSAEncryption
        case .none, .wrongCA, .selfSigned, .noChain, .revoked, .keyMismatch, .weakRSA:
            break
        }

        let identity: IssuedIdentity
        if self.defect == .selfSigned {
            let key = try self.algorithm.generate()
            let certificate = try CertificateAuthority.sign(
                template: template,
                subjectKey: key.publicKey,
                issuerName: nil,
                issuerKey: key,
                issuerSKI: nil,
                signatureAlgorithm: self.algorithm.defaultSignatureAlgorithm
            )
            identity = IssuedIdentity(certificate: certificate, key: key, intermediates: [])
        } else {
            identity = try self.issuer.issueLeaf(template: template, algorithm: self.algorithm)
        }

        let chain = self.defect == .noChain ? identity.certificatePEM : identity.chainPEM
        let keyPEM = self.defect == .keyMismatch ? try self.algorithm.generate().pkcs8PEM : identity.keyPEM
        try AtomicFile.write(keyPEM, to: layout.deviceKey(id), mode: 0o600)
        try AtomicFile.write(chain, to: layout.deviceCertificate(id))
        return FleetManifest.Device(
            id: id,
            defect: self.defect,
            serial: CertificateFacts.serialHex(identity.certificate),
            fingerprint: CertificateFacts.fingerprint(identity.certificate),
            key: self.algorithm.rawValue,
            revoked: self.defect == .revoked
        )
    }
}
