/// Why a CONNACK refused the device: the `mqtt-refused:NAME` outcomes.
///
/// A refusal that both versions can express has one name whichever version carried it (3.1.1
/// return code 5 and v5 reason code 0x87 are both `not-authorized`), so a fleet's outcomes compare
/// across versions; the numeric code is in the device's detail. The v5-only reasons have the
/// names of MQTT 5.0 §3.2.2.2.
public enum MQTTRefusal: String, Hashable, Sendable, CaseIterable {
    case protocolVersion = "protocol-version"
    case identifierRejected = "identifier-rejected"
    case serverUnavailable = "server-unavailable"
    case badCredentials = "bad-credentials"
    case notAuthorized = "not-authorized"
    // MQTT 5 only.
    case unspecifiedError = "unspecified-error"
    case malformedPacket = "malformed-packet"
    case protocolError = "protocol-error"
    case implementationSpecificError = "implementation-specific-error"
    case serverBusy = "server-busy"
    case banned
    case badAuthenticationMethod = "bad-authentication-method"
    case topicNameInvalid = "topic-name-invalid"
    case packetTooLarge = "packet-too-large"
    case quotaExceeded = "quota-exceeded"
    case payloadFormatInvalid = "payload-format-invalid"
    case retainNotSupported = "retain-not-supported"
    case qosNotSupported = "qos-not-supported"
    case useAnotherServer = "use-another-server"
    case serverMoved = "server-moved"
    case connectionRateExceeded = "connection-rate-exceeded"

    /// The MQTT 3.1.1 CONNACK return code (§3.2.2.3); nil for reasons only MQTT 5 has.
    public var returnCode: UInt8? {
        switch self {
        case .protocolVersion: 1
        case .identifierRejected: 2
        case .serverUnavailable: 3
        case .badCredentials: 4
        case .notAuthorized: 5
        default: nil
        }
    }

    /// The MQTT 5 CONNACK reason code (§3.2.2.2).
    public var reasonCode: UInt8 {
        switch self {
        case .unspecifiedError: 0x80
        case .malformedPacket: 0x81
        case .protocolError: 0x82
        case .implementationSpecificError: 0x83
        case .protocolVersion: 0x84
        case .identifierRejected: 0x85
        case .badCredentials: 0x86
        case .notAuthorized: 0x87
        case .serverUnavailable: 0x88
        case .serverBusy: 0x89
        case .banned: 0x8A
        case .badAuthenticationMethod: 0x8C
        case .topicNameInvalid: 0x90
        case .packetTooLarge: 0x95
        case .quotaExceeded: 0x97
        case .payloadFormatInvalid: 0x99
        case .retainNotSupported: 0x9A
        case .qosNotSupported: 0x9B
        case .useAnotherServer: 0x9C
        case .serverMoved: 0x9D
        case .connectionRateExceeded: 0x9F
        }
    }

    /// The code this refusal has in `version`'s CONNACK; a v5-only reason sent to a 3.1.1 device
    /// becomes 3.1.1's closest, "not authorized".
    public func code(in version: MQTTVersion) -> UInt8 {
        switch version {
        case .v3_1_1: self.returnCode ?? MQTTRefusal.notAuthorized.returnCode!
        case .v5: self.reasonCode
        }
    }

    /// The refusal a CONNACK code means in `version`; nil for success and for codes the version
    /// does not define (a protocol error).
    public init?(code: UInt8, version: MQTTVersion) {
        let match: MQTTRefusal? =
            switch version {
            case .v3_1_1: Self.allCases.first { $0.returnCode == code }
            case .v5: Self.allCases.first { $0.reasonCode == code }
            }
        guard let match else { return nil }
        self = match
    }
}
