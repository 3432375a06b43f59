import SwiftASN1

/// One device's own certificate chain and private key, held in memory: PEM as given, DER once
/// validated.
///
/// wolfSSL loads these per connection (`wolfSSL_use_certificate_chain_buffer_format`), so one
/// shared context serves every device. Files in other forms (DER, encrypted keys) become this PEM
/// once, at load time, through ``IdentityFiles``; ``TLSContext/validate(_:)`` then decodes them to
/// DER once, so no connection base64-decodes its device's identity again (#18).
/// `description` never prints the key.
public struct DeviceIdentity: Sendable, CustomStringConvertible {
    /// A name for messages: the device id, or the file the identity came from.
    public let label: String
    /// A name for messages about the key: the key file when the identity came from two files.
    public let keyLabel: String
    /// Leaf certificate first, then intermediates, PEM (empty once decoded to ``der``).
    var chainPEM: [UInt8]
    /// The private key, PEM (PKCS#8, SEC1 or PKCS#1; empty once decoded to ``der``). Never logged.
    var keyPEM: [UInt8]
    /// Set by ``TLSContext/validate(_:)``: loading, parsing and the key check happened once, at load
    /// time, so connecting does not repeat them per handshake.
    public internal(set) var isValidated = false
    /// Set by ``TLSContext/validate(_:)``: the chain as consecutive DER certificates and the key as
    /// DER, which replace the PEM (nil: the PEM is what wolfSSL loads).
    var der: (chain: [UInt8], key: [UInt8])?

    public init(label: String, keyLabel: String? = nil, chainPEM: String, keyPEM: String) {
        self.label = label
        self.keyLabel = keyLabel ?? label
        self.chainPEM = Array(chainPEM.utf8)
        self.keyPEM = Array(keyPEM.utf8)
    }

    public init(label: String, keyLabel: String? = nil, chainPEM: [UInt8], keyPEM: [UInt8]) {
        self.label = label
        self.keyLabel = keyLabel ?? label
        self.chainPEM = chainPEM
        self.keyPEM = keyPEM
    }

    public var description: String { "DeviceIdentity(\(self.label))" }

    /// The identity with its chain and key decoded to DER, the PEM dropped; unchanged if the PEM
    /// does not decode cleanly (wolfSSL then keeps loading the PEM it already accepted).
    func decodedToDER() -> DeviceIdentity {
        guard self.der == nil,
            let chain = try? PEMDocument.parseMultiple(pemString: String(decoding: self.chainPEM, as: UTF8.self)),
            let key = try? PEMDocument.parseMultiple(pemString: String(decoding: self.keyPEM, as: UTF8.self))
                .first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") })
        else { return self }
        let certificates = chain.filter { $0.discriminator == "CERTIFICATE" }
        guard !certificates.isEmpty else { return self }
        var decoded = self
        decoded.der = (certificates.flatMap(\.derBytes), key.derBytes)
        decoded.chainPEM = []
        decoded.keyPEM = []
        return decoded
    }
}
