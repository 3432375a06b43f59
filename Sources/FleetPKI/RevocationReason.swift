/// Why a certificate was revoked: RFC 5280 §5.3.1's CRLReason, which the CRL entry's reasonCode
/// and the OCSP response's revocationReason both carry.
///
/// Named as the command line and `fleet.json` spell it (RFC 5280's names with dashes,
/// `key-compromise`); ``code`` is the number on the wire. `pki revoke --reason` records it;
/// revocations recorded before reasons existed read as ``unspecified``. `certificateHold` and
/// `removeFromCRL` are left out: a hold has to be released again, and fleetsim's revocations are
/// final.
public enum RevocationReason: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case unspecified
    case keyCompromise = "key-compromise"
    case caCompromise = "ca-compromise"
    case affiliationChanged = "affiliation-changed"
    case superseded
    case cessationOfOperation = "cessation-of-operation"
    case privilegeWithdrawn = "privilege-withdrawn"
    case aaCompromise = "aa-compromise"

    public var description: String { self.rawValue }

    /// CRLReason's ENUMERATED value.
    public var code: Int {
        switch self {
        case .unspecified: 0
        case .keyCompromise: 1
        case .caCompromise: 2
        case .affiliationChanged: 3
        case .superseded: 4
        case .cessationOfOperation: 5
        case .privilegeWithdrawn: 9
        case .aaCompromise: 10
        }
    }

    /// The reason with CRLReason value `code`; nil for 6 (certificateHold), 8 (removeFromCRL) and
    /// values RFC 5280 does not define.
    public init?(code: Int) {
        guard let reason = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = reason
    }
}
