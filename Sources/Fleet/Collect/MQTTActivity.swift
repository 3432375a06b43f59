import FleetCore

/// What an accepted MQTT device did and heard while it held its connection; counted by the
/// ``RunCollector``, never a device's outcome (the device was accepted).
enum MQTTActivity: Sendable {
    /// A telemetry PUBLISH went out.
    case published
    /// A PUBACK came back with `code` (v5; 0 in 3.1.1), `seconds` after its PUBLISH.
    case acknowledged(code: UInt8, seconds: Double?)
    /// A SUBACK came back, one code per filter.
    case subscribed(codes: [UInt8])
    /// A PUBLISH from the server (cloud-to-device) arrived.
    case received
    /// The server sent DISCONNECT (v5) with `code` while the device held its connection.
    case serverDisconnected(code: UInt8)
}

/// The run's MQTT counts (``RunReport/MQTT``).
public struct MQTTCounts: Sendable {
    public var published = 0
    public var acknowledged = 0
    /// PUBACK reason codes by name (`success`, `not-authorized`, …).
    public var pubackCodes: [String: Int] = [:]
    public var subscriptions = 0
    /// SUBACK codes by name (`granted-qos-1`, `not-authorized`, …).
    public var subackCodes: [String: Int] = [:]
    public var received = 0
    /// Server DISCONNECT reason codes by name (`session-taken-over`, …).
    public var serverDisconnects: [String: Int] = [:]
    /// Run seconds of the first and the last publish: the publish rate's span.
    public var firstPublishAt: Double?
    public var lastPublishAt: Double?

    mutating func count(_ activity: MQTTActivity, at second: Double) {
        switch activity {
        case .published:
            self.published += 1
            self.firstPublishAt = min(self.firstPublishAt ?? second, second)
            self.lastPublishAt = max(self.lastPublishAt ?? second, second)
        case .acknowledged(let code, _):
            self.acknowledged += 1
            self.pubackCodes[MQTTReasonCode.name(code), default: 0] += 1
        case .subscribed(let codes):
            self.subscriptions += 1
            for code in codes { self.subackCodes[MQTTReasonCode.subackName(code), default: 0] += 1 }
        case .received:
            self.received += 1
        case .serverDisconnected(let code):
            self.serverDisconnects[MQTTReasonCode.name(code), default: 0] += 1
        }
    }
}
