import SwiftASN1
import X509

/// The signature algorithms fleetsim signs CRLs with or recognises in them, by OID.
/// swift-certificates keeps its own OID mapping internal, so CRL code needs this small table.
enum SignatureAlgorithmOID {
    static let table: [(ASN1ObjectIdentifier, Certificate.SignatureAlgorithm, nullParameters: Bool)] = [
        ([1, 2, 840, 10045, 4, 3, 2], .ecdsaWithSHA256, false),
        ([1, 2, 840, 10045, 4, 3, 3], .ecdsaWithSHA384, false),
        ([1, 2, 840, 10045, 4, 3, 4], .ecdsaWithSHA512, false),
        ([1, 2, 840, 113549, 1, 1, 5], .sha1WithRSAEncryption, true),
        ([1, 2, 840, 113549, 1, 1, 11], .sha256WithRSAEncryption, true),
        ([1, 2, 840, 113549, 1, 1, 12], .sha384WithRSAEncryption, true),
        ([1, 2, 840, 113549, 1, 1, 13], .sha512WithRSAEncryption, true),
    ]

    static func oid(for algorithm: Certificate.SignatureAlgorithm) -> (ASN1ObjectIdentifier, Bool)? {
        Self.table.first { $0.1 == algorithm }.map { ($0.0, $0.nullParameters) }
    }

    static func algorithm(for oid: ASN1ObjectIdentifier) -> Certificate.SignatureAlgorithm? {
        Self.table.first { $0.0 == oid }?.1
    }

    /// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (NULL for RSA).
    static func serialize(_ algorithm: Certificate.SignatureAlgorithm, into serializer: inout DER.Serializer) throws {
        guard let (oid, null) = Self.oid(for: algorithm) else {
            throw PKIError(.unsupportedSignatureAlgorithm, "cannot sign a CRL with \(algorithm)")
        }
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            if null { try coder.serialize(ASN1Null()) }
        }
    }
}
