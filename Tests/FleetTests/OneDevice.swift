import Fleet
import FleetCore
import FleetTLS
import NIOPosix

/// One device against a target through the fleet's own path (``FleetRunner/runOne(_:settings:context:group:trace:)``):
/// the integration tests check what `run` does, not a second implementation.
struct OneDevice {
    let context: TLSContext
    var settings: RunSettings

    init(context: TLSContext, port: Int, serverName: String? = nil) {
        self.context = context
        self.settings = RunSettings(host: "127.0.0.1", port: port)
        self.settings.serverName = serverName
    }

    /// Runs `device` to its outcome; returns its report and what the collector counted.
    func run(_ device: FleetDevice) async -> (report: DeviceReport, state: RunCollector.State) {
        let state = await FleetRunner.runOne(
            device,
            settings: self.settings,
            context: self.context,
            group: MultiThreadedEventLoopGroup.singleton
        )
        precondition(state.devices.count == 1, "one device, one report")
        return (state.devices[0], state)
    }

    /// A device from PEM, validated now as the identity loader does.
    func device(_ id: String, chainPEM: String, keyPEM: String) -> FleetDevice {
        FleetDevice(id: id, chainPEM: chainPEM, keyPEM: keyPEM, context: self.context)
    }
}
