import FleetCore

/// How a device speaks MQTT beyond telemetry (profile `mqtt.*`, `--mqtt*` flags): the version, the
/// names it gives itself, where its password comes from, what it subscribes to, and the MQTT 5
/// CONNECT properties. Clouds differ exactly here (DESIGN §2; `devices/azure-iot-hub.yaml`,
/// `devices/aws-iot-core.yaml`).
public struct MQTTProfile: Sendable, Equatable {
    public var version: MQTTVersion = .v3_1_1
    public var clientID = MQTTTemplate.deviceID
    /// nil: the CONNECT carries no user name (certificate authentication alone).
    public var username: MQTTTemplate?
    /// Where the password is read from; never a literal in a profile or on the command line, so it
    /// is not in shell histories, process lists or checked-in files.
    public var password: SecretSource?
    /// A cloud-to-device topic the device subscribes to once accepted, at the profile's QoS.
    public var subscribe: MQTTTemplate?
    /// MQTT 5: seconds the broker keeps the session after a disconnect (0: none).
    public var sessionExpiry: UInt32?
    /// MQTT 5: QoS 1 messages the device accepts unacknowledged at once.
    public var receiveMaximum: UInt16?

    public init() {}

    /// An environment variable or a file holding a secret.
    public enum SecretSource: Sendable, Equatable {
        case environment(String)
        case file(String)
    }
}
