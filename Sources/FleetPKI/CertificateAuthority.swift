import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority that can sign certificates: its certificate, its key, and the chain
/// above it (empty for a root).
///
/// Issuing is synchronous and pure CPU, so callers may fan it out across cores.
public struct CertificateAuthority: Sendable {
    public let certificate: Certificate
    public let key: PrivateKeyMaterial
    /// Certificates above this CA up to (not including) the root; what a leaf's chain file appends.
    public let chainAbove: [Certificate]
    let algorithm: KeyAlgorithm

    public init(certificate: Certificate, key: PrivateKeyMaterial, chainAbove: [Certificate], algorithm: KeyAlgorithm) {
        self.certificate = certificate
        self.key = key
        self.chainAbove = chainAbove
        self.algorithm = algorithm
    }

    /// Makes a self-signed root CA.
    public static func makeRoot(
        commonName: String,
        algorithm: KeyAlgorithm = .ecdsaP256,
        validFor lifetime: TimeInterval = 10 * 365 * 86400,
        now: Date = Date()
    ) throws -> CertificateAuthority {
        let key = try algorithm.generate()
        let template = CertificateTemplate.certificateAuthority(
            commonName: commonName,
            validFor: lifetime,
            maxPathLength: 1,
            now: now
        )
        let certificate = try Self.sign(
            template: template,
            subjectKey: key.publicKey,
            issuerName: nil,
            issuerKey: key,
            issuerSKI: nil,
            signatureAlgorithm: algorithm.defaultSignatureAlgorithm
        )
        return CertificateAuthority(certificate: certificate, key: key, chainAbove: [], algorithm: algorithm)
    }

    /// Issues a subordinate (issuing) CA below this one.
    public func issueIntermediate(
        commonName: String,
        algorithm: KeyAlgorithm? = nil,
        validFor lifetime: TimeInterval = 5 * 365 * 86400,
        now: Date = Date()
    ) throws -> CertificateAuthority {
        let algorithm = algorithm ?? self.algorithm
        let key = try algorithm.generate()
        let template = CertificateTemplate.certificateAuthority(
            commonName: commonName,
            validFor: lifetime,
            maxPathLength: 0,
            now: now
        )
        let certificate = try self.sign(template: template, publicKey: key.publicKey)
        let above = self.chainAbove.isEmpty && self.isRoot ? [] : [self.certificate] + self.chainAbove
        return CertificateAuthority(certificate: certificate, key: key, chainAbove: above, algorithm: algorithm)
    }

    /// Issues a leaf for a fresh key of `algorithm`; the identity's chain is leaf + this CA (unless root)
    /// + the CAs above it.
    public func issueLeaf(template: CertificateTemplate, algorithm: KeyAlgorithm = .ecdsaP256) throws -> IssuedIdentity
    {
        let key = try algorithm.generate()
        let certificate = try self.sign(template: template, publicKey: key.publicKey)
        return IssuedIdentity(certificate: certificate, key: key, intermediates: self.issuingChain)
    }

    /// Signs `template` for `publicKey` with this CA's key.
    public func sign(template: CertificateTemplate, publicKey: Certificate.PublicKey) throws -> Certificate {
        try Self.sign(
            template: template,
            subjectKey: publicKey,
            issuerName: self.certificate.subject,
            issuerKey: self.key,
            issuerSKI: self.subjectKeyIdentifier,
            signatureAlgorithm: template.signatureAlgorithm ?? self.algorithm.defaultSignatureAlgorithm
        )
    }

    /// The intermediates a leaf issued here presents: this CA unless it is the root, then those above.
    public var issuingChain: [Certificate] {
        self.isRoot ? [] : [self.certificate] + self.chainAbove
    }

    var isRoot: Bool { self.certificate.subject == self.certificate.issuer }

    var subjectKeyIdentifier: ArraySlice<UInt8>? {
        (try? self.certificate.extensions.subjectKeyIdentifier)??.keyIdentifier
    }

    static func sign(
        template: CertificateTemplate,
        subjectKey: Certificate.PublicKey,
        issuerName: DistinguishedName?,
        issuerKey: PrivateKeyMaterial,
        issuerSKI: ArraySlice<UInt8>?,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate {
        let subject = try template.distinguishedName()
        let ski = SubjectKeyIdentifier(hash: subjectKey)
        var extensions = Certificate.Extensions()
        if template.isCertificateAuthority {
            try extensions.append(
                Certificate.Extension(
                    BasicConstraints.isCertificateAuthority(maxPathLength: template.maxPathLength),
                    critical: true
                )
            )
        } else {
            try extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
        }
        try extensions.append(Certificate.Extension(template.keyUsage, critical: true))
        if let usages = template.extendedKeyUsages {
            try extensions.append(Certificate.Extension(ExtendedKeyUsage(usages), critical: false))
        }
        try extensions.append(Certificate.Extension(ski, critical: false))
        // wolfSSL rejects an empty AuthorityKeyIdentifier (ASN_PARSE_E): only add one when the issuer has an SKI.
        let akiSource = issuerName == nil ? ski.keyIdentifier : issuerSKI
        if let akiSource {
            try extensions.append(
                Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: akiSource), critical: false)
            )
        }
        var altNames: [GeneralName] = template.dnsNames.map { .dnsName($0) }
        altNames += template.ipAddresses.compactMap { IPAddressBytes.parse($0) }.map {
            .ipAddress(ASN1OctetString(contentBytes: $0[...]))
        }
        if !altNames.isEmpty {
            try extensions.append(Certificate.Extension(SubjectAlternativeNames(altNames), critical: false))
        }
        if let url = template.ocspURL {
            let access = AuthorityInformationAccess([
                .init(method: .ocspServer, location: .uniformResourceIdentifier(url))
            ])
            try extensions.append(Certificate.Extension(access, critical: false))
        }
        if template.ocspNoCheck {
            try extensions.append(Certificate.Extension(oid: .ocspNoCheck, critical: false, value: [0x05, 0x00]))
        }
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: subjectKey,
            notValidBefore: template.notBefore,
            notValidAfter: template.notAfter,
            issuer: issuerName ?? subject,
            subject: subject,
            signatureAlgorithm: signatureAlgorithm,
            extensions: extensions,
            issuerPrivateKey: issuerKey.key
        )
    }
}

extension CertificateTemplate {
    /// The subject DN: O, then CN, then serialNumber (2.5.4.5) when set.
    func distinguishedName() throws -> DistinguishedName {
        var attributes: [RelativeDistinguishedName.Attribute] = []
        if let organization {
            attributes.append(.init(type: .RDNAttributeType.organizationName, utf8String: organization))
        }
        attributes.append(.init(type: .RDNAttributeType.commonName, utf8String: self.commonName))
        if let subjectSerialNumber {
            attributes.append(try .init(type: .RDNAttributeType.serialNumber, printableString: subjectSerialNumber))
        }
        return DistinguishedName(attributes.map { RelativeDistinguishedName($0) })
    }
}

extension ASN1ObjectIdentifier {
    /// id-pkix-ocsp-nocheck (1.3.6.1.5.5.7.48.1.5), whose value is NULL.
    public static let ocspNoCheck: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]
}

extension ASN1ObjectIdentifier.RDNAttributeType {
    /// serialNumber (2.5.4.5): the device serial many IoT backends identify a device by.
    public static let serialNumber: ASN1ObjectIdentifier = [2, 5, 4, 5]
}
