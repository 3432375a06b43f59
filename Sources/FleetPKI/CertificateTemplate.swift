import Foundation
import SwiftASN1
import X509

/// What goes into one certificate, before it is signed: subject, validity and usages.
///
/// Templates are plain values so that deliberate defects (expired, server-only EKU, no EKU…) are
/// one-line changes of a good template rather than separate code paths.
public struct CertificateTemplate: Sendable {
    /// The subject's common name (the device id for devices).
    public var commonName: String
    /// The serialNumber DN attribute (2.5.4.5) many backends identify devices by; nil to omit.
    public var subjectSerialNumber: String?
    public var organization: String?
    public var notBefore: Date
    public var notAfter: Date
    /// Extended key usages; nil omits the extension altogether (the `no-eku` defect).
    public var extendedKeyUsages: [ExtendedKeyUsage.Usage]?
    public var keyUsage: KeyUsage
    /// Whether the certificate is a CA (basicConstraints CA:TRUE).
    public var isCertificateAuthority: Bool
    /// Path length constraint for CAs.
    public var maxPathLength: Int?
    /// subjectAltName dNSName entries.
    public var dnsNames: [String]
    /// subjectAltName iPAddress entries, as text (`127.0.0.1`, `::1`).
    public var ipAddresses: [String]
    /// Overrides the issuer's signature algorithm (the `sha1` defect).
    public var signatureAlgorithm: Certificate.SignatureAlgorithm?
    /// Where relying parties ask for this certificate's status: an Authority Information Access
    /// extension with this OCSP URL (id-ad-ocsp); nil omits it.
    public var ocspURL: String?
    /// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): for a delegated OCSP responder's certificate,
    /// so relying parties do not ask the responder about itself.
    public var ocspNoCheck: Bool

    public init(
        commonName: String,
        subjectSerialNumber: String? = nil,
        organization: String? = "fleetsim",
        notBefore: Date,
        notAfter: Date,
        extendedKeyUsages: [ExtendedKeyUsage.Usage]? = nil,
        keyUsage: KeyUsage = KeyUsage(digitalSignature: true),
        isCertificateAuthority: Bool = false,
        maxPathLength: Int? = nil,
        dnsNames: [String] = [],
        ipAddresses: [String] = [],
        signatureAlgorithm: Certificate.SignatureAlgorithm? = nil,
        ocspURL: String? = nil,
        ocspNoCheck: Bool = false
    ) {
        self.commonName = commonName
        self.subjectSerialNumber = subjectSerialNumber
        self.organization = organization
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.extendedKeyUsages = extendedKeyUsages
        self.keyUsage = keyUsage
        self.isCertificateAuthority = isCertificateAuthority
        self.maxPathLength = maxPathLength
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.signatureAlgorithm = signatureAlgorithm
        self.ocspURL = ocspURL
        self.ocspNoCheck = ocspNoCheck
    }

    /// A CA certificate: keyUsage keyCertSign + cRLSign, basicConstraints CA:TRUE.
    public static func certificateAuthority(
        commonName: String,
        validFor lifetime: TimeInterval,
        maxPathLength: Int? = nil,
        now: Date = Date()
    ) -> CertificateTemplate {
        CertificateTemplate(
            commonName: commonName,
            notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(lifetime),
            keyUsage: KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true),
            isCertificateAuthority: true,
            maxPathLength: maxPathLength
        )
    }

    /// A server certificate: EKU serverAuth and a SAN entry for every name (DNS or IP).
    public static func server(
        names: [String],
        validFor lifetime: TimeInterval,
        now: Date = Date()
    ) -> CertificateTemplate {
        let ips = names.filter(Self.isIPAddress)
        return CertificateTemplate(
            commonName: names.first ?? "localhost",
            notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(lifetime),
            extendedKeyUsages: [.serverAuth],
            dnsNames: names.filter { !Self.isIPAddress($0) },
            ipAddresses: ips
        )
    }

    /// A device (client) certificate: CN and serialNumber = device id, EKU clientAuth.
    public static func device(
        id: String,
        validFor lifetime: TimeInterval,
        now: Date = Date()
    ) -> CertificateTemplate {
        CertificateTemplate(
            commonName: id,
            subjectSerialNumber: id,
            notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(lifetime),
            extendedKeyUsages: [.clientAuth]
        )
    }

    /// A CA-verification certificate: CN = the cloud's code and nothing else in the subject (the
    /// cloud compares the CN), keyUsage digitalSignature, no EKU (it is never used in TLS).
    public static func verification(
        code: VerificationCode,
        validFor lifetime: TimeInterval,
        now: Date = Date()
    ) -> CertificateTemplate {
        CertificateTemplate(
            commonName: code.value,
            organization: nil,
            notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(lifetime)
        )
    }

    /// A delegated OCSP responder (RFC 6960 §4.2.2.2): EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck,
    /// keyUsage digitalSignature; issued by the CA whose certificates it answers for.
    public static func ocspResponder(validFor lifetime: TimeInterval, now: Date = Date()) -> CertificateTemplate {
        CertificateTemplate(
            commonName: "fleetsim OCSP responder",
            notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(lifetime),
            extendedKeyUsages: [.ocspSigning],
            ocspNoCheck: true
        )
    }

    static func isIPAddress(_ name: String) -> Bool {
        IPAddressBytes.parse(name) != nil
    }
}
