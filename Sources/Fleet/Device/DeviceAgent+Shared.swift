import FleetCore
import FleetTLS
import NIOCore

extension DeviceAgent {
    /// What every device of a run shares, made once per run: the settings, the TLS context, the
    /// target address, the collector, the stop signal, and the plan and timeouts derived from them.
    struct Shared: Sendable {
        var settings: RunSettings
        var context: TLSContext
        var address: SocketAddress?
        var runStart: NIODeadline
        var collector: RunCollector
        var stop: StopSignal
        /// Record a ``ConnectionTrace`` of every connection (`repro`).
        var trace: Bool
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
            trace: Bool
        ) {
            self.settings = settings
            self.context = context
            self.address = address
            self.runStart = runStart
            self.collector = collector
            self.stop = stop
            self.trace = trace
            var plan = DeviceStateMachine.Plan()
            plan.mode = settings.mode
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
