internal import CWolfSSL
import SwiftASN1
import X509

/// Who the peer's certificate says it is.
public struct PeerIdentity: Sendable, Hashable {
    public let commonName: String?
    /// The serialNumber DN attribute (2.5.4.5).
    public let serialNumber: String?
    /// The first uniformResourceIdentifier of the subjectAltName extension, whole
    /// (`urn:dev:tcu-42`, `spiffe://fleet.example/tcu-42`): devices identified by SAN alone.
    public let uri: String?

    public init(commonName: String?, serialNumber: String?, uri: String? = nil) {
        self.commonName = commonName
        self.serialNumber = serialNumber
        self.uri = uri
    }

    /// The device id a backend identifies the device by: the serialNumber attribute, else the CN,
    /// else the SAN URI.
    public var deviceID: String? { self.serialNumber ?? self.commonName ?? self.uri }

    /// Whether `name` is one the certificate gives the device — its serialNumber, CN or SAN URI —
    /// as an MQTT client id must be.
    public func isNamed(_ name: String) -> Bool {
        name == self.serialNumber || name == self.commonName || name == self.uri
    }

    /// From a parsed certificate (the backend's policy reads the leaf this way).
    public init(certificate: Certificate) {
        func attribute(_ type: ASN1ObjectIdentifier) -> String? {
            for rdn in certificate.subject {
                for attribute in rdn where attribute.type == type {
                    return String(attribute.value) ?? attribute.value.description
                }
            }
            return nil
        }
        let uri = ((try? certificate.extensions.subjectAlternativeNames) ?? nil)?.lazy.compactMap { name -> String? in
            if case .uniformResourceIdentifier(let uri) = name { return uri }
            return nil
        }.first
        self.init(commonName: attribute(.RDNAttributeType.commonName), serialNumber: attribute([2, 5, 4, 5]), uri: uri)
    }

    /// From wolfSSL's parsed certificate: no second parse of the DER in the verify callback.
    init(x509: OpaquePointer) {
        let name = wolfSSL_X509_get_subject_name(x509)
        func text(_ nid: Int32) -> String? {
            var buffer = [CChar](repeating: 0, count: 256)
            let length = wolfSSL_X509_NAME_get_text_by_NID(name, nid, &buffer, Int32(buffer.count))
            guard length > 0 else { return nil }
            return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        self.init(
            commonName: text(Int32(NID_commonName)),
            serialNumber: text(Int32(NID_serialNumber)),
            uri: Self.firstURI(x509)
        )
    }

    /// GeneralName tag [6], uniformResourceIdentifier (RFC 5280; wolfSSL's `ASN_URI_TYPE`).
    static let uriNameType: Int32 = 6

    /// The first SAN URI of a wolfSSL certificate. `wolfSSL_X509_get_ext_d2i` returns a new stack
    /// of GENERAL_NAMEs (nil without the extension), freed here.
    static func firstURI(_ x509: OpaquePointer) -> String? {
        guard let raw = wolfSSL_X509_get_ext_d2i(x509, Int32(NID_subject_alt_name), nil, nil) else { return nil }
        let names = OpaquePointer(raw)
        defer { wolfSSL_GENERAL_NAMES_free(names) }
        for index in 0..<wolfSSL_sk_GENERAL_NAME_num(names) {
            guard let name = wolfSSL_sk_GENERAL_NAME_value(names, index), name.pointee.type == Self.uriNameType,
                let string = name.pointee.d.uniformResourceIdentifier,
                let data = wolfSSL_ASN1_STRING_data(string)
            else { continue }
            let length = Int(wolfSSL_ASN1_STRING_length(string))
            return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        }
        return nil
    }
}
