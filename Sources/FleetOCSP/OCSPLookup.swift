import FleetPKI
import Foundation
import X509

/// One question to a responder about one certificate, answered with a checked ``OCSPVerdict``:
/// the request made (SHA-1 CertID, as RFC 5019 responders expect), sent with ``OCSPClient``, the
/// answer judged by ``OCSPResponseCheck``. A responder that cannot be reached or answers garbage
/// is `unavailable`, never an error thrown: the caller decides what unavailable means (a lint
/// finding, a refusal).
public struct OCSPLookup: Sendable {
    public let client: OCSPClient
    /// Whether requests carry a fresh nonce the answer must echo. Off for responders that
    /// pre-sign their answers (RFC 5019 "lightweight" profile, CDN-cached responders).
    public let nonce: Bool

    public init(client: OCSPClient = OCSPClient(), nonce: Bool = true) {
        self.client = client
        self.nonce = nonce
    }

    /// The OCSP URLs a certificate names in its Authority Information Access extension, in order;
    /// those that are not `http://` URLs are left out.
    public static func responderURLs(of certificate: Certificate) -> [OCSPURL] {
        guard let access = (try? certificate.extensions.authorityInformationAccess) ?? nil else { return [] }
        return access.compactMap { description in
            guard description.method == .ocspServer,
                case .uniformResourceIdentifier(let text) = description.location
            else { return nil }
            return try? OCSPURL(text)
        }
    }

    /// Asks `url` about `certificate`, issued by `issuer`.
    public func status(of certificate: Certificate, issuer: Certificate, at url: OCSPURL) async -> OCSPVerdict {
        let nonce: [UInt8]? = self.nonce ? (0..<16).map { _ in UInt8.random(in: 0...255) } : nil
        let request: [UInt8]
        do {
            let id = try OCSPCertID(certificate: certificate, issuer: issuer)
            request = try OCSPRequest(certIDs: [id], nonce: nonce).derEncoded()
        } catch {
            return .unavailable("no OCSP request could be made for this certificate: \(error)")
        }
        let answer: [UInt8]
        do { answer = try await self.client.post(request, to: url) } catch {
            return .unavailable(error.description)
        }
        return OCSPResponseCheck(certificate: certificate, issuer: issuer).judge(answer, nonce: nonce)
    }
}
