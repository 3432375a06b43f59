import Foundation
import SwiftASN1
import X509

/// Whether an OCSP response may be stapled for a server certificate: what `serve --ocsp-staple`
/// checks before it hands a response to wolfSSL, so a bad file stops start-up with a reason instead
/// of every device asking for a staple silently getting none.
///
/// wolfSSL 5.5.4 checks a response itself before stapling it (signature against its trusted CAs,
/// CertID, dates), but says nothing when it drops one; and it would staple a revoked one (measured).
/// This check is RFC 6960 §3.2 from the relying party's side: the response is for `certificate`
/// (serial, and the CertID's issuer name and key hashes), signed by the issuer itself or by a
/// responder certificate the issuer signed with id-kp-OCSPSigning (§4.2.2.2), and current.
public enum OCSPStapleCheck {
    /// What is wrong with a response, as a stable code.
    public enum Code: String, Sendable, CaseIterable {
        /// The bytes are not a DER OCSPResponse.
        case notAnOCSPResponse = "not-an-ocsp-response"
        /// responseStatus is not successful (malformedRequest, tryLater, …).
        case unsuccessful
        /// No SingleResponse names the certificate (another serial, or another issuer).
        case otherCertificate = "other-certificate"
        /// The signature does not verify with the issuer's key or an authorised responder's.
        case badSignature = "bad-signature"
        /// thisUpdate in the future, nextUpdate passed, or no nextUpdate at all.
        case notCurrent = "not-current"
        /// The status is revoked or unknown.
        case notGood = "not-good"
    }

    /// A response that cannot be stapled, and why.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let code: Code
        public let description: String
    }

    /// Clock skew tolerated on thisUpdate, as the responder (``OCSPResponder/clockSkewAllowance``).
    public static let skew: TimeInterval = 60

    /// The SingleResponse about `certificate` in `der`, once signature and dates check out.
    ///
    /// - Parameter requireGood: false in `aia` mode, where a revoked answer is stapled as the
    ///   responder gave it (a server cannot vouch for itself; devices must learn it is revoked).
    /// - Throws: ``Problem``.
    public static func check(
        _ der: [UInt8],
        certificate: Certificate,
        issuer: Certificate,
        now: Date = Date(),
        requireGood: Bool = true
    ) throws(Problem) -> OCSPSingleResponse {
        let response: OCSPResponse
        do {
            response = try OCSPResponse(derEncoded: der)
        } catch {
            throw Problem(code: .notAnOCSPResponse, description: "not a DER OCSP response (\(error))")
        }
        guard response.status == .successful, let basic = response.basic else {
            throw Problem(code: .unsuccessful, description: "the responder answered \(response.status), not successful")
        }
        guard let single = basic.responses.first(where: { Self.names($0.certID, certificate, issuer) }) else {
            throw Problem(
                code: .otherCertificate,
                description:
                    "it is not about this certificate (serial \(certificate.serialNumber), issuer '\(issuer.subject)')"
            )
        }
        guard Self.isAuthorised(basic, issuer: issuer) else {
            throw Problem(
                code: .badSignature,
                description:
                    "its signature does not verify with the key of '\(issuer.subject)' or of a responder it authorised (id-kp-OCSPSigning)"
            )
        }
        guard single.thisUpdate <= now.addingTimeInterval(Self.skew) else {
            throw Problem(code: .notCurrent, description: "its thisUpdate \(single.thisUpdate) is in the future")
        }
        guard let next = single.nextUpdate, next > now else {
            let when = single.nextUpdate.map { "its nextUpdate \($0) has passed" } ?? "it has no nextUpdate"
            throw Problem(code: .notCurrent, description: "\(when): fetch a fresh one")
        }
        if requireGood, single.status != .good {
            throw Problem(code: .notGood, description: "it says the certificate is \(single.status.name)")
        }
        return single
    }

    /// Whether `certID` names `certificate` as issued by `issuer`, in the CertID's own hash.
    static func names(_ certID: OCSPCertID, _ certificate: Certificate, _ issuer: Certificate) -> Bool {
        guard certID.serial == Array(certificate.serialNumber.bytes),
            let algorithm = OCSPHashAlgorithm(oid: certID.hashAlgorithm),
            let hashes = try? IssuerHashes(issuer, algorithm: algorithm)
        else { return false }
        return certID.names(hashes)
    }

    /// Signed by the issuer, or by a certificate in the response that the issuer signed for OCSP.
    static func isAuthorised(_ basic: BasicOCSPResponse, issuer: Certificate) -> Bool {
        if basic.isIdentified(as: issuer) { return basic.isSigned(by: issuer) }
        guard let responder = basic.certificates.first(where: { basic.isIdentified(as: $0) }),
            responder.issuer == issuer.subject,
            issuer.publicKey.isValidSignature(responder.signature, for: responder),
            (try? responder.extensions.extendedKeyUsage)?.contains(.ocspSigning) == true
        else { return false }
        return basic.isSigned(by: responder)
    }
}
