/// The TLS versions a device or the backend may speak. Older versions are not offered: no device
/// fleet should, and wolfSSL's Debian build does not enable them by default.
public enum TLSVersion: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case v1_2 = "1.2"
    case v1_3 = "1.3"

    public var description: String { "TLS \(self.rawValue)" }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Parses wolfSSL's `wolfSSL_get_version` text ("TLSv1.3").
    init?(wolfSSLName: String) {
        switch wolfSSLName {
        case "TLSv1.2": self = .v1_2
        case "TLSv1.3": self = .v1_3
        default: return nil
        }
    }
}

/// A named group (elliptic curve) for key exchange. P-256 comes first by default: wolfSSL otherwise
/// offers secp521r1 first in TLS 1.2, which makes handshakes 3–4× slower.
public enum TLSGroup: String, Sendable, CaseIterable {
    case secp256r1 = "P-256"
    case secp384r1 = "P-384"
    case secp521r1 = "P-521"
    case x25519 = "X25519"

    /// The IANA named-group number wolfSSL takes.
    var ianaCode: UInt16 {
        switch self {
        case .secp256r1: 23
        case .secp384r1: 24
        case .secp521r1: 25
        case .x25519: 29
        }
    }
}
