import X509

/// Finding the certificate that issued another among candidates, by name and signature. OCSP
/// needs the issuer itself (its name and key are hashed into the CertID, and it signs or
/// delegates the answer), not just its name.
public enum CertificateIssuer {
    /// The first of `candidates` whose subject is `certificate`'s issuer and whose key verifies
    /// its signature; nil when none does.
    public static func find(of certificate: Certificate, among candidates: [Certificate]) -> Certificate? {
        candidates.first {
            $0.subject == certificate.issuer && $0.publicKey.isValidSignature(certificate.signature, for: certificate)
        }
    }
}
