import Foundation
import X509

/// Who signs a PKI's OCSP responses (`pki ocsp --signer`).
///
/// RFC 6960 §4.2.2.2 allows the CA itself, or a responder it delegated to with a certificate for
/// id-kp-OCSPSigning. Delegation keeps the issuing CA's key off a network service; signing with
/// the CA needs no extra certificate in each response.
public enum OCSPSignerRole: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The issuing CA signs with its own key.
    case issuing
    /// A responder certificate issued by the issuing CA signs (made on first use, then reused).
    case delegated

    public var description: String { self.rawValue }
}

/// A key that signs OCSP responses, its certificate, and the certificates a response carries so
/// relying parties can verify it.
public struct OCSPSigner: Sendable {
    public let key: Certificate.PrivateKey
    public let certificate: Certificate
    /// What goes in the response's `certs`: nothing when the CA signs (the client has it, it named
    /// it in the CertID); the responder's certificate and its issuer when delegated.
    public let included: [Certificate]
    let signatureAlgorithm: Certificate.SignatureAlgorithm

    /// The issuing CA signs itself.
    public static func issuing(_ authority: CertificateAuthority) -> OCSPSigner {
        OCSPSigner(
            key: authority.key.key,
            certificate: authority.certificate,
            included: [],
            signatureAlgorithm: authority.algorithm.defaultSignatureAlgorithm
        )
    }

    /// How long a delegated responder certificate is made for; one that would expire within a
    /// day of a response's nextUpdate is replaced.
    public static let delegatedLifetime: TimeInterval = 90 * 86400

    /// The delegated responder of `authority`: `ocsp-responder.pem`/`.key` under `layout` when
    /// they are still good — signed by `authority`, the key its own, valid past `until` —, else a
    /// new one written there (key 0600, both atomically).
    ///
    /// - Throws: ``PKIError`` or ``AtomicFile/WriteError`` when the files cannot be written.
    public static func delegated(
        by authority: CertificateAuthority,
        layout: PKILayout,
        until: Date,
        now: Date = Date()
    ) throws -> OCSPSigner {
        if let existing = try? CertificateAuthority.load(
            certificatePath: layout.ocspResponderCertificate,
            keyPath: layout.ocspResponderKey
        ), Self.isValidResponder(existing.certificate, of: authority, until: until) {
            return Self.delegated(existing, by: authority)
        }
        let responder = try authority.issueLeaf(
            template: .ocspResponder(validFor: Self.delegatedLifetime, now: now),
            algorithm: authority.algorithm
        )
        try AtomicFile.write(responder.keyPEM, to: layout.ocspResponderKey, mode: 0o600)
        try AtomicFile.write(responder.chainPEM, to: layout.ocspResponderCertificate)
        let made = CertificateAuthority(
            certificate: responder.certificate,
            key: responder.key,
            chainAbove: [],
            algorithm: authority.algorithm
        )
        return Self.delegated(made, by: authority)
    }

    /// `responder` is a certificate and key, not a CA: the type that holds both.
    private static func delegated(_ responder: CertificateAuthority, by authority: CertificateAuthority) -> OCSPSigner {
        OCSPSigner(
            key: responder.key.key,
            certificate: responder.certificate,
            included: [responder.certificate, authority.certificate],
            signatureAlgorithm: responder.algorithm.defaultSignatureAlgorithm
        )
    }

    private static func isValidResponder(_ certificate: Certificate, of authority: CertificateAuthority, until: Date)
        -> Bool
    {
        let usages = (try? certificate.extensions.extendedKeyUsage)??.contains(.ocspSigning) ?? false
        return usages && certificate.issuer == authority.certificate.subject
            && authority.certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
            && certificate.notValidAfter > until.addingTimeInterval(86400)
    }
}
