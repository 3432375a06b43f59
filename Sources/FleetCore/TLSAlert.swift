/// A TLS alert description (RFC 8446 §6, RFC 5246 §7.2) with its RFC name.
///
/// Outcome identifiers and reports name alerts by their RFC names with dashes
/// (`certificate-expired`), because the numbers mean nothing to most readers and wolfSSL's own
/// string table has gaps (it returns NULL for 116, `certificate_required`).
public struct TLSAlert: Hashable, Sendable, CustomStringConvertible {
    /// The alert description byte as sent on the wire.
    public let code: UInt8

    public init(code: UInt8) {
        self.code = code
    }

    /// The RFC name with dashes (`bad-certificate`), or `alert-N` for numbers no RFC names.
    public var name: String {
        Self.names[self.code] ?? "alert-\(self.code)"
    }

    /// The RFC name as the RFC spells it (`bad_certificate`), for messages that quote the RFC.
    public var rfcName: String {
        String(self.name.map { $0 == "-" ? "_" : $0 })
    }

    public var description: String {
        "\(self.rfcName) (\(self.code))"
    }

    /// Looks an alert up by its dashed name (`certificate-expired`) or `alert-N`.
    public init?(name: String) {
        if let entry = Self.names.first(where: { $0.value == name }) {
            self.code = entry.key
        } else if name.hasPrefix("alert-"), let code = UInt8(name.dropFirst("alert-".count)) {
            self.code = code
        } else {
            return nil
        }
    }

    public static let closeNotify = TLSAlert(code: 0)
    public static let handshakeFailure = TLSAlert(code: 40)
    public static let badCertificate = TLSAlert(code: 42)
    public static let unsupportedCertificate = TLSAlert(code: 43)
    public static let certificateRevoked = TLSAlert(code: 44)
    public static let certificateExpired = TLSAlert(code: 45)
    public static let certificateUnknown = TLSAlert(code: 46)
    public static let unknownCA = TLSAlert(code: 48)
    public static let accessDenied = TLSAlert(code: 49)
    public static let protocolVersion = TLSAlert(code: 70)
    public static let insufficientSecurity = TLSAlert(code: 71)
    public static let certificateRequired = TLSAlert(code: 116)
    /// RFC 7301 §3.2: the server supports none of the application protocols (ALPN) the client offered.
    public static let noApplicationProtocol = TLSAlert(code: 120)

    private static let names: [UInt8: String] = [
        0: "close-notify",
        10: "unexpected-message",
        20: "bad-record-mac",
        21: "decryption-failed",
        22: "record-overflow",
        30: "decompression-failure",
        40: "handshake-failure",
        41: "no-certificate",
        42: "bad-certificate",
        43: "unsupported-certificate",
        44: "certificate-revoked",
        45: "certificate-expired",
        46: "certificate-unknown",
        47: "illegal-parameter",
        48: "unknown-ca",
        49: "access-denied",
        50: "decode-error",
        51: "decrypt-error",
        60: "export-restriction",
        70: "protocol-version",
        71: "insufficient-security",
        80: "internal-error",
        86: "inappropriate-fallback",
        90: "user-canceled",
        100: "no-renegotiation",
        109: "missing-extension",
        110: "unsupported-extension",
        111: "certificate-unobtainable",
        112: "unrecognized-name",
        113: "bad-certificate-status-response",
        114: "bad-certificate-hash-value",
        115: "unknown-psk-identity",
        116: "certificate-required",
        120: "no-application-protocol",
    ]
}
