import Crypto
import Foundation
import SwiftASN1
import X509

/// A signed OCSP answer (RFC 6960 §4.2.1): the statuses, who signed them, and when.
///
/// ```
/// BasicOCSPResponse ::= SEQUENCE {
///     tbsResponseData      ResponseData,
///     signatureAlgorithm   AlgorithmIdentifier,
///     signature            BIT STRING,
///     certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ResponseData ::= SEQUENCE {
///     version              [0] EXPLICIT Version DEFAULT v1,
///     responderID              ResponderID,
///     producedAt               GeneralizedTime,
///     responses                SEQUENCE OF SingleResponse,
///     responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }
/// ```
/// Built and signed by ``sign(responses:producedAt:extensions:signer:)``; parsed back (with its
/// signed bytes kept, so the signature can be checked) for tests and for relying parties.
public struct BasicOCSPResponse: Sendable {
    /// Who signed: by name, or (what fleetsim sends) by the SHA-1 of the signer's public key.
    public enum ResponderID: Sendable, Hashable {
        case byName(DistinguishedName)
        case byKey([UInt8])
    }

    public var responderID: ResponderID
    public var producedAt: Date
    public var responses: [OCSPSingleResponse]
    /// responseExtensions: the echoed nonce, when there is one.
    public var extensions: [Certificate.Extension]
    /// Certificates that help verify the signature: a delegated responder's, and its issuer.
    public var certificates: [Certificate]
    /// The signed part (ResponseData), as encoded.
    public private(set) var tbsBytes: [UInt8]
    public private(set) var signatureAlgorithm: Certificate.SignatureAlgorithm?
    var signatureBytes: [UInt8]

    /// The nonce extension the response echoes, if any.
    public var nonce: Certificate.Extension? { self.extensions.first { $0.oid == .ocspNonce } }

    /// Whether the signature verifies with `certificate`'s public key.
    public func isSigned(by certificate: Certificate) -> Bool {
        guard let algorithm = self.signatureAlgorithm else { return false }
        return certificate.publicKey.isValidSignature(
            self.signatureBytes,
            for: self.tbsBytes,
            signatureAlgorithm: algorithm
        )
    }

    /// Whether ``responderID`` names `certificate` (by key hash or by subject).
    public func isIdentified(as certificate: Certificate) -> Bool {
        switch self.responderID {
        case .byName(let name): name == certificate.subject
        case .byKey(let hash): hash == Self.keyHash(certificate)
        }
    }

    /// KeyHash: SHA-1 of the subjectPublicKey BIT STRING's value (RFC 6960 §4.2.1).
    static func keyHash(_ certificate: Certificate) -> [UInt8] {
        Array(Insecure.SHA1.hash(data: Array(certificate.publicKey.subjectPublicKeyInfoBytes)))
    }

    // MARK: - Signing

