/// One device's own certificate chain and private key, held in memory as PEM.
///
/// wolfSSL loads these per connection (`wolfSSL_use_certificate_chain_buffer`), so one shared
/// context serves every device. Files in other forms (DER, encrypted keys) become this PEM once, at
/// load time, through ``IdentityFiles``. `description` never prints the key.
public struct DeviceIdentity: Sendable, CustomStringConvertible {
    /// A name for messages: the device id, or the file the identity came from.
    public let label: String
    /// A name for messages about the key: the key file when the identity came from two files.
    public let keyLabel: String
    /// Leaf certificate first, then intermediates, PEM.
    let chainPEM: [UInt8]
    /// The private key, PEM (PKCS#8, SEC1 or PKCS#1). Never logged.
    let keyPEM: [UInt8]
    /// Set by ``TLSContext/validate(_:)``: loading, parsing and the key check happened once, at load
    /// time, so connecting does not repeat them per handshake.
    public internal(set) var isValidated = false

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
}
