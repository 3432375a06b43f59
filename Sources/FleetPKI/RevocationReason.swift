/// Why a certificate was revoked: RFC 5280 §5.3.1's CRLReason, which the CRL entry's reasonCode
/// and the OCSP response's revocationReason both carry.
///
/// `pki revoke --reason` records it in `fleet.json`; revocations recorded before reasons existed
/// read as ``unspecified``. `certificateHold` and `removeFromCRL` are left out: a hold has to be
/// released again, and fleetsim's revocations are final.
public enum RevocationReason: Int, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case unspecified = 0
    case keyCompromise = 1
    case caCompromise = 2
    case affiliationChanged = 3
    case superseded = 4
    case cessationOfOperation = 5
    case privilegeWithdrawn = 9
    case aaCompromise = 10

    /// The name as the command line and `fleet.json` spell it: RFC 5280's, with dashes
    /// (`key-compromise`).
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "key-compromise"
        case .caCompromise: "ca-compromise"
        case .affiliationChanged: "affiliation-changed"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessation-of-operation"
        case .privilegeWithdrawn: "privilege-withdrawn"
        case .aaCompromise: "aa-compromise"
        }
    }

    public var description: String { self.name }

    /// The reason named `name` (``name``'s spelling), nil for anything else.
    public init?(name: String) {
        guard let reason = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = reason
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let reason = Self(name: name) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(name)' is not a revocation reason"
            )
        }
        self = reason
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.name)
    }
}
