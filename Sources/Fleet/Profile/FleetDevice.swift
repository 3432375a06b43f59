import FleetTLS

/// One simulated device of a run: its id and either a usable identity or why it has none.
public struct FleetDevice: Sendable {
    public let id: String
    /// The validated identity (nil: the device presents no client certificate), or the reason the
    /// device will end `identity-invalid` without connecting.
    public let identity: Result<DeviceIdentity?, TLSFailure>
    /// The certificate and key text, kept for the diagnosis of a failed device.
    public let chainPEM: String
    public let keyPEM: String

    public init(id: String, identity: Result<DeviceIdentity?, TLSFailure>, chainPEM: String, keyPEM: String) {
        self.id = id
        self.identity = identity
        self.chainPEM = chainPEM
        self.keyPEM = keyPEM
    }

    /// A device from PEM text, validated against `context` now (as the identity loader does).
    public init(id: String, chainPEM: String, keyPEM: String, context: TLSContext) {
        let identity = DeviceIdentity(label: id, chainPEM: chainPEM, keyPEM: keyPEM)
        self.init(
            id: id,
            identity: Result { () throws(TLSFailure) -> DeviceIdentity? in try context.validate(identity) },
            chainPEM: chainPEM,
            keyPEM: keyPEM
        )
    }

    /// A device that presents no client certificate: what a server that requires one answers.
    public static func withoutCertificate(id: String) -> FleetDevice {
        FleetDevice(id: id, identity: .success(nil), chainPEM: "", keyPEM: "")
    }
}
