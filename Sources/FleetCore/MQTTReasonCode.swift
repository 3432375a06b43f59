/// Names of MQTT 5 reason codes (MQTT 5.0 §2.4), as reports count them: PUBACK, SUBACK and
/// DISCONNECT codes are not the device's outcome (it was accepted) but are counted by name.
public enum MQTTReasonCode {
    /// The name of a PUBACK or DISCONNECT reason code; `0xNN` for one the specification does not define.
    public static func name(_ code: UInt8) -> String {
        Self.names[code] ?? "0x" + String(code, radix: 16, uppercase: true)
    }

    /// The name of a SUBACK code, in either version: the granted QoS, or the failure.
    public static func subackName(_ code: UInt8) -> String {
        switch code {
        case 0, 1, 2: "granted-qos-\(code)"
        case 0x80: "unspecified-error"
        default: Self.name(code)
        }
    }

    private static let names: [UInt8: String] = [
        0x00: "success", 0x04: "disconnect-with-will-message", 0x10: "no-matching-subscribers",
        0x11: "no-subscription-existed", 0x18: "continue-authentication", 0x19: "re-authenticate",
        0x80: "unspecified-error", 0x81: "malformed-packet", 0x82: "protocol-error",
        0x83: "implementation-specific-error", 0x84: "unsupported-protocol-version",
        0x85: "client-identifier-not-valid", 0x86: "bad-user-name-or-password", 0x87: "not-authorized",
        0x88: "server-unavailable", 0x89: "server-busy", 0x8A: "banned", 0x8B: "server-shutting-down",
        0x8C: "bad-authentication-method", 0x8D: "keep-alive-timeout", 0x8E: "session-taken-over",
        0x8F: "topic-filter-invalid", 0x90: "topic-name-invalid", 0x91: "packet-identifier-in-use",
        0x92: "packet-identifier-not-found", 0x93: "receive-maximum-exceeded", 0x94: "topic-alias-invalid",
        0x95: "packet-too-large", 0x96: "message-rate-too-high", 0x97: "quota-exceeded",
        0x98: "administrative-action", 0x99: "payload-format-invalid", 0x9A: "retain-not-supported",
        0x9B: "qos-not-supported", 0x9C: "use-another-server", 0x9D: "server-moved",
        0x9E: "shared-subscriptions-not-supported", 0x9F: "connection-rate-exceeded", 0xA0: "maximum-connect-time",
        0xA1: "subscription-identifiers-not-supported", 0xA2: "wildcard-subscriptions-not-supported",
    ]
}
