import Foundation
import SwiftASN1
import X509

/// Answers OCSP requests for one issuing CA: request bytes in, response bytes out, no I/O.
///
/// Every input gets an OCSPResponse, never a crash or a dropped request: bytes that are not an
/// OCSPRequest get `malformedRequest`, a request this responder will not answer (a critical
/// extension it does not know, more than ``maximumCertIDs`` certificates) `unauthorized`, and a
/// failure to sign `internalError`. Each CertID is answered `good`, `revoked` or, when it names
/// another issuer, a hash algorithm not supported or a serial the CA did not issue, `unknown`.
public struct OCSPResponder: Sendable {
    /// The CA whose certificates are answered for.
    public let issuer: Certificate
    public let signer: OCSPSigner
    public let book: OCSPStatusBook
    /// nextUpdate − thisUpdate: how long a relying party may cache an answer.
    public let validity: TimeInterval
    private let issuerHashes: [IssuerHashes]

    /// More CertIDs than this in one request is not a device asking about its peer: `unauthorized`.
    public static let maximumCertIDs = 256
    /// thisUpdate is set this far back, so a relying party whose clock is a little behind does not
    /// find the answer from the future. Never before a revocation, though.
    public static let clockSkewAllowance: TimeInterval = 60

    public init(issuer: Certificate, signer: OCSPSigner, book: OCSPStatusBook, validity: TimeInterval) throws {
        self.issuer = issuer
        self.signer = signer
        self.book = book
        self.validity = validity
        self.issuerHashes = try OCSPHashAlgorithm.allCases.map { try IssuerHashes(issuer, algorithm: $0) }
    }

    /// A response and what it said, for counting.
    public struct Answer: Sendable {
        public let bytes: [UInt8]
        public let status: OCSPResponse.Status
        /// One per CertID, in the request's order; empty unless `status` is successful.
        public let statuses: [OCSPCertStatus]

        public static func error(_ status: OCSPResponse.Status) -> Answer {
            Answer(bytes: OCSPResponse.error(status), status: status, statuses: [])
        }
    }

    /// The answer to a DER request.
    public func answer(_ requestBytes: [UInt8], now: Date = Date()) -> Answer {
        guard let request = try? OCSPRequest(derEncoded: requestBytes) else { return .error(.malformedRequest) }
        return self.answer(request, now: now)
    }

    /// The answer to a parsed request.
    public func answer(_ request: OCSPRequest, now: Date = Date()) -> Answer {
        let understood: Set = [ASN1ObjectIdentifier.ocspNonce]
        let critical = request.extensions + request.requests.flatMap(\.extensions)
        guard request.requests.count <= Self.maximumCertIDs,
            !critical.contains(where: { $0.critical && !understood.contains($0.oid) })
        else { return .error(.unauthorized) }

        let thisUpdate = now.addingTimeInterval(-Self.clockSkewAllowance)
        let responses = request.requests.map { single in
            let certID = single.certID
            let status =
                self.issuerHashes.contains(where: certID.names) ? self.book.status(of: certID.serial) : .unknown
            var since = thisUpdate
            if case .revoked(let date, _) = status, date > since { since = date }
            return OCSPSingleResponse(
                certID: certID,
                status: status,
                thisUpdate: since,
                nextUpdate: since.addingTimeInterval(self.validity)
            )
        }
        let echoed = request.nonce.flatMap { OCSPNonce.isEchoed($0) ? [$0] : nil } ?? []
        do {
            let basic = try BasicOCSPResponse.sign(
                responses: responses,
                producedAt: now,
                extensions: echoed,
                signer: self.signer
            )
            let bytes = try OCSPResponse(status: .successful, basic: basic).derEncoded()
            return Answer(bytes: bytes, status: .successful, statuses: responses.map(\.status))
        } catch {
            return .error(.internalError)
        }
    }
}
