import FleetCore
import FleetMQTT
import FleetTLS
import Foundation
import NIOCore
import NIOPosix

/// Runs a fleet against a target: starts each device on schedule (open model, concurrency cap,
/// ramp, duration), spreads connections over every event loop, and waits until each device's
/// story has ended (or the run is stopped).
public struct FleetRunner: Sendable {
    public let settings: RunSettings
    public let devices: [FleetDevice]
    public let context: TLSContext
    public let group: any EventLoopGroup
    /// Record every step of every connection (`repro`: one device).
    public var trace = false

    public init(settings: RunSettings, devices: [FleetDevice], context: TLSContext, group: any EventLoopGroup) {
        self.settings = settings
        self.devices = devices
        self.context = context
        self.group = group
    }

    /// What a run produced, ready for the reports.
    public struct Result: Sendable {
        public var state: RunCollector.State
        public var startedAt: Date
        public var seconds: Double
        public var interrupted: Bool
        /// Devices never started (duration over, or stopped).
        public var notStarted: Int
        /// Seconds from the first to the last scheduled start actually made, and how many.
        public var startSpan: Double
    }

    /// Starts every device on schedule and waits until each one's story has ended, or until `stop`
    /// (then devices mid-handshake get a second to reach a verdict; the rest count as undecided).
    public func run(collector: RunCollector, stop: StopSignal) async -> Result {
        let startedAt = Date()
        let runStart = NIODeadline.now()
        var admission = StartAdmission(
            schedule: StartSchedule(count: self.devices.count, rate: self.settings.rate, ramp: self.settings.ramp),
            concurrency: self.settings.concurrency,
            duration: self.settings.duration
        )
        let address: SocketAddress? = try? SocketAddress.makeAddressResolvingHost(
            self.settings.host,
            port: self.settings.port
        )
        let shared = DeviceAgent.Shared(
            settings: self.settings,
            context: self.context,
            address: address,
            runStart: runStart,
            collector: collector,
            stop: stop,
            trace: self.trace
        )
        var lastScheduled = 0.0
        var interrupted = false
        func elapsed() -> Double { (NIODeadline.now() - runStart).seconds }

        while !admission.isFinished(at: elapsed()) {
            if stop.isStopped {
                interrupted = true
                break
            }
            let now = elapsed()
            for (index, scheduled) in admission.due(at: now, inFlight: collector.inFlight) {
                // Open model (--rate): the clock starts at the scheduled time, so queueing behind the
                // concurrency cap shows as latency. Closed model (no rate): it starts at admission.
                let start = self.settings.rate == nil ? elapsed() : scheduled
                lastScheduled = start
                self.launch(
                    self.devices[index],
                    source: self.settings.sourceAddresses.isEmpty
                        ? nil : self.settings.sourceAddresses[index % self.settings.sourceAddresses.count],
                    scheduled: runStart + .nanoseconds(Int64(start * 1e9)),
                    shared: shared
                )
            }
            guard let next = admission.nextDue() else { break }
            let wait = min(next - elapsed(), 0.05)
            if wait <= 0 {
                // Due but held back by the concurrency cap: sleep until a device finishes.
                await collector.slotFreed.wait(seconds: 0.05)
            } else {
                try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
        // Every started device ends by its own timeouts (and hold); wait for them, unless stopped.
        while collector.inFlight > 0 {
            if stop.isStopped {
                interrupted = true
                break
            }
            await collector.slotFreed.wait(seconds: 0.05)
        }
        if interrupted {
            // Devices mid-handshake get a moment to reach their verdict, so the partial report
            // loses as little as possible; the rest are counted as undecided, never dropped.
            let grace = elapsed() + 1
            while collector.state.undecided > 0 && elapsed() < grace {
                await collector.slotFreed.wait(seconds: 0.05)
            }
        }
        let state = collector.state
        return Result(
            state: state,
            startedAt: startedAt,
            seconds: elapsed(),
            interrupted: interrupted,
            notStarted: self.devices.count - state.started,
            startSpan: lastScheduled
        )
    }

    /// Runs `device` alone through the fleet's own path — scheduler, device agent, collector — and
    /// returns what the collector gathered (its report is in `devices`, kept even when `ok`).
    ///
    /// `repro`, the TLS integration tests and the handshake bench use this, so every figure and
    /// every tested outcome comes from the path `run` takes.
    public static func runOne(
        _ device: FleetDevice,
        settings: RunSettings,
        context: TLSContext,
        group: any EventLoopGroup,
        trace: Bool = false
    ) async -> RunCollector.State {
        var runner = FleetRunner(settings: settings, devices: [device], context: context, group: group)
        runner.trace = trace
        let collector = RunCollector(keepAll: true)
        return await runner.run(collector: collector, stop: StopSignal()).state
    }

    private func launch(
        _ device: FleetDevice,
        source: SocketAddress?,
        scheduled: NIODeadline,
        shared: DeviceAgent.Shared
    ) {
        let (runStart, collector) = (shared.runStart, shared.collector)
        let lag = max(0, (NIODeadline.now() - scheduled).seconds)
        collector.receive(.started(atSecond: (scheduled - runStart).seconds))
        switch device.identity {
        case .failure(let failure):
            // An unusable identity never touches the network.
            collector.receive(
                .decided(
                    DeviceReport(
                        id: device.id,
                        outcome: failure.outcome,
                        detail: failure.detail,
                        failure: failure,
                        scheduleLag: lag,
                        decidedAt: (NIODeadline.now() - runStart).seconds
                    )
                )
            )
            collector.receive(.finished)
        case .success(let identity):
            DeviceAgent.start(
                on: self.group.next(),
                id: device.id,
                identity: identity,
                source: source,
                shared: shared,
                scheduled: scheduled,
                lag: lag
            )
        }
    }
}
