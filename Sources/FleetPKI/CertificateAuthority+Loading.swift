import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

extension CertificateAuthority {
    /// Loads a CA from its certificate and key files (PEM), as `pki init` wrote them.
    ///
    /// - Throws: ``PKIError`` naming the file that is missing or unreadable, or a key that is not the
    ///   certificate's.
    public static func load(certificatePath: String, keyPath: String, chainAbove: [Certificate] = []) throws -> CertificateAuthority {
        let certificate = try PEMFile.certificates(at: certificatePath).first!
        let keyText = try PEMFile.text(at: keyPath)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw PKIError("\(keyPath): not an unencrypted PEM private key (\(error))")
        }
        guard key.publicKey == certificate.publicKey else {
            throw PKIError("\(keyPath) is not the key of \(certificatePath)")
        }
        guard let algorithm = KeyAlgorithm(publicKey: certificate.publicKey) else {
            throw PKIError("\(certificatePath): unsupported CA key type")
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
    public static func text(at path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PKIError("\(path): no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PKIError("\(path): cannot be read (permissions?)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every certificate in a PEM file, in order.
    ///
    /// - Throws: ``PKIError`` if the file is missing, holds no certificate (a key, garbage), or a
    ///   certificate block does not parse.
    public static func certificates(at path: String) throws -> [Certificate] {
        try Self.certificates(in: try Self.text(at: path), source: path)
    }

    public static func certificates(in text: String, source: String) throws -> [Certificate] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw PKIError("\(source): not a PEM file (expected -----BEGIN CERTIFICATE-----)")
        }
        let blocks = documents.filter { $0.discriminator == "CERTIFICATE" }
        guard !blocks.isEmpty else {
            guard let first = documents.first else {
                throw PKIError("\(source): not a PEM certificate (no -----BEGIN CERTIFICATE----- block)")
            }
            throw PKIError("\(source): expected a certificate, found a \(first.discriminator) block")
        }
        return try blocks.enumerated().map { index, block in
            do {
                return try Certificate(pemDocument: block)
            } catch {
                throw PKIError("\(source): certificate #\(index + 1) does not parse (\(error))")
            }
        }
    }
}
