import Foundation
import X509

/// Proof of possession of a CA's private key, as a cloud asks for it when the CA is registered
/// (Azure IoT Hub's "verify" step, AWS IoT Core's `register-ca-certificate --verification-cert`).
///
/// The cloud issues a code; the answer is a certificate whose subject CN is that code, signed by
/// the CA. The cloud checks the signature against the CA certificate it was given and the CN
/// against the code, so only whoever holds the CA's key can answer.
///
/// The certificate's own key proves nothing and nobody asks for it, so it is generated, used once
/// as the subject key, and dropped: no private key is written for a certificate that is only
/// uploaded. The certificate is not a device of the fleet and is never recorded in `fleet.json`.
public enum VerificationCertificate {
    /// Long enough to finish the registration, short enough that a stray copy soon means nothing.
    public static let lifetime: TimeInterval = 30 * 86400

    /// Signs a verification certificate for `code` with `authority`'s key: a fresh P-256 subject
    /// key, a random serial, notBefore an hour back (clock skew), basicConstraints CA:FALSE and
    /// keyUsage digitalSignature (both critical), SKI and AKI.
    ///
    /// - Throws: if signing fails (a CA key swift-certificates cannot sign with).
    public static func issue(
        code: VerificationCode,
        by authority: CertificateAuthority,
        now: Date = Date()
    ) throws -> Certificate {
        let subjectKey = try KeyAlgorithm.ecdsaP256.generate()
        return try authority.sign(
            template: .verification(code: code, validFor: Self.lifetime, now: now),
            publicKey: subjectKey.publicKey
        )
    }
}
