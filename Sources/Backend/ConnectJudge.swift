import FleetCore
import FleetMQTT
import FleetTLS
import NIOConcurrencyHelpers

/// What the backend answers a CONNECT from a device whose TLS it accepted.
public enum ConnectVerdict: Sendable, Equatable {
    case accept
    /// CONNACK with the refusal's code in the connection's version (v5: the reason as reason string).
    case refuse(MQTTRefusal, reason: String)
    /// No CONNACK: the connection is closed (AWS IoT Core's policy denial on 3.1.1, just-in-time
    /// registration). The device sees `closed-after-connect`.
    case close(reason: String)
}

/// Judges a CONNECT the way the chosen ``BackendPersonality`` does. Pure but for the
/// just-in-time-registration ledger, which remembers the certificates it has seen.
public struct ConnectJudge: Sendable {
    public var personality: BackendPersonality = .mosquitto
    /// Mosquitto personality: the client id must be one the certificate gives the device (the clouds
    /// always require it).
    public var matchClientID = true
    /// nil: every device whose TLS was accepted is registered.
    public var registry: DeviceRegistry?
    /// AWS: close each certificate's first connection, accept it from then on.
    public var justInTimeRegistration: JustInTimeRegistration?

    public init() {}

    public func judge(_ connect: MQTTPacket.Connect, peer: PeerIdentity?) -> ConnectVerdict {
        let named = peer?.isNamed(connect.clientID) ?? false
        let device = peer?.deviceID ?? "none"
        let clientIDProblem =
            named ? nil : "client id '\(connect.clientID)' is not the certificate's device id '\(device)'"
        let registryProblem: String? =
            switch self.registry?.status(of: peer) ?? .enabled {
            case .enabled: nil
            case .disabled: "device '\(device)' is disabled in the registry"
            case .unknown: "device '\(device)' is not in the registry"
            }
        switch self.personality {
        case .mosquitto:
            if self.matchClientID, let clientIDProblem { return .refuse(.notAuthorized, reason: clientIDProblem) }
            if let registryProblem { return .refuse(.notAuthorized, reason: registryProblem) }
            return .accept
        case .azureIoTHub:
            guard connect.version == .v3_1_1 else {
                return .refuse(.protocolVersion, reason: "IoT Hub's device endpoint speaks MQTT 3.1.1")
            }
            if let clientIDProblem { return .refuse(.notAuthorized, reason: clientIDProblem) }
            guard let username = connect.username, Self.isAzureUsername(username, deviceID: connect.clientID) else {
                return .refuse(
                    .notAuthorized,
                    reason:
                        "user name '\(connect.username ?? "")' is not '{hub}.azure-devices.net/\(connect.clientID)/?api-version=…'"
                )
            }
            if let registryProblem { return .refuse(.notAuthorized, reason: registryProblem) }
            return .accept
        case .awsIoTCore:
            if let ledger = self.justInTimeRegistration, ledger.register(device) {
                return .close(reason: "just-in-time registration of '\(device)': its first connection is closed")
            }
            let denial =
                clientIDProblem.map { "policy denies iot:Connect: \($0)" }
                ?? registryProblem.map { "certificate not active: \($0)" }
            guard let denial else { return .accept }
            return connect.version == .v5 ? .refuse(.notAuthorized, reason: denial) : .close(reason: denial)
        }
    }

    /// `{hub}.azure-devices.net/{deviceId}/?api-version=…` (any host: a test hub has its own name).
    static func isAzureUsername(_ username: String, deviceID: String) -> Bool {
        let parts = username.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 && !parts[0].isEmpty && parts[1] == deviceID && parts[2].hasPrefix("?api-version=")
    }
}

/// The certificates a backend with just-in-time registration has seen (by device id).
///
/// **Thread-safety:** one lock; touched once per CONNECT.
public final class JustInTimeRegistration: Sendable {
    private let seen = NIOLockedValueBox<Set<String>>([])

    public init() {}

    /// Registers `device`; true the first time (the connection that registers it is closed).
    func register(_ device: String) -> Bool {
        self.seen.withLockedValue { $0.insert(device).inserted }
    }
}
