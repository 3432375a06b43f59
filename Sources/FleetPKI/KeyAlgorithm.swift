import Crypto
import X509
import _CryptoExtras

/// The key types a fleetsim PKI can issue: what embedded devices really carry.
///
/// ECDSA P-256 is the default because it is what most TCUs and meters ship and what makes
/// handshakes cheapest. `rsa1024` exists only to manufacture the `weak-rsa` defect.
public enum KeyAlgorithm: String, Sendable, CaseIterable, CustomStringConvertible {
    case ecdsaP256 = "ecdsa-p256"
    case ecdsaP384 = "ecdsa-p384"
    case rsa2048 = "rsa-2048"
    case rsa1024 = "rsa-1024"

    public var description: String { self.rawValue }

    /// Generates a fresh private key of this type.
    ///
    /// - Throws: if the RSA key generator fails (it cannot for the sizes listed).
    public func generate() throws -> PrivateKeyMaterial {
        switch self {
        case .ecdsaP256:
            let key = P256.Signing.PrivateKey()
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key), pkcs8PEM: key.pemRepresentation)
        case .ecdsaP384:
            let key = P384.Signing.PrivateKey()
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key), pkcs8PEM: key.pemRepresentation)
        case .rsa2048:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key), pkcs8PEM: key.pkcs8PEMRepresentation)
        case .rsa1024:
            let key = try _RSA.Signing.PrivateKey(unsafeKeySize: _RSA.Signing.KeySize(bitCount: 1024))
            return PrivateKeyMaterial(key: Certificate.PrivateKey(key), pkcs8PEM: key.pkcs8PEMRepresentation)
        }
    }

    /// The signature algorithm a CA holding a key of this type signs with (SHA-256 family).
    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm {
        switch self {
        case .ecdsaP256: .ecdsaWithSHA256
        case .ecdsaP384: .ecdsaWithSHA384
        case .rsa2048, .rsa1024: .sha256WithRSAEncryption
        }
    }
}

/// A private key together with its PKCS#8 PEM encoding.
///
/// The PEM is produced once, at generation, because it is what gets written to disk and handed to
/// wolfSSL; re-encoding per use would waste time in `pki issue --count 10000`.
public struct PrivateKeyMaterial: Sendable {
    public let key: Certificate.PrivateKey
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Never log it.
    public let pkcs8PEM: String

    public init(key: Certificate.PrivateKey, pkcs8PEM: String) {
        self.key = key
        self.pkcs8PEM = pkcs8PEM
    }

    public var publicKey: Certificate.PublicKey { self.key.publicKey }
}
