import SwiftASN1
import X509

/// RFC 7633's TLS-feature certificate extension (id-pe-tlsfeature, 1.3.6.1.5.5.7.1.24): a list of
/// TLS extensions the certificate's holder promises to use. `status_request` (5) in it is
/// "OCSP must-staple": a client should refuse that server when it staples nothing.
///
/// wolfSSL 5.5.4 knows the OID's name but does not enforce it (its must-staple is a client-wide
/// switch only), so the device judges it itself, here, from the leaf's DER.
enum TLSFeature {
    static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 24]
    /// The TLS extension number of status_request (RFC 6066).
    static let statusRequest = 5

    /// Whether the certificate promises a staple. An extension that does not parse counts as a
    /// promise (RFC 7633 §4.2.2: fail closed on a feature the client cannot read).
    static func requiresStaple(certificateDER der: [UInt8]) -> Bool {
        guard let certificate = try? Certificate(derEncoded: der),
            let feature = certificate.extensions.first(where: { $0.oid == Self.oid })
        else { return false }
        guard let node = try? DER.parse(feature.value),
            let features = try? DER.sequence(of: Int.self, identifier: .sequence, rootNode: node)
        else { return true }
        return features.contains(Self.statusRequest)
    }
}
