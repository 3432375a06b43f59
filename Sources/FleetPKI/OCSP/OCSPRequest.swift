import SwiftASN1
import X509

/// An OCSP request (RFC 6960 §4.1): which certificates a client asks about, and its nonce.
///
/// ```
/// OCSPRequest ::= SEQUENCE {
///     tbsRequest                  TBSRequest,
///     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
/// TBSRequest ::= SEQUENCE {
///     version             [0]     EXPLICIT Version DEFAULT v1,
///     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
///     requestList                 SEQUENCE OF Request,
///     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
/// Request ::= SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
/// ```
/// swift-certificates 1.21 keeps its OCSP types internal, so this is written with swift-asn1, as
/// ``RevocationList`` is. The requestor name and signature are read past, not checked: the
/// responder answers anyone (RFC 6960 §4.1.2 makes signed requests optional).
public struct OCSPRequest: Sendable, Hashable {
    /// One certificate asked about.
    public struct Single: Sendable, Hashable {
        public var certID: OCSPCertID
        public var extensions: [Certificate.Extension]

        public init(certID: OCSPCertID, extensions: [Certificate.Extension] = []) {
            self.certID = certID
            self.extensions = extensions
        }
    }

    public var requests: [Single]
    /// requestExtensions: the nonce, and whatever else a client sends.
    public var extensions: [Certificate.Extension]
    /// Whether the request carried optionalSignature (read past, never checked).
    public internal(set) var isSigned = false

    public init(certIDs: [OCSPCertID], nonce: [UInt8]? = nil) throws {
        self.requests = certIDs.map { Single(certID: $0) }
        self.extensions = try nonce.map { [try OCSPNonce.makeExtension($0)] } ?? []
    }

    /// The id-pkix-ocsp-nonce extension (RFC 8954), if the client sent one.
    public var nonce: Certificate.Extension? {
        self.extensions.first { $0.oid == .ocspNonce }
    }

    /// Parses a DER request.
    ///
    /// - Throws: SwiftASN1's error for bytes that are not DER (trailing bytes included), or
    ///   ``OCSPDecodingError`` for DER that is not an OCSPRequest: a version other than v1, an
    ///   empty request list.
    public init(derEncoded bytes: [UInt8]) throws {
        let root = try DER.parse(bytes)
        var parsed: (requests: [Single], extensions: [Certificate.Extension])?
        var signed = false
        try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbs = nodes.next() else { throw OCSPDecodingError("an OCSPRequest without tbsRequest") }
            parsed = try Self.parseTBS(tbs)
            signed = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 } != nil
        }
        guard let parsed else { throw OCSPDecodingError("not an OCSPRequest") }
        self.requests = parsed.requests
        self.extensions = parsed.extensions
        self.isSigned = signed
    }

    /// The DER of this request, unsigned (what `openssl ocsp -reqout` writes without `-signer`).
    public func derEncoded() throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { request in
            try request.appendConstructedNode(identifier: .sequence) { tbs in
                try tbs.appendConstructedNode(identifier: .sequence) { list in
                    for single in self.requests {
                        try list.appendConstructedNode(identifier: .sequence) { item in
                            item.serializeRawBytes(single.certID.encoded)
                            if !single.extensions.isEmpty {
                                try item.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) {
                                    try $0.serializeSequenceOf(single.extensions)
                                }
                            }
                        }
                    }
                }
                if !self.extensions.isEmpty {
                    try tbs.serialize(explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific) {
                        try $0.serializeSequenceOf(self.extensions)
                    }
                }
            }
        }
        return coder.serializedBytes
    }

    private static func parseTBS(_ node: ASN1Node) throws -> ([Single], [Certificate.Extension]) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            try OCSPDecodingError.readVersion1(&nodes, of: "OCSPRequest")
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { $0 }
            guard let list = nodes.next() else { throw OCSPDecodingError("an OCSPRequest without requestList") }
            guard list.identifier == .sequence, case .constructed(let items) = list.content else {
                throw OCSPDecodingError("an OCSPRequest whose requestList is not a SEQUENCE")
            }
            let requests = try items.map(Self.parseSingle)
            guard !requests.isEmpty else { throw OCSPDecodingError("an OCSPRequest that asks about nothing") }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) {
                try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: $0)
            }
            return (requests, extensions ?? [])
        }
    }

    private static func parseSingle(_ node: ASN1Node) throws -> Single {
        try DER.sequence(node, identifier: .sequence) { nodes in
            guard let certID = nodes.next() else { throw OCSPDecodingError("a Request without reqCert") }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: $0)
            }
            return Single(certID: try OCSPCertID(derEncoded: certID), extensions: extensions ?? [])
        }
    }
}
