import SwiftASN1
import X509

/// Checks that a private key belongs to the leaf certificate by comparing public keys.
///
/// Needed because wolfSSL 5.5.4 as Debian builds it answers `wolfSSL_check_private_key` (and the
/// `CTX_` form) with success for an ECDSA key that does **not** match the certificate — measured
/// here in plain C. Without this check a mismatched device would reach the server and fail there
/// with a misleading alert instead of `identity-invalid`.
enum KeyPairCheck {
    /// - Throws: ``TLSFailure`` `identity-invalid` when the key is encrypted or provably not the
    ///   certificate's. Keys or certificates swift-certificates cannot parse (RSA below 2048 bits)
    ///   are left to wolfSSL's own loading.
    /// Callers run ``checkNotEncrypted(_:)`` first, before wolfSSL loads the key.
    static func check(_ identity: DeviceIdentity) throws(TLSFailure) {
        let keyText = String(decoding: identity.keyPEM, as: UTF8.self)
        guard
            let keyDocument = try? PEMDocument.parseMultiple(pemString: keyText)
                .first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") }),
            let key = try? Certificate.PrivateKey(pemDocument: keyDocument),
            let leafPEM = Self.firstCertificateBlock(in: String(decoding: identity.chainPEM, as: UTF8.self)),
            let leaf = try? Certificate(pemEncoded: leafPEM)
        else {
            return
        }
        guard key.publicKey == leaf.publicKey else {
            throw TLSFailure(
                .identityInvalid,
                detail: "\(identity.label): the private key does not match the certificate's public key"
            )
        }
    }

    /// A passphrase-protected key is refused by name, before wolfSSL's generic "no usable key".
    /// (Device keys from files are decrypted at load time, by ``IdentityFiles``, when a passphrase is given.)
    static func checkNotEncrypted(_ identity: DeviceIdentity) throws(TLSFailure) {
        if Self.isEncrypted(String(decoding: identity.keyPEM, as: UTF8.self)) {
            throw Self.encryptedKeyFailure(label: identity.keyLabel, remedy: "give an unencrypted key")
        }
    }

    /// PKCS#8 `ENCRYPTED PRIVATE KEY`, or legacy OpenSSL PEM encryption (`Proc-Type: 4,ENCRYPTED`).
    static func isEncrypted(_ keyText: String) -> Bool {
        keyText.contains("ENCRYPTED PRIVATE KEY") || keyText.contains("Proc-Type: 4,ENCRYPTED")
    }

    /// The one message for a passphrase-protected key that cannot be decrypted for lack of a
    /// passphrase; `remedy` says what the caller's user can do.
    static func encryptedKeyFailure(label: String, remedy: String) -> TLSFailure {
        TLSFailure(
            .identityInvalid,
            detail: "\(label): the private key is encrypted (passphrase-protected); \(remedy) "
                + "(e.g. `openssl pkey -in KEY -out KEY.plain`)"
        )
    }

    /// The leaf's PEM block alone: decoding the intermediates too would double the work of loading
    /// 10,000 identities for nothing.
    static func firstCertificateBlock(in chain: String) -> String? {
        guard let begin = chain.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = chain.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<chain.endIndex)
        else { return nil }
        return String(chain[begin.lowerBound..<end.upperBound])
    }
}
