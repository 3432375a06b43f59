import Foundation

/// One of the two CAs of a fleetsim PKI, as a user names it (`--ca issuing|root`).
///
/// A cloud may be given either to trust: the issuing CA is the one that signs the devices (what
/// AWS IoT Core and Azure IoT Hub usually register), the root is above it.
public enum CARole: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The issuing (intermediate) CA: signs the server, the devices and the CRL.
    case issuing
    /// The self-signed root CA above it.
    case root

    public var description: String { self.rawValue }
}

extension PKILayout {
    /// The certificate file of the CA in `role`.
    public func certificate(of role: CARole) -> String {
        switch role {
        case .issuing: self.intermediateCertificate
        case .root: self.rootCertificate
        }
    }

    /// The private key file of the CA in `role`.
    public func key(of role: CARole) -> String {
        switch role {
        case .issuing: self.intermediateKey
        case .root: self.rootKey
        }
    }
}

extension PrivatePKI {
    /// Loads the CA in `role` of the PKI in `directory`, and only that CA.
    ///
    /// Signing with one CA needs neither the other CA's key nor `fleet.json`, so a root key kept
    /// offline does not stop the issuing CA from signing, and the other way round.
    ///
    /// - Throws: ``PKIError`` `no-pki` naming the directory when it holds no PKI; otherwise as
    ///   ``CertificateAuthority/load(certificatePath:keyPath:chainAbove:)`` for that CA's files.
    public static func authority(_ role: CARole, in directory: String) throws -> CertificateAuthority {
        let layout = try Self.existingLayout(directory)
        return try CertificateAuthority.load(
            certificatePath: layout.certificate(of: role),
            keyPath: layout.key(of: role)
        )
    }
}
