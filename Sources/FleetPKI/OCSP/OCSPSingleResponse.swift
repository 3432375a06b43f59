import Foundation
import SwiftASN1

/// The answer about one certificate (RFC 6960 §4.2.1).
///
/// ```
/// SingleResponse ::= SEQUENCE {
///     certID                      CertID,
///     certStatus                  CertStatus,
///     thisUpdate                  GeneralizedTime,
///     nextUpdate          [0]     EXPLICIT GeneralizedTime OPTIONAL,
///     singleExtensions    [1]     EXPLICIT Extensions OPTIONAL }
/// ```
public struct OCSPSingleResponse: Sendable, Hashable {
    /// The CertID exactly as the request had it.
    public var certID: OCSPCertID
    public var status: OCSPCertStatus
    /// When the status was known to be correct.
    public var thisUpdate: Date
    /// When a newer status will be available; a relying party treats the response as stale after.
    public var nextUpdate: Date?

    public init(certID: OCSPCertID, status: OCSPCertStatus, thisUpdate: Date, nextUpdate: Date?) {
        self.certID = certID
        self.status = status
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { single in
            single.serializeRawBytes(self.certID.encoded)
            try self.status.serialize(into: &single)
            try single.serialize(try ASN1Time.generalized(self.thisUpdate))
            if let nextUpdate = self.nextUpdate {
                try single.serialize(
                    try ASN1Time.generalized(nextUpdate),
                    explicitlyTaggedWithTagNumber: 0,
                    tagClass: .contextSpecific
                )
            }
        }
    }

    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let certIDNode = nodes.next(), let statusNode = nodes.next(), let thisNode = nodes.next(),
                let thisUpdate = try ASN1Time.parse(thisNode)
            else { throw OCSPDecodingError("a SingleResponse without certID, certStatus or thisUpdate") }
            let nextUpdate = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try ASN1Time.parse($0)
            }
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { $0 }
            return OCSPSingleResponse(
                certID: try OCSPCertID(derEncoded: certIDNode),
                status: try OCSPCertStatus(derEncoded: statusNode),
                thisUpdate: thisUpdate,
                nextUpdate: nextUpdate ?? nil
            )
        }
    }
}
