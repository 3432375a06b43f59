import SwiftASN1

/// Finds the RSA modulus size of a certificate that swift-certificates refuses to parse.
///
/// swift-crypto will not build RSA public keys under 2048 bits, so a certificate with an RSA-1024
/// key (the `weak-rsa` defect, or a real legacy device) fails to parse at all. This walks the DER
/// just far enough to name the problem instead of calling the file garbage.
public enum WeakRSAProbe {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]

    /// The modulus size in bits if `der` is a certificate with an RSA key; nil otherwise.
    public static func rsaModulusBits(certificateDER der: [UInt8]) -> Int? {
        guard let certificate = try? DER.parse(der),
            case .constructed(let top) = certificate.content,
            let tbs = top.first(where: { _ in true }),
            case .constructed(let fields) = tbs.content
        else { return nil }
        // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki, …
        let items = Array(fields)
        let offset = items.first?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) ? 1 : 0
        guard items.count > offset + 5, case .constructed(let spki) = items[offset + 5].content else { return nil }
        let spkiItems = Array(spki)
        guard spkiItems.count == 2, case .constructed(let algorithm) = spkiItems[0].content,
            let oidNode = algorithm.first(where: { _ in true }),
            let oid = try? ASN1ObjectIdentifier(derEncoded: oidNode), oid == Self.rsaEncryption,
            let bits = try? ASN1BitString(derEncoded: spkiItems[1]),
            let key = try? DER.parse(Array(bits.bytes)),
            case .constructed(let numbers) = key.content,
            let modulusNode = numbers.first(where: { _ in true }),
            let modulus = try? ArraySlice<UInt8>(derEncoded: modulusNode)
        else { return nil }
        let trimmed = modulus.drop { $0 == 0 }
        guard let top8 = trimmed.first else { return 0 }
        return (trimmed.count - 1) * 8 + (8 - top8.leadingZeroBitCount)
    }
}
