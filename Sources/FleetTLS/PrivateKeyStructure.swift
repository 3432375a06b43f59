import SwiftASN1

/// Which private-key structure a DER buffer holds, told from its shape, and the PEM label that
/// names it — so a DER key file can become the PEM that wolfSSL, the key-pair check and the lint read.
enum PrivateKeyStructure: Equatable {
    /// PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER, AlgorithmIdentifier, OCTET STRING, … }.
    case pkcs8
    /// SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, … }.
    case sec1
    /// PKCS#1 RSAPrivateKey: SEQUENCE { INTEGER 0, INTEGER n, INTEGER e, … }.
    case pkcs1
    /// PKCS#8 EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
    case encryptedPKCS8

    /// The PEM label OpenSSL writes for this structure.
    var pemLabel: String {
        switch self {
        case .pkcs8: "PRIVATE KEY"
        case .sec1: "EC PRIVATE KEY"
        case .pkcs1: "RSA PRIVATE KEY"
        case .encryptedPKCS8: "ENCRYPTED PRIVATE KEY"
        }
    }

    /// The structure of `der`, which must be exactly one DER element; nil for anything else
    /// (garbage, a certificate, trailing bytes).
    init?(der: [UInt8]) {
        guard let node = try? DER.parse(der), node.identifier == .sequence,
            case .constructed(let children) = node.content
        else { return nil }
        let kinds = children.map(\.identifier)
        if kinds.starts(with: [.integer, .sequence, .octetString]) {
            self = .pkcs8
        } else if kinds.starts(with: [.integer, .octetString]) {
            self = .sec1
        } else if kinds.starts(with: [.integer, .integer, .integer]) {
            self = .pkcs1
        } else if kinds == [.sequence, .octetString] {
            self = .encryptedPKCS8
        } else {
            return nil
        }
    }

    /// The first DER element of `bytes` when the rest is block-cipher padding (PKCS#7: n bytes of
    /// value n). wolfSSL 5.5.4 leaves the padding on some legacy-encrypted PEM keys it decrypts
    /// (`DEK-Info: DES-EDE3-CBC`); without padding, `bytes` is returned as it is.
    static func strippingPadding(_ bytes: [UInt8]) -> [UInt8] {
        guard let length = Self.firstElementLength(bytes), length < bytes.count else { return bytes }
        let padding = bytes[length...]
        guard padding.count <= 16, padding.allSatisfy({ Int($0) == padding.count }) else { return bytes }
        return Array(bytes[..<length])
    }

    /// Header plus content length of the DER element at the start of `bytes` (definite lengths up
    /// to 4 bytes), nil when the header is not one.
    static func firstElementLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let first = Int(bytes[1])
        if first < 0x80 { return 2 + first }
        let count = first & 0x7F
        guard (1...4).contains(count), bytes.count >= 2 + count else { return nil }
        let length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
        return 2 + count + length
    }
}
