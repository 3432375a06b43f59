import Crypto
import SwiftASN1

/// The hash algorithms a CertID may name its issuer with (RFC 6960 §4.1.1).
///
/// OpenSSL, wolfSSL and most devices send SHA-1 CertIDs (RFC 5019 asks for them); SHA-256 is what
/// newer clients send (`openssl ocsp -sha256`). The hash only identifies the issuer here, so SHA-1
/// is no weakness: the response is still signed with SHA-256 or better.
public enum OCSPHashAlgorithm: Sendable, Hashable, CaseIterable {
    case sha1, sha256, sha384, sha512

    public var oid: ASN1ObjectIdentifier {
        switch self {
        case .sha1: [1, 3, 14, 3, 2, 26]
        case .sha256: [2, 16, 840, 1, 101, 3, 4, 2, 1]
        case .sha384: [2, 16, 840, 1, 101, 3, 4, 2, 2]
        case .sha512: [2, 16, 840, 1, 101, 3, 4, 2, 3]
        }
    }

    /// The algorithm with `oid`; nil for one this responder does not hash with.
    public init?(oid: ASN1ObjectIdentifier) {
        guard let algorithm = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = algorithm
    }

    public func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let data = Array(bytes)
        switch self {
        case .sha1: return Array(Insecure.SHA1.hash(data: data))
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha384: return Array(SHA384.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        }
    }
}
