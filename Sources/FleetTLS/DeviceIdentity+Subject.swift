import SwiftASN1
import X509

extension DeviceIdentity {
    /// Who the device's own leaf says it is (CN, serialNumber, first SAN URI), for MQTT client id,
    /// user name and topic templates over `{cn}`, `{serialNumber}`, `{san}`; nil if the leaf does
    /// not parse. Parses the leaf: called once per device, and only by templates that need it.
    public var subject: PeerIdentity? {
        let leafDER: ArraySlice<UInt8>
        if let der = self.der {
            guard let length = Self.firstElementLength(der.chain) else { return nil }
            leafDER = der.chain.prefix(length)
        } else {
            let pem = String(decoding: self.chainPEM, as: UTF8.self)
            guard
                let first = (try? PEMDocument.parseMultiple(pemString: pem))?.first(where: {
                    $0.discriminator == "CERTIFICATE"
                })
            else { return nil }
            leafDER = first.derBytes[...]
        }
        return (try? Certificate(derEncoded: Array(leafDER))).map(PeerIdentity.init(certificate:))
    }

    /// The byte length (header and content) of the DER element at the start of `bytes`: the chain is
    /// consecutive certificates, and the leaf is the first.
    static func firstElementLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let first = Int(bytes[1])
        if first < 0x80 { return 2 + first <= bytes.count ? 2 + first : nil }
        let count = first & 0x7F
        guard (1...4).contains(count), bytes.count >= 2 + count else { return nil }
        let length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
        let total = 2 + count + length
        return total <= bytes.count ? total : nil
    }
}
