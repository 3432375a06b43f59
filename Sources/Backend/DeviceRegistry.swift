import FleetPKI
import FleetTLS
import Foundation

/// The devices a cloud backend knows (`serve --registry`): registered and enabled, registered and
/// disabled, or unknown. Cloud personalities judge it at CONNECT, after TLS, as IoT Hub's device
/// registry and AWS IoT's thing registry are.
public struct DeviceRegistry: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case enabled, disabled, unknown
    }

    public var enabled: Set<String>
    public var disabled: Set<String>

    public init(enabled: Set<String>, disabled: Set<String> = []) {
        self.enabled = enabled
        self.disabled = disabled
    }

    /// A registry file that starts like JSON but is not a `fleet.json`.
    public struct NotAManifest: Error, Sendable {
        public let underlying: String
    }

    /// From a `fleet.json` (`fleetsim pki`'s manifest: revoked devices are disabled), or a text file
    /// of device ids, one per line (`#` comments). JSON that is not a manifest is an error, never a
    /// list of odd device ids.
    public static func parse(_ text: String) throws(NotAManifest) -> DeviceRegistry {
        if text.drop(while: \.isWhitespace).hasPrefix("{") {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let manifest: FleetManifest
            do {
                manifest = try decoder.decode(FleetManifest.self, from: Data(text.utf8))
            } catch {
                throw NotAManifest(underlying: "\(error)")
            }
            return DeviceRegistry(
                enabled: Set(manifest.devices.filter { !$0.revoked }.map(\.id)),
                disabled: Set(manifest.devices.filter(\.revoked).map(\.id))
            )
        }
        let ids = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        return DeviceRegistry(enabled: Set(ids))
    }

    /// The status of the device a certificate names: by its serialNumber, CN or SAN URI.
    public func status(of peer: PeerIdentity?) -> Status {
        let names = [peer?.serialNumber, peer?.commonName, peer?.uri].compactMap { $0 }
        if names.contains(where: self.disabled.contains) { return .disabled }
        if names.contains(where: self.enabled.contains) { return .enabled }
        return .unknown
    }
}
