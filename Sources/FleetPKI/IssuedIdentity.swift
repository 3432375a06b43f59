import X509

/// A certificate with its private key and the intermediates it is presented with.
///
/// This is what a device (or server) holds: `chainPEM` is leaf first, then intermediates, exactly
/// the `<device-id>.pem` layout of DESIGN.md §4.
public struct IssuedIdentity: Sendable {
    public let certificate: Certificate
    public let key: PrivateKeyMaterial
    public let intermediates: [Certificate]

    public init(certificate: Certificate, key: PrivateKeyMaterial, intermediates: [Certificate]) {
        self.certificate = certificate
        self.key = key
        self.intermediates = intermediates
    }

    /// The leaf alone, PEM.
    public var certificatePEM: String { PEMText.encode([self.certificate]) }

    /// Leaf then intermediates, PEM, newline-terminated.
    public var chainPEM: String { PEMText.encode([self.certificate] + self.intermediates) }

    /// The private key, PKCS#8 PEM. Never log it.
    public var keyPEM: String { self.key.pkcs8PEM }
}

/// PEM encoding of certificate lists.
public enum PEMText {
    /// Encodes certificates one after another. swift-asn1's PEM strings have no trailing newline,
    /// so members are joined with "\n" and the text ends with one.
    public static func encode(_ certificates: [Certificate]) -> String {
        certificates.map { (try? $0.serializeAsPEM().pemString) ?? "" }.joined(separator: "\n") + "\n"
    }
}
