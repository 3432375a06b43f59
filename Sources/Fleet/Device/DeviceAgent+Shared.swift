import FleetCore
import FleetTLS
import NIOCore

extension DeviceAgent {
    /// What every device of a run shares, made once per run: the settings, the TLS context, the
    /// target address, the collector, the stop signal, and the plan and timeouts derived from them.
    /// A class: every agent holds a reference rather than its own copy of the settings (memory per
    /// held device, and retains per start).
    final class Shared: Sendable {
        let settings: RunSettings
        let context: TLSContext
        let address: SocketAddress?
        let runStart: NIODeadline
        let collector: RunCollector
        let stop: StopSignal
        /// Record a ``ConnectionTrace`` of every connection (`repro`).
        let trace: Bool
        /// Called on a device's loop when its story is over: its slot is free for the next device.
        let finished: @Sendable (any EventLoop) -> Void
        let plan: DeviceStateMachine.Plan
        /// The profile's timeouts as loop time, converted once.
        let connectTimeout: TimeAmount
        let handshakeTimeout: TimeAmount
        let acceptTimeout: TimeAmount

        init(
            settings: RunSettings,
            context: TLSContext,
            address: SocketAddress?,
            runStart: NIODeadline,
            collector: RunCollector,
            stop: StopSignal,
            trace: Bool,
            finished: @escaping @Sendable (any EventLoop) -> Void
        ) {
            self.settings = settings
            self.context = context
            self.address = address
            self.runStart = runStart
            self.collector = collector
            self.stop = stop
            self.trace = trace
            self.finished = finished
            var plan = DeviceStateMachine.Plan()
            plan.mode = settings.mode
            plan.mqttVersion = settings.profile.mqtt.version
            plan.policy = settings.profile.reconnect
            plan.connections = settings.profile.churnConnections
            plan.pause = settings.profile.churnPause
            plan.hold = settings.hold
            plan.acceptsSilence = settings.profile.accept.acceptsSilence
            self.plan = plan
            self.connectTimeout = .seconds(settings.profile.connectTimeout)
            self.handshakeTimeout = .seconds(settings.profile.handshakeTimeout)
            self.acceptTimeout = .seconds(settings.profile.acceptTimeout)
        }
    }
}
