import SwiftASN1

/// OCSP bytes that are DER but not the structure RFC 6960 describes.
public struct OCSPDecodingError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }

    /// Reads `version [0] EXPLICIT Version DEFAULT v1` at the start of `structure` (TBSRequest,
    /// ResponseData): v1 is the only version there is, anything else is refused.
    static func readVersion1(_ nodes: inout ASN1NodeCollection.Iterator, of structure: String) throws {
        let version = try DER.decodeDefaultExplicitlyTagged(
            &nodes,
            tagNumber: 0,
            tagClass: .contextSpecific,
            defaultValue: 0
        )
        guard version == 0 else { throw OCSPDecodingError("\(structure) version \(version + 1), not v1") }
    }
}
