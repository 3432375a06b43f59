internal import CWolfSSL

/// Who the peer's certificate says it is.
public struct PeerIdentity: Sendable, Hashable {
    public let commonName: String?
    /// The serialNumber DN attribute (2.5.4.5).
    public let serialNumber: String?

    public init(commonName: String?, serialNumber: String?) {
        self.commonName = commonName
        self.serialNumber = serialNumber
    }

    /// The device id a backend identifies the device by: the serialNumber attribute, else the CN.
    public var deviceID: String? { self.serialNumber ?? self.commonName }

    init(x509: OpaquePointer) {
        let name = wolfSSL_X509_get_subject_name(x509)
        func text(_ nid: Int32) -> String? {
            var buffer = [CChar](repeating: 0, count: 256)
            let length = wolfSSL_X509_NAME_get_text_by_NID(name, nid, &buffer, Int32(buffer.count))
            guard length > 0 else { return nil }
            return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        self.init(commonName: text(Int32(NID_commonName)), serialNumber: text(Int32(NID_serialNumber)))
    }
}
