import SwiftASN1
import X509

/// Which certificate an OCSP request asks about (RFC 6960 §4.1.1): hashes of its issuer's name and
/// key, and its serial number.
///
/// ```
/// CertID ::= SEQUENCE {
///     hashAlgorithm   AlgorithmIdentifier,
///     issuerNameHash  OCTET STRING, -- hash of the issuer's DN (DER)
///     issuerKeyHash   OCTET STRING, -- hash of the issuer's subjectPublicKey BIT STRING value
///     serialNumber    CertificateSerialNumber }
/// ```
/// A response must repeat the CertID the client sent, so a parsed one keeps its exact encoding
/// (AlgorithmIdentifier parameters NULL or absent, as the client chose).
public struct OCSPCertID: Sendable, Hashable {
    /// The hash algorithm's OID, kept even when it is not one ``OCSPHashAlgorithm`` knows: such a
    /// CertID matches no issuer and is answered `unknown`.
    public var hashAlgorithm: ASN1ObjectIdentifier
    public var issuerNameHash: [UInt8]
    public var issuerKeyHash: [UInt8]
    /// The serial number's INTEGER content bytes, as swift-certificates holds them.
    public var serial: [UInt8]
    /// The DER of this CertID, as received or as built.
    public let encoded: [UInt8]

    /// The CertID of `certificate`, issued by `issuer`, hashed with `hash`.
    public init(certificate: Certificate, issuer: Certificate, hash: OCSPHashAlgorithm = .sha1) throws {
        let names = try IssuerHashes(issuer, algorithm: hash)
        try self.init(
            hashAlgorithm: hash.oid,
            issuerNameHash: names.name,
            issuerKeyHash: names.key,
            serial: Array(certificate.serialNumber.bytes)
        )
    }

    public init(
        hashAlgorithm: ASN1ObjectIdentifier,
        issuerNameHash: [UInt8],
        issuerKeyHash: [UInt8],
        serial: [UInt8]
    ) throws {
        self.hashAlgorithm = hashAlgorithm
        self.issuerNameHash = issuerNameHash
        self.issuerKeyHash = issuerKeyHash
        self.serial = serial
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.appendConstructedNode(identifier: .sequence) { algorithm in
                try algorithm.serialize(hashAlgorithm)
                try algorithm.serialize(ASN1Null())
            }
            try coder.serialize(ASN1OctetString(contentBytes: issuerNameHash[...]))
            try coder.serialize(ASN1OctetString(contentBytes: issuerKeyHash[...]))
            try coder.serialize(serial[...])
        }
        self.encoded = coder.serializedBytes
    }

    init(derEncoded node: ASN1Node) throws {
        let parts = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let algorithm = nodes.next() else { throw OCSPDecodingError("a CertID without hashAlgorithm") }
            let oid = try DER.sequence(algorithm, identifier: .sequence) { parts in
                let oid = try ASN1ObjectIdentifier(derEncoded: &parts)
                if let parameters = parts.next(), parameters.identifier != .null {
                    throw OCSPDecodingError("a CertID's hash algorithm has parameters other than NULL")
                }
                return oid
            }
            let name = try ASN1OctetString(derEncoded: &nodes)
            let key = try ASN1OctetString(derEncoded: &nodes)
            let serial = try ArraySlice<UInt8>(derEncoded: &nodes)
            return (oid, Array(name.bytes), Array(key.bytes), Array(serial))
        }
        (self.hashAlgorithm, self.issuerNameHash, self.issuerKeyHash, self.serial) = parts
        self.encoded = Array(node.encodedBytes)
    }

    /// Whether this CertID names a certificate issued by the CA `hashes` were computed for.
    func names(_ hashes: IssuerHashes) -> Bool {
        self.hashAlgorithm == hashes.algorithm.oid && self.issuerNameHash == hashes.name
            && self.issuerKeyHash == hashes.key
    }
}

/// An issuer's name and key hashed as CertIDs name it, computed once per algorithm so a responder
/// compares bytes per request instead of hashing.
struct IssuerHashes: Sendable {
    let algorithm: OCSPHashAlgorithm
    let name: [UInt8]
    let key: [UInt8]

    init(_ issuer: Certificate, algorithm: OCSPHashAlgorithm) throws {
        var subject = DER.Serializer()
        try subject.serialize(issuer.subject)
        self.algorithm = algorithm
        self.name = algorithm.hash(subject.serializedBytes)
        self.key = algorithm.hash(issuer.publicKey.subjectPublicKeyInfoBytes)
    }
}