    /// Signs `responses` with `signer`'s key, identified by key hash, its certificates attached.
    ///
    /// - Throws: if the key cannot sign (a key type fleetsim does not issue with).
    public static func sign(
        responses: [OCSPSingleResponse],
        producedAt: Date,
        extensions: [Certificate.Extension],
        signer: OCSPSigner
    ) throws -> BasicOCSPResponse {
        let algorithm = signer.signatureAlgorithm
        let responderID = ResponderID.byKey(Self.keyHash(signer.certificate))
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { data in
            try Self.serialize(responderID, into: &data)
            try data.serialize(try ASN1Time.generalized(producedAt))
            try data.appendConstructedNode(identifier: .sequence) { list in
                for response in responses { try response.serialize(into: &list) }
            }
            if !extensions.isEmpty {
                try data.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) {
                    try $0.serializeSequenceOf(extensions)
                }
            }
        }
        let signature = try signer.key.sign(bytes: tbs.serializedBytes, signatureAlgorithm: algorithm)
        return BasicOCSPResponse(
            responderID: responderID,
            producedAt: producedAt,
            responses: responses,
            extensions: extensions,
            certificates: signer.included,
            tbsBytes: tbs.serializedBytes,
            signatureAlgorithm: algorithm,
            signatureBytes: signature.rawRepresentation
        )
    }

    func serialize(into coder: inout DER.Serializer) throws {
        guard let algorithm = self.signatureAlgorithm else {
            throw PKIError(.unsupportedSignatureAlgorithm, "an OCSP response without a signature algorithm")
        }
        try coder.appendConstructedNode(identifier: .sequence) { basic in
            basic.serializeRawBytes(self.tbsBytes)
            try SignatureAlgorithmOID.serialize(algorithm, into: &basic)
            try basic.serialize(ASN1BitString(bytes: self.signatureBytes[...]))
            if !self.certificates.isEmpty {
                try basic.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) {
                    try $0.serializeSequenceOf(self.certificates)
                }
            }
        }
    }

    private static func serialize(_ responderID: ResponderID, into coder: inout DER.Serializer) throws {
        switch responderID {
        case .byName(let name):
            try coder.serialize(name, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        case .byKey(let hash):
            try coder.serialize(
                ASN1OctetString(contentBytes: hash[...]),
                explicitlyTaggedWithTagNumber: 2,
                tagClass: .contextSpecific
            )
        }
    }

    // MARK: - Parsing

    private init(
        responderID: ResponderID,
        producedAt: Date,
        responses: [OCSPSingleResponse],
        extensions: [Certificate.Extension],
        certificates: [Certificate],
        tbsBytes: [UInt8],
        signatureAlgorithm: Certificate.SignatureAlgorithm?,
        signatureBytes: [UInt8]
    ) {
        self.responderID = responderID
        self.producedAt = producedAt
        self.responses = responses
        self.extensions = extensions
        self.certificates = certificates
        self.tbsBytes = tbsBytes
        self.signatureAlgorithm = signatureAlgorithm
        self.signatureBytes = signatureBytes
    }

    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next(), let algorithmNode = nodes.next(), let signatureNode = nodes.next() else {
                throw OCSPDecodingError("a BasicOCSPResponse without its data, algorithm or signature")
            }
            var response = try Self.parseData(tbsNode)
            response.signatureAlgorithm = try DER.sequence(algorithmNode, identifier: .sequence) { parts in
                let oid = try ASN1ObjectIdentifier(derEncoded: &parts)
                _ = parts.next()
                return SignatureAlgorithmOID.algorithm(for: oid)
            }
            response.signatureBytes = Array(try ASN1BitString(derEncoded: signatureNode).bytes)
            response.certificates =
                try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try DER.sequence(of: Certificate.self, identifier: .sequence, rootNode: $0)
                } ?? []
            return response
        }
    }

    private static func parseData(_ node: ASN1Node) throws -> BasicOCSPResponse {
        try DER.sequence(node, identifier: .sequence) { nodes in
            try OCSPDecodingError.readVersion1(&nodes, of: "ResponseData")
            guard let idNode = nodes.next() else { throw OCSPDecodingError("ResponseData without responderID") }
            let responderID: ResponderID
            if idNode.identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) {
                responderID = .byName(
                    try DER.explicitlyTagged(idNode, tagNumber: 1, tagClass: .contextSpecific) {
                        try DistinguishedName(derEncoded: $0)
                    }
                )
            } else {
                let hash = try DER.explicitlyTagged(idNode, tagNumber: 2, tagClass: .contextSpecific) {
                    try ASN1OctetString(derEncoded: $0)
                }
                responderID = .byKey(Array(hash.bytes))
            }
            guard let producedNode = nodes.next(), let producedAt = try ASN1Time.parse(producedNode),
                let listNode = nodes.next(), listNode.identifier == .sequence,
                case .constructed(let items) = listNode.content
            else { throw OCSPDecodingError("ResponseData without producedAt or responses") }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: $0)
            }
            return BasicOCSPResponse(
                responderID: responderID,
                producedAt: producedAt,
                responses: try items.map(OCSPSingleResponse.init(derEncoded:)),
                extensions: extensions ?? [],
                certificates: [],
                tbsBytes: Array(node.encodedBytes),
                signatureAlgorithm: nil,
                signatureBytes: []
            )
        }
    }
}
