import FleetCore
import NIOCore

/// What one `fleetsim run` does, as a value: target, protocol, pacing and the device profile.
public struct RunSettings: Sendable {
    public var host: String
    public var port: Int
    public var mode: ProtocolMode = .tls
    public var profile = DeviceProfile()
    /// The name the server certificate must carry; nil = the profile's, else the target host.
    public var serverName: String?
    /// Starts per second (open model); nil = as fast as the concurrency cap allows.
    public var rate: Double?
    public var ramp: Double = 0
    public var concurrency: Int?
    /// Seconds after which no new device starts.
    public var duration: Double?
    /// Seconds each accepted device stays connected.
    public var hold: Double?
    /// Local addresses connections come from, round-robin per device (`--source-ip`); empty = the system's choice.
    public var sourceAddresses: [SocketAddress] = []
    /// The MQTT password every device sends, read from the profile's (or flag's) environment variable
    /// or file at start-up; never logged, never in a report.
    public var mqttPassword: [UInt8]?

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The name devices check the server certificate against.
    public var effectiveServerName: String {
        self.serverName ?? self.profile.serverName ?? self.host
    }
}
