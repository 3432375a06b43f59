import Foundation
import SwiftASN1
import X509

/// An X.509 CRL (RFC 5280 §5): built and signed by `pki`, parsed from any issuer's PEM or DER by
/// `inspect --crl` and the diagnosis of failed devices.
///
/// swift-certificates 1.21 has no CRL type, so the encoding is done here with swift-asn1.
public struct RevocationList: Sendable {
    public struct Entry: Sendable, Equatable {
        /// The revoked certificate's serial number, as swift-certificates holds it.
        public var serial: [UInt8]
        public var revocationDate: Date
        /// The entry's reasonCode extension; nil when it has none (RFC 5280 §5.3.1: unspecified
        /// is left out).
        public var reason: RevocationReason?

        public init(serial: [UInt8], revocationDate: Date, reason: RevocationReason? = nil) {
            self.serial = serial
            self.revocationDate = revocationDate
            self.reason = reason
        }
    }

    public var issuer: DistinguishedName
    public var thisUpdate: Date
    public var nextUpdate: Date?
    public var number: Int?
    public var entries: [Entry]
    /// The signed part and signature, kept from parsing so the signature can be checked.
    /// The signed part of the CRL, as encoded (what its signature covers).
    public internal(set) var tbsBytes: [UInt8] = []
    var signatureAlgorithm: Certificate.SignatureAlgorithm?
    var signatureBytes: [UInt8] = []

    /// Whether `certificate` (issued by this CRL's issuer) is listed.
    public func lists(_ certificate: Certificate) -> Bool {
        certificate.issuer == self.issuer
            && self.entries.contains { $0.serial == Array(certificate.serialNumber.bytes) }
    }

    /// Whether the CRL's signature verifies with `issuer`'s public key.
    public func isSigned(by issuer: Certificate) -> Bool {
        guard let algorithm = self.signatureAlgorithm else { return false }
        return issuer.publicKey.isValidSignature(self.signatureBytes, for: self.tbsBytes, signatureAlgorithm: algorithm)
    }

    // MARK: - Building

