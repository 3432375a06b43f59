/// The MQTT protocol version a device speaks (`--mqtt 3.1.1|5`, profile `mqtt.version`).
///
/// The version decides the wire format (MQTT 5 adds properties and reason codes to most packets)
/// and how a refusal is read: a 3.1.1 CONNACK carries a return code 1–5, a v5 CONNACK a reason
/// code ≥ 0x80 and often a reason string.
public enum MQTTVersion: String, Sendable, CaseIterable, Hashable {
    case v3_1_1 = "3.1.1"
    case v5 = "5"

    /// The CONNECT packet's protocol level byte (3.1.1 §3.1.2.2, 5.0 §3.1.2.2).
    public var level: UInt8 {
        switch self {
        case .v3_1_1: 4
        case .v5: 5
        }
    }

    public init?(level: UInt8) {
        switch level {
        case 4: self = .v3_1_1
        case 5: self = .v5
        default: return nil
        }
    }
}
