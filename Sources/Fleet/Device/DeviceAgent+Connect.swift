import FleetCore
import FleetMQTT
import FleetTLS
import Foundation
import NIOCore
import NIOPosix

/// Opening a device's connection: the one place a channel is bootstrapped, and what happens when
/// it never becomes active.
extension DeviceAgent {
    /// Opens a connection: bootstrap with the connect timeout, then the TLS handler and this
    /// device's channel handler (which frames MQTT in `mqtt` mode).
    func connect(_ kind: ConnectionKind) {
        self.connection += 1
        let number = self.connection
        self.shared.collector.receive(.attempted(kind, atSecond: self.elapsed))
        let settings = self.shared.settings
        let profile = settings.profile
        let resume = profile.resumption == .off ? nil : self.session
        let now = Date()
        let clock = profile.clock.time(for: self.id, now: now, sinceStart: now.timeIntervalSince(self.bornAt))
        let trace = self.shared.trace ? ConnectionTrace() : nil
        self.evidence = ConnectionEvidence(
            reference: kind == .first ? self.scheduled : .now(),
            resumeOffered: resume != nil,
            clock: clock,
            trace: trace
        )
        guard let address = self.shared.address else {
            self.evidence.detail = "could not resolve \(settings.host)"
            return self.perform(
                self.machine.connectFailed(
                    .dnsFailure,
                    at: self.elapsed,
                    random: .random(in: 0..<1),
                    stopped: self.stopped
                )
            )
        }
        trace?.record(
            .local,
            "connecting to \(address)" + (resume != nil ? ", offering to resume the last session" : "")
        )
        let context = self.shared.context
        let identity = self.identity
        let serverName = settings.effectiveServerName
        // The initializer captures what it needs, not a copy of the run's settings per connection.
        let mqtt = settings.mode == .mqtt
        let version = profile.mqtt.version
        let me = NIOLoopBound(self, eventLoop: self.eventLoop)
        let boundTrace = NIOLoopBound(trace, eventLoop: self.eventLoop)
        var bootstrap = ClientBootstrap(group: self.eventLoop)
        if let source = self.source { bootstrap = bootstrap.bind(to: source) }
        bootstrap
            .connectTimeout(self.shared.connectTimeout)  // TCP_NODELAY: ClientBootstrap's default
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(
                        try TLSHandler(
                            context: context,
                            identity: identity,
                            serverName: serverName,
                            resume: resume,
                            clockCheck: clock.map(DeviceClockCheck.init(clock:)),
                            trace: boundTrace.value
                        )
                    )
                    try sync.addHandler(
                        DeviceChannelHandler(agent: me.value, connection: number, mqtt: mqtt ? version : nil)
                    )
                }
            }
            .connect(to: address)
            .whenFailure { error in
                me.value.connectFailed(error, connection: number)
            }
    }

    /// The connection never got as far as an active channel (refused, timed out, no TLS session).
    func connectFailed(_ error: any Error, connection: Int) {
        guard connection == self.connection, case .connecting = self.machine.state else { return }
        let outcome = self.evidence.explain(error)
        self.perform(
            self.machine.connectFailed(outcome, at: self.elapsed, random: .random(in: 0..<1), stopped: self.stopped)
        )
    }
}
