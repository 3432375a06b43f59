import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

extension CertificateAuthority {
    /// Loads a CA from its certificate and key files (PEM), as `pki init` wrote them.
    ///
    /// - Throws: ``PKIError`` naming the file that is missing or unreadable, a key that cannot be read
    ///   (`key-unreadable`) or is not the certificate's (`key-mismatch`), or an `unsupported-key`.
    public static func load(certificatePath: String, keyPath: String, chainAbove: [Certificate] = []) throws
        -> CertificateAuthority
    {
        let certificate = try PEMFile.certificates(at: certificatePath).first!
        let keyText = try PEMFile.text(at: keyPath)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw PKIError(.keyUnreadable, "\(keyPath): not an unencrypted PEM private key (\(error))", path: keyPath)
        }
        guard key.publicKey == certificate.publicKey else {
            throw PKIError(.keyMismatch, "\(keyPath) is not the key of \(certificatePath)", path: keyPath)
        }
        guard let algorithm = KeyAlgorithm(publicKey: certificate.publicKey) else {
            throw PKIError(.unsupportedKey, "\(certificatePath): unsupported CA key type", path: certificatePath)
        }
        return CertificateAuthority(
            certificate: certificate,
            key: PrivateKeyMaterial(key: key, pkcs8PEM: keyText),
            chainAbove: chainAbove,
            algorithm: algorithm
        )
    }
}

extension KeyAlgorithm {
    /// The algorithm of an existing public key, if it is one fleetsim issues with.
    init?(publicKey: Certificate.PublicKey) {
        if P256.Signing.PublicKey(publicKey) != nil {
            self = .ecdsaP256
        } else if P384.Signing.PublicKey(publicKey) != nil {
            self = .ecdsaP384
        } else if let rsa = _RSA.Signing.PublicKey(publicKey) {
            self = rsa.keySizeInBits < 2048 ? .rsa1024 : .rsa2048
        } else {
            return nil
        }
    }
}

/// Reading PEM files with errors that name the file.
public enum PEMFile {
    /// The file's text.
    ///
    /// - Throws: ``PKIError`` `no-such-file` or `file-unreadable` (permissions, a directory).
    public static func text(at path: String) throws(PKIError) -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PKIError(.noSuchFile, "\(path): no such file", path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PKIError(.fileUnreadable, "\(path): cannot be read (permissions?)", path: path)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every certificate in a PEM file, in order.
    ///
    /// - Throws: ``PKIError`` if the file is missing or unreadable, holds no certificate (`not-pem`
    ///   for garbage, `not-a-certificate` for a key), or a block does not parse (`certificate-unparseable`).
    public static func certificates(at path: String) throws(PKIError) -> [Certificate] {
        try Self.certificates(in: try Self.text(at: path), source: path)
    }

    /// Every certificate in PEM `text`; `source` names it in errors (a path, a device id).
    ///
    /// - Throws: ``PKIError`` as ``certificates(at:)``, with ``PKIError/path`` = `source`.
    public static func certificates(in text: String, source: String) throws(PKIError) -> [Certificate] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw PKIError(.notPEM, "\(source): not a PEM file (expected -----BEGIN CERTIFICATE-----)", path: source)
        }
        let blocks = documents.filter { $0.discriminator == "CERTIFICATE" }
        guard !blocks.isEmpty else {
            guard let first = documents.first else {
                throw PKIError(
                    .notPEM,
                    "\(source): not a PEM certificate (no -----BEGIN CERTIFICATE----- block)",
                    path: source
                )
            }
            throw PKIError(
                .notACertificate,
                "\(source): expected a certificate, found a \(first.discriminator) block",
                path: source
            )
        }
        return try blocks.enumerated().map { index, block throws(PKIError) in
            do {
                return try Certificate(pemDocument: block)
            } catch {
                throw PKIError(
                    .certificateUnparseable,
                    "\(source): certificate #\(index + 1) does not parse (\(error))",
                    path: source
                )
            }
        }
    }
}
