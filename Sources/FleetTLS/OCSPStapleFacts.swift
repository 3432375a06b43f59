import Foundation
import SwiftASN1
import X509

/// What a stapled OCSP response says, read by fleetsim itself for `repro` (wolfSSL 5.5.4 gives a
/// client no access to the staple: `wolfSSL_get_ocsp_response` is internal). Only TLS 1.2 staples
/// can be read: they travel in clear (CertificateStatus), where wolfSSL's message callback sees
/// them; TLS 1.3 carries them inside the encrypted Certificate message.
///
/// A minimal RFC 6960 reader: the first SingleResponse only, no signature check (wolfSSL judges
/// the staple; this only describes it).
public struct OCSPStapleFacts: Sendable, Codable, Equatable {
    /// good, revoked or unknown.
    public var status: String
    public var revocationTime: Date?
    /// The CRLReason name (`keyCompromise`), when the responder gave one.
    public var revocationReason: String?
    public var thisUpdate: Date?
    public var nextUpdate: Date?
    public var producedAt: Date?
    /// The responder's name, or `key <hex>` when it is identified by its key hash.
    public var responder: String

    /// Parses a DER OCSPResponse; nil when it is not a successful basic response.
    public init?(der: [UInt8]) {
        guard let facts = try? Self.parse(der) else { return nil }
        self = facts
    }

    private init(status: String, responder: String) {
        self.status = status
        self.responder = responder
    }

    /// One line for the trace: "revoked (keyCompromise, since …), thisUpdate …, nextUpdate …, responder …".
    public var summary: String {
        var text = self.status
        if self.status == "revoked" {
            let details = [self.revocationReason, self.revocationTime.map { "since \(Self.stamp($0))" }].compactMap {
                $0
            }
            if !details.isEmpty { text += " (\(details.joined(separator: ", ")))" }
        }
        if let thisUpdate { text += ", thisUpdate \(Self.stamp(thisUpdate))" }
        if let nextUpdate { text += ", nextUpdate \(Self.stamp(nextUpdate))" }
        return text + ", responder \(self.responder)"
    }

    static func stamp(_ date: Date) -> String { date.formatted(.iso8601) }

    private static func children(_ node: ASN1Node) -> [ASN1Node] {
        if case .constructed(let nodes) = node.content { return Array(nodes) }
        return []
    }

    private static func context(_ number: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific)
    }

    private static func parse(_ der: [UInt8]) throws -> OCSPStapleFacts? {
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT SEQUENCE {
        //   responseType OID, response OCTET STRING (BasicOCSPResponse) } }
        let top = Self.children(try DER.parse(der))
        guard top.count == 2, let bytes = Self.children(top[1]).first else { return nil }
        let wrapped = Self.children(bytes)
        guard wrapped.count == 2 else { return nil }
        let basic = try ASN1OctetString(derEncoded: wrapped[1])
        // BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, … }
        guard let data = Self.children(try DER.parse(basic.bytes)).first else { return nil }
        // ResponseData ::= SEQUENCE { version [0] OPTIONAL, responderID, producedAt, responses, … }
        var fields = Self.children(data)[...]
        if fields.first?.identifier == Self.context(0) { fields = fields.dropFirst() }
        guard fields.count >= 3 else { return nil }
        let responderID = fields[fields.startIndex]
        var responder = "?"
        if let inner = Self.children(responderID).first {
            if responderID.identifier == Self.context(1) {
                responder = (try? DistinguishedName(derEncoded: inner))?.description ?? "?"
            } else if let key = try? ASN1OctetString(derEncoded: inner) {
                responder = "key " + key.bytes.map { String(format: "%02X", $0) }.joined()
            }
        }
        let producedAt = (try? Self.date(fields[fields.startIndex + 1])) ?? nil
        // SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate, nextUpdate [0] EXPLICIT OPTIONAL, … }
        guard let single = Self.children(fields[fields.startIndex + 2]).first else { return nil }
        let parts = Self.children(single)
        guard parts.count >= 3 else { return nil }
        let statusNode = parts[1]
        var facts: OCSPStapleFacts
        switch statusNode.identifier.tagNumber {
        case 0: facts = OCSPStapleFacts(status: "good", responder: responder)
        case 1:
            facts = OCSPStapleFacts(status: "revoked", responder: responder)
            let revoked = Self.children(statusNode)
            facts.revocationTime = revoked.first.flatMap { (try? Self.date($0)) ?? nil }
            if revoked.count > 1, let reason = Self.children(revoked[1]).first,
                case .primitive(let value) = reason.content, let code = value.last
            {
                facts.revocationReason = Self.reasons[Int(code)] ?? "reason \(code)"
            }
        default: facts = OCSPStapleFacts(status: "unknown", responder: responder)
        }
        facts.producedAt = producedAt
        facts.thisUpdate = (try? Self.date(parts[2])) ?? nil
        if parts.count > 3, parts[3].identifier == Self.context(0), let next = Self.children(parts[3]).first {
            facts.nextUpdate = (try? Self.date(next)) ?? nil
        }
        return facts
    }

    /// CRLReason (RFC 5280 §5.3.1).
    static let reasons: [Int: String] = [
        0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
        5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn",
        10: "aACompromise",
    ]

    private static func date(_ node: ASN1Node) throws -> Date? {
        let time = try GeneralizedTime(derEncoded: node)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(
            from: DateComponents(
                year: time.year,
                month: time.month,
                day: time.day,
                hour: time.hours,
                minute: time.minutes,
                second: time.seconds
            )
        )
    }
}
