import Crypto
import SwiftASN1
import X509

/// Small facts about certificates that several commands print: serial and fingerprint as text.
public enum CertificateFacts {
    /// The serial number as upper-case hex without separators (like `openssl x509 -serial`).
    public static func serialHex(_ certificate: Certificate) -> String {
        Self.hex(Array(certificate.serialNumber.bytes))
    }

    /// SHA-256 over the DER encoding, colon-separated hex.
    public static func fingerprint(_ certificate: Certificate) -> String {
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate)
        return SHA256.hash(data: serializer.serializedBytes).map { Self.hex([$0]) }.joined(separator: ":")
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    /// Parses hex (with or without colons) back to bytes; nil if not hex.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.filter { $0 != ":" })
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
