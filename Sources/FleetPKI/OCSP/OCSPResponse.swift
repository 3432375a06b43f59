import SwiftASN1

/// What an OCSP responder sends back (RFC 6960 §4.2.1): a status, and for `successful` the signed
/// ``BasicOCSPResponse``.
///
/// ```
/// OCSPResponse ::= SEQUENCE {
///     responseStatus          OCSPResponseStatus,   -- ENUMERATED
///     responseBytes       [0] EXPLICIT ResponseBytes OPTIONAL }
/// ResponseBytes ::= SEQUENCE {
///     responseType            OBJECT IDENTIFIER,    -- id-pkix-ocsp-basic
///     response                OCTET STRING }        -- DER of BasicOCSPResponse
/// ```
/// Errors are unsigned (the status alone): a client cannot trust them, only retry or give up.
public struct OCSPResponse: Sendable {
    public enum Status: Int, Sendable, CaseIterable, CustomStringConvertible {
        case successful = 0
        /// The request was not an OCSPRequest (not DER, wrong structure, too large).
        case malformedRequest = 1
        /// The responder could not answer (its PKI files cannot be read).
        case internalError = 2
        case tryLater = 3
        case sigRequired = 5
        /// The responder will not answer this request (an extension it must not ignore, too many
        /// certificates at once).
        case unauthorized = 6

        public var description: String {
            switch self {
            case .successful: "successful"
            case .malformedRequest: "malformedRequest"
            case .internalError: "internalError"
            case .tryLater: "tryLater"
            case .sigRequired: "sigRequired"
            case .unauthorized: "unauthorized"
            }
        }
    }

    public var status: Status
    /// The signed answer; only for ``Status/successful``.
    public var basic: BasicOCSPResponse?

    public init(status: Status, basic: BasicOCSPResponse? = nil) {
        self.status = status
        self.basic = basic
    }

    public func derEncoded() throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { response in
            try self.status.rawValue.serialize(into: &response, withIdentifier: .enumerated)
            if let basic = self.basic {
                var inner = DER.Serializer()
                try basic.serialize(into: &inner)
                try response.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { explicit in
                    try explicit.appendConstructedNode(identifier: .sequence) { bytes in
                        try bytes.serialize(ASN1ObjectIdentifier.ocspBasicResponse)
                        try bytes.serialize(ASN1OctetString(contentBytes: inner.serializedBytes[...]))
                    }
                }
            }
        }
        return coder.serializedBytes
    }

    /// The DER of an unsigned error response: `status` alone.
    public static func error(_ status: Status) -> [UInt8] {
        // ENUMERATED in a SEQUENCE: nothing here can fail to encode.
        [0x30, 0x03, 0x0A, 0x01, UInt8(status.rawValue)]
    }

    /// Parses a DER response.
    ///
    /// - Throws: SwiftASN1's error for bytes that are not DER, or ``OCSPDecodingError`` for an
    ///   unknown status, a response type other than id-pkix-ocsp-basic, a successful status
    ///   without a response.
    public init(derEncoded bytes: [UInt8]) throws {
        self = try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
            let code = try Int(derEncoded: &nodes, withIdentifier: .enumerated)
            guard let status = Status(rawValue: code) else { throw OCSPDecodingError("response status \(code)") }
            let basic = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                try DER.sequence(node, identifier: .sequence) { parts in
                    let type = try ASN1ObjectIdentifier(derEncoded: &parts)
                    guard type == .ocspBasicResponse else { throw OCSPDecodingError("response type \(type)") }
                    let octets = try ASN1OctetString(derEncoded: &parts)
                    return try BasicOCSPResponse(derEncoded: try DER.parse(octets.bytes))
                }
            }
            guard status != .successful || basic != nil else {
                throw OCSPDecodingError("a successful response without responseBytes")
            }
            return OCSPResponse(status: status, basic: basic)
        }
    }
}
