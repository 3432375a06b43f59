import Foundation
import SwiftASN1

/// What a responder says about one certificate (RFC 6960 §4.2.1).
///
/// ```
/// CertStatus ::= CHOICE {
///     good        [0] IMPLICIT NULL,
///     revoked     [1] IMPLICIT RevokedInfo,
///     unknown     [2] IMPLICIT UnknownInfo }   -- NULL
/// RevokedInfo ::= SEQUENCE {
///     revocationTime          GeneralizedTime,
///     revocationReason    [0] EXPLICIT CRLReason OPTIONAL }
/// ```
/// `good` means only "not revoked", `unknown` "not this responder's certificate" (RFC 6960 §2.2).
public enum OCSPCertStatus: Sendable, Hashable {
    case good
    case revoked(at: Date, reason: RevocationReason?)
    case unknown

    /// The status's name, as `openssl ocsp` prints it.
    public var name: String {
        switch self {
        case .good: "good"
        case .revoked: "revoked"
        case .unknown: "unknown"
        }
    }

    private static let goodTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let revokedTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    private static let unknownTag = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)

    func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .good:
            ASN1Null().serialize(into: &coder, withIdentifier: Self.goodTag)
        case .revoked(let date, let reason):
            try coder.appendConstructedNode(identifier: Self.revokedTag) { info in
                try info.serialize(try ASN1Time.generalized(date))
                if let reason {
                    try info.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) {
                        try reason.code.serialize(into: &$0, withIdentifier: .enumerated)
                    }
                }
            }
        case .unknown:
            ASN1Null().serialize(into: &coder, withIdentifier: Self.unknownTag)
        }
    }

    init(derEncoded node: ASN1Node) throws {
        switch node.identifier {
        case Self.goodTag:
            _ = try ASN1Null(derEncoded: node, withIdentifier: Self.goodTag)
            self = .good
        case Self.revokedTag:
            self = try DER.sequence(node, identifier: Self.revokedTag) { nodes in
                guard let timeNode = nodes.next(), let date = try ASN1Time.parse(timeNode) else {
                    throw OCSPDecodingError("RevokedInfo without revocationTime")
                }
                let code = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try Int(derEncoded: $0, withIdentifier: .enumerated)
                }
                return .revoked(at: date, reason: code.flatMap(RevocationReason.init(code:)))
            }
        case Self.unknownTag:
            _ = try ASN1Null(derEncoded: node, withIdentifier: Self.unknownTag)
            self = .unknown
        default:
            throw OCSPDecodingError("a CertStatus that is neither good, revoked nor unknown")
        }
    }
}
