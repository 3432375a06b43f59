import Foundation

/// What an OCSP response, once checked, says about one certificate — or why nothing it says counts.
///
/// A relying party that asked a responder ends with one of these: the status (good, revoked,
/// unknown) of a response that verified, or the reason it could not get one it can trust. The
/// last two are different failures for a reader: `unavailable` is the responder's side (down,
/// an error status, an answer that is not OCSP), `invalid` an answer that came but must not be
/// believed (wrong signer, stale, for another certificate, nonce not echoed).
public enum OCSPVerdict: Sendable, Equatable {
    /// Not revoked, as of `thisUpdate`; a fresher status exists after `nextUpdate` (if any).
    case good(thisUpdate: Date, nextUpdate: Date?)
    case revoked(at: Date, reason: RevocationReason?, nextUpdate: Date?)
    /// The responder does not know the certificate (RFC 6960 §2.2: not one of its CA's).
    case unknown(nextUpdate: Date?)
    /// No usable answer came: the responder could not be reached, answered an error status
    /// (`tryLater`, `unauthorized`…) or sent something that is not an OCSP response.
    case unavailable(String)
    /// An answer came that must not be believed; the text says why.
    case invalid(String)

    /// The verdict's name, as reports and audit lines spell it.
    public var name: String {
        switch self {
        case .good: "good"
        case .revoked: "revoked"
        case .unknown: "unknown"
        case .unavailable: "unavailable"
        case .invalid: "invalid"
        }
    }

    /// Until when the verdict may be reused without asking again (the response's nextUpdate);
    /// nil when the responder gave none, or for a failure (asked again at the caller's pace).
    public var nextUpdate: Date? {
        switch self {
        case .good(_, let next), .revoked(_, _, let next), .unknown(let next): next
        case .unavailable, .invalid: nil
        }
    }

    /// A sentence for a person: the status with its dates, or what went wrong.
    public var explanation: String {
        switch self {
        case .good(let this, let next):
            "good (thisUpdate \(Self.stamp(this))\(next.map { ", nextUpdate \(Self.stamp($0))" } ?? ""))"
        case .revoked(let at, let reason, _):
            "revoked on \(Self.stamp(at))\(reason.map { " (reason: \($0))" } ?? "")"
        case .unknown:
            "unknown: the responder does not know this certificate"
        case .unavailable(let why):
            "unavailable: \(why)"
        case .invalid(let why):
            "invalid response: \(why)"
        }
    }

    static func stamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
