internal import CWolfSSL
import SwiftASN1

/// A device's certificate and key files as users have them — PEM or DER, keys PKCS#8, SEC1 or
/// PKCS#1, possibly passphrase-protected — turned once, at load time, into the one form the rest of
/// fleetsim reads: unencrypted PEM.
///
/// One form means wolfSSL (per connection), the key-pair check and the lint never see DER or a
/// passphrase, and an encrypted key is decrypted once, not per handshake. The format is told from
/// the content (PEM holds `-----BEGIN`), not from the file name: `.crt` files are PEM as often as DER.
/// The decrypted key exists only in memory.
public enum IdentityFiles {
    /// The certificate chain as PEM: PEM as it is (leaf first, then intermediates), or one DER
    /// certificate (a DER file holds the leaf only).
    ///
    /// - Throws: ``TLSFailure`` `identity-invalid` naming `label` when the file is neither. Whether
    ///   the PEM really holds a usable certificate is wolfSSL's verdict, later.
    public static func chainPEM(_ file: [UInt8], label: String) throws(TLSFailure) -> String {
        if Self.isPEM(file) { return String(decoding: file, as: UTF8.self) }
        if PrivateKeyStructure(der: file) != nil {
            throw TLSFailure(
                .identityInvalid,
                detail: "\(label): the certificate file holds a DER private key, not a certificate"
            )
        }
        guard (try? DER.parse(file))?.identifier == .sequence else {
            throw TLSFailure(
                .identityInvalid,
                detail: "\(label): the certificate file holds neither PEM nor one DER certificate "
                    + "(a DER file holds the leaf alone; give a chain with intermediates as PEM)"
            )
        }
        return Self.pem("CERTIFICATE", file)
    }

    /// The private key as unencrypted PEM: PEM as it is, DER labelled by its structure, and an
    /// encrypted key (PEM `ENCRYPTED PRIVATE KEY`, legacy `Proc-Type: 4,ENCRYPTED`, or DER
    /// EncryptedPrivateKeyInfo) decrypted with `passphrase` by wolfSSL.
    ///
    /// - Throws: ``TLSFailure`` `identity-invalid` naming `label`: an encrypted key without a
    ///   passphrase ("passphrase-protected"), a wrong passphrase, or a file that is no key.
    public static func keyPEM(_ file: [UInt8], label: String, passphrase: KeyPassphrase?) throws(TLSFailure) -> String {
        var pem = file
        if !Self.isPEM(file) {
            guard let structure = PrivateKeyStructure(der: file) else {
                throw TLSFailure(
                    .identityInvalid,
                    detail:
                        "\(label): the key file holds neither a PEM private key nor a DER one (PKCS#8, SEC1 or PKCS#1)"
                )
            }
            pem = Array(Self.pem(structure.pemLabel, file).utf8)
        }
        let text = String(decoding: pem, as: UTF8.self)
        guard KeyPairCheck.isEncrypted(text) else { return text }
        guard let passphrase else {
            throw KeyPairCheck.encryptedKeyFailure(
                label: label,
                remedy:
                    "give its passphrase with --key-passphrase-env VAR (an environment variable holding it), or an unencrypted key"
            )
        }
        return try Self.decrypt(pem, label: label, passphrase: passphrase)
    }

    /// wolfSSL's `wc_KeyPemToDer` with a password: PKCS#8 PBES2 (PBKDF2-HMAC-SHA1/SHA256, AES-CBC,
    /// 3DES), PBES1, and legacy PEM encryption. A wrong passphrase shows as a parse error (PKCS#8)
    /// or as bytes that are no key (legacy PEM, which has no integrity check): both are checked.
    static func decrypt(_ pem: [UInt8], label: String, passphrase: KeyPassphrase) throws(TLSFailure) -> String {
        var der = [UInt8](repeating: 0, count: pem.count)
        defer { der.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        let rc = passphrase.withCString { password in
            wc_KeyPemToDer(pem, Int32(pem.count), &der, Int32(der.count), password)
        }
        if rc > 0 {
            let plain = PrivateKeyStructure.strippingPadding(Array(der.prefix(Int(rc))))
            if let structure = PrivateKeyStructure(der: plain), structure != .encryptedPKCS8 {
                return Self.pem(structure.pemLabel, plain)
            }
        }
        throw TLSFailure(
            .identityInvalid,
            detail:
                "\(label): wrong passphrase for the encrypted private key (or an encryption wolfSSL \(WolfSSLLibrary.version) "
                + "cannot read; `openssl pkcs8 -topk8 -v2 aes-256-cbc` makes one it can)",
            nativeCode: rc < 0 ? rc : nil,
            nativeText: rc < 0 ? WolfSSLLibrary.errorText(rc) : nil
        )
    }

    /// PEM holds `-----BEGIN` somewhere (text may come before it); DER never does by chance in its header.
    static func isPEM(_ file: [UInt8]) -> Bool {
        String(decoding: file, as: UTF8.self).contains("-----BEGIN")
    }

    private static func pem(_ label: String, _ der: [UInt8]) -> String {
        PEMDocument(type: label, derBytes: der).pemString + "\n"
    }
}
