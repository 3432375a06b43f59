import FleetTLS

/// One simulated device of a run: its id and either a usable identity or why it has none.
public struct FleetDevice: Sendable {
    public let id: String
    /// The validated identity, or the reason the device will end `identity-invalid` without connecting.
    public let identity: Result<DeviceIdentity, TLSFailure>
    /// The certificate and key text, kept for the diagnosis of a failed device.
    public let chainPEM: String
    public let keyPEM: String
}
