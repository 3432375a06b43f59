import Foundation
import X509

/// Checks an OCSP response for one certificate as a relying party must (RFC 6960 §3.2) before
/// believing it: signed by the certificate's issuer or by a responder that issuer delegated to
/// (id-kp-OCSPSigning, valid now), about this very certificate, current, and not carrying another
/// nonce than the one sent. Shared by `inspect --ocsp`, `serve --device-ocsp` and the diagnosis of `run`,
/// so every place that says "revoked" or "good" means the same thing.
public struct OCSPResponseCheck: Sendable {
    /// How far thisUpdate may lie in the future and nextUpdate in the past: clocks of responders
    /// and relying parties differ by seconds to minutes.
    public static let clockSkew: TimeInterval = 300

    public let certificate: Certificate
    public let issuer: Certificate

    public init(certificate: Certificate, issuer: Certificate) {
        self.certificate = certificate
        self.issuer = issuer
    }

    /// The verdict on `bytes`, the DER the responder returned.
    ///
    /// - Parameters:
    ///   - nonce: the nonce the request carried; a response that carries a different one is refused.
    ///   - now: the time the response is judged at.
    public func judge(_ bytes: [UInt8], nonce: [UInt8]? = nil, now: Date = Date()) -> OCSPVerdict {
        let response: OCSPResponse
        do { response = try OCSPResponse(derEncoded: bytes) } catch {
            return .unavailable("the answer is not an OCSP response (\(bytes.count) bytes)")
        }
        guard response.status == .successful, let basic = response.basic else {
            return .unavailable(
                "the responder answered \(response.status) (OCSP response status \(response.status.rawValue))"
            )
        }
        if let refusal = self.signatureRefusal(basic, now: now) {
            // "unknown" from a responder that is not the certificate's is what RFC 6960 §2.2
            // means by it (not my CA's), and believing it can only refuse, never admit.
            let serial = Array(self.certificate.serialNumber.bytes)
            if let single = basic.responses.first(where: { $0.certID.serial == serial }), single.status == .unknown {
                return .unknown(nextUpdate: nil)
            }
            return .invalid(refusal)
        }
        // A response without a nonce is believed, as `openssl ocsp` does (RFC 8954 §2.1 lets
        // responders pre-sign answers, RFC 5019 ones always do); one with another nonce is not.
        if let nonce, let echoed = basic.nonce, OCSPNonce.value(of: echoed) != nonce {
            return .invalid("the response carries another nonce than the request's (a replayed answer)")
        }
        let serial = Array(self.certificate.serialNumber.bytes)
        guard
            let single = basic.responses.first(where: {
                $0.certID.serial == serial && self.isIssuer($0.certID)
            })
        else { return .invalid("the response is not about this certificate (no CertID with its serial and issuer)") }
        if single.thisUpdate > now.addingTimeInterval(Self.clockSkew) {
            return .invalid("thisUpdate \(OCSPVerdict.stamp(single.thisUpdate)) is in the future")
        }
        if let next = single.nextUpdate, next < now.addingTimeInterval(-Self.clockSkew) {
            return .invalid("stale: nextUpdate \(OCSPVerdict.stamp(next)) has passed")
        }
        switch single.status {
        case .good: return .good(thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate)
        case .revoked(let at, let reason): return .revoked(at: at, reason: reason, nextUpdate: single.nextUpdate)
        case .unknown: return .unknown(nextUpdate: single.nextUpdate)
        }
    }

    /// Whether a CertID names this check's issuer, whichever hash the responder used.
    func isIssuer(_ id: OCSPCertID) -> Bool {
        guard let algorithm = OCSPHashAlgorithm(oid: id.hashAlgorithm),
            let expected = try? OCSPCertID(certificate: self.certificate, issuer: self.issuer, hash: algorithm)
        else { return false }
        return expected.issuerNameHash == id.issuerNameHash && expected.issuerKeyHash == id.issuerKeyHash
    }

    /// Why the response's signature does not count, or nil when it does: the issuer signed it, or
    /// a certificate in the response that the issuer signed for OCSPSigning, valid now.
    func signatureRefusal(_ basic: BasicOCSPResponse, now: Date) -> String? {
        if basic.isIdentified(as: self.issuer) {
            return basic.isSigned(by: self.issuer) ? nil : "the signature does not verify with the issuer's key"
        }
        guard let responder = basic.certificates.first(where: { basic.isIdentified(as: $0) }) else {
            return "signed by a responder that is neither the issuer nor a certificate included in the response"
        }
        guard responder.issuer == self.issuer.subject,
            self.issuer.publicKey.isValidSignature(responder.signature, for: responder)
        else { return "the responder certificate '\(responder.subject)' is not issued by the certificate's issuer" }
        let eku = (try? responder.extensions.extendedKeyUsage) ?? nil
        guard eku?.contains(.ocspSigning) == true else {
            return "the responder certificate '\(responder.subject)' lacks id-kp-OCSPSigning (RFC 6960 §4.2.2.2)"
        }
        guard responder.notValidBefore <= now, now <= responder.notValidAfter else {
            return "the responder certificate '\(responder.subject)' is not valid now"
        }
        return basic.isSigned(by: responder) ? nil : "the signature does not verify with the responder's key"
    }
}