    /// Builds and signs a CRL (v2, with AuthorityKeyIdentifier and CRLNumber) as PEM; an entry
    /// with a reason other than unspecified gets a reasonCode extension.
    public static func make(
        issuer: CertificateAuthority,
        revoked: [Entry],
        number: Int,
        thisUpdate: Date = Date(),
        validFor lifetime: TimeInterval = 30 * 86400
    ) throws -> String {
        let algorithm = issuer.algorithm.defaultSignatureAlgorithm
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)  // v2
            try SignatureAlgorithmOID.serialize(algorithm, into: &coder)
            try coder.serialize(issuer.certificate.subject)
            try ASN1Time.serialize(thisUpdate, into: &coder)
            try ASN1Time.serialize(thisUpdate.addingTimeInterval(lifetime), into: &coder)
            if !revoked.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { list in
                    for entry in revoked {
                        try list.appendConstructedNode(identifier: .sequence) { item in
                            try item.serialize(entry.serial[...])
                            try ASN1Time.serialize(entry.revocationDate, into: &item)
                            if let reason = entry.reason, reason != .unspecified {
                                try item.appendConstructedNode(identifier: .sequence) { extensions in
                                    try extensions.serialize(try Self.reasonCodeExtension(reason))
                                }
                            }
                        }
                    }
                }
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { explicit in
                try explicit.appendConstructedNode(identifier: .sequence) { extensions in
                    if let ski = issuer.subjectKeyIdentifier {
                        try extensions.serialize(
                            Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: ski), critical: false)
                        )
                    }
                    var numberDER = DER.Serializer()
                    try numberDER.serialize(number)
                    try extensions.serialize(
                        Certificate.Extension(
                            oid: [2, 5, 29, 20],
                            critical: false,
                            value: numberDER.serializedBytes[...]
                        )
                    )
                }
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try issuer.key.key.sign(bytes: tbsBytes, signatureAlgorithm: algorithm)
        var crl = DER.Serializer()
        try crl.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(tbsBytes)
            try SignatureAlgorithmOID.serialize(algorithm, into: &coder)
            try coder.serialize(ASN1BitString(bytes: signature.rawRepresentation[...]))
        }
        return PEMDocument(type: "X509 CRL", derBytes: crl.serializedBytes).pemString + "\n"
    }

    /// reasonCode (2.5.29.21): CRLReason ::= ENUMERATED.
    static let reasonCodeOID: ASN1ObjectIdentifier = [2, 5, 29, 21]

    static func reasonCodeExtension(_ reason: RevocationReason) throws -> Certificate.Extension {
        var value = DER.Serializer()
        try reason.code.serialize(into: &value, withIdentifier: .enumerated)
        return Certificate.Extension(oid: Self.reasonCodeOID, critical: false, value: value.serializedBytes[...])
    }

    // MARK: - Parsing

    /// Parses a CRL from PEM (`-----BEGIN X509 CRL-----`) or DER bytes.
    ///
    /// - Throws: ``PKIError`` `not-a-crl` (no CRL PEM block, not a CRL's structure) or `crl-malformed`
    ///   (a part missing), or SwiftASN1's error for bytes that are not DER at all.
    public init(bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        let der: [UInt8]
        if text.contains("-----BEGIN") {
            guard
                let document = try? PEMDocument.parseMultiple(pemString: text).first(where: {
                    $0.discriminator == "X509 CRL"
                })
            else { throw PKIError(.notACRL, "no X509 CRL PEM block found") }
            der = document.derBytes
        } else {
            der = bytes
        }
        try self.init(der: der)
    }

    /// Every CRL in `bytes`: each `X509 CRL` block of a PEM bundle, or one DER CRL.
    ///
    /// - Throws: as ``init(bytes:)``, for the first block that is not a CRL (none is skipped).
    public static func all(in bytes: [UInt8]) throws -> [RevocationList] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("-----BEGIN") else { return [try RevocationList(der: bytes)] }
        let blocks = ((try? PEMDocument.parseMultiple(pemString: text)) ?? []).filter { $0.discriminator == "X509 CRL" }
        guard !blocks.isEmpty else { throw PKIError(.notACRL, "no X509 CRL PEM block found") }
        return try blocks.map { try RevocationList(der: $0.derBytes) }
    }

    /// Each `X509 CRL` PEM block of `text`, as its own PEM text (wolfSSL loads one CRL per buffer).
    public static func pemBlocks(in text: String) -> [String] {
        ((try? PEMDocument.parseMultiple(pemString: text)) ?? []).filter { $0.discriminator == "X509 CRL" }.map(
            \.pemString
        )
    }

    init(der: [UInt8]) throws {
        let root = try DER.parse(der)
        var parsed: (RevocationList)? = nil
        try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next(), let algorithmNode = nodes.next(), let signatureNode = nodes.next() else {
                throw PKIError(.crlMalformed, "truncated CRL")
            }
            var list = try Self.parseTBS(tbsNode)
            list.tbsBytes = Array(tbsNode.encodedBytes)
            list.signatureAlgorithm = try DER.sequence(algorithmNode, identifier: .sequence) { items in
                guard let oidNode = items.next() else {
                    throw PKIError(.crlMalformed, "CRL signature algorithm missing")
                }
                _ = items.next()
                return SignatureAlgorithmOID.algorithm(for: try ASN1ObjectIdentifier(derEncoded: oidNode))
            }
            list.signatureBytes = Array(try ASN1BitString(derEncoded: signatureNode).bytes)
            parsed = list
        }
        guard let parsed else { throw PKIError(.notACRL, "not a CRL") }
        self = parsed
    }

    private init(issuer: DistinguishedName, thisUpdate: Date, nextUpdate: Date?, number: Int?, entries: [Entry]) {
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.number = number
        self.entries = entries
    }

    private static func parseTBS(_ node: ASN1Node) throws -> RevocationList {
        try DER.sequence(node, identifier: .sequence) { nodes in
            var next = nodes.next()
            if next?.identifier == .integer { next = nodes.next() }  // version
            guard next?.identifier == .sequence else {
                throw PKIError(.crlMalformed, "CRL signature algorithm missing")
            }
            guard let issuerNode = nodes.next() else { throw PKIError(.crlMalformed, "CRL issuer missing") }
            let issuer = try DistinguishedName(derEncoded: issuerNode)
            guard let thisNode = nodes.next(), let thisUpdate = try ASN1Time.parse(thisNode) else {
                throw PKIError(.crlMalformed, "CRL thisUpdate missing")
            }
            var nextUpdate: Date?
            var entries: [Entry] = []
            var number: Int?
            while let item = nodes.next() {
                if let date = try ASN1Time.parse(item) {
                    nextUpdate = date
                } else if item.identifier == .sequence {
                    entries = try Self.parseEntries(item)
                } else if item.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                    number = try Self.parseNumber(item)
                }
            }
            return RevocationList(
                issuer: issuer,
                thisUpdate: thisUpdate,
                nextUpdate: nextUpdate,
                number: number,
                entries: entries
            )
        }
    }

    private static func parseEntries(_ node: ASN1Node) throws -> [Entry] {
        guard case .constructed(let children) = node.content else {
            throw PKIError(.crlMalformed, "malformed CRL entries")
        }
        return try children.map { entry in
            try DER.sequence(entry, identifier: .sequence) { items in
                guard let serialNode = items.next(), let dateNode = items.next(),
                    let date = try ASN1Time.parse(dateNode)
                else { throw PKIError(.crlMalformed, "malformed CRL entry") }
                let reason = items.next().flatMap(Self.reason(in:))
                while items.next() != nil {}
                return Entry(
                    serial: Array(try ArraySlice<UInt8>(derEncoded: serialNode)),
                    revocationDate: date,
                    reason: reason
                )
            }
        }
    }

    /// The reasonCode among an entry's extensions; nil when there is none or it cannot be read
    /// (the entry's other extensions are not needed, and never make a CRL unreadable).
    private static func reason(in extensionsNode: ASN1Node) -> RevocationReason? {
        guard
            let extensions = try? DER.sequence(
                of: Certificate.Extension.self,
                identifier: .sequence,
                rootNode: extensionsNode
            ),
            let code = extensions.first(where: { $0.oid == Self.reasonCodeOID }),
            let value = try? Int(derEncoded: DER.parse(code.value), withIdentifier: .enumerated)
        else { return nil }
        return RevocationReason(code: value)
    }

    private static func parseNumber(_ node: ASN1Node) throws -> Int? {
        guard case .constructed(let children) = node.content, let sequence = children.first(where: { _ in true }) else {
            return nil
        }
        let extensions = try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: sequence)
        guard let numberExtension = extensions.first(where: { $0.oid == [2, 5, 29, 20] }) else { return nil }
        return try Int(derEncoded: DER.parse(numberExtension.value))
    }
}
