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
        let pump = StartPump(
            admission: StartAdmission(
                schedule: StartSchedule(count: self.devices.count, rate: self.settings.rate, ramp: self.settings.ramp),
                concurrency: self.settings.concurrency,
                duration: self.settings.duration
            ),
            group: self.group,
            runStart: runStart,
            stop: stop
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
            trace: self.trace,
            finished: { loop in pump.deviceFinished(on: loop) }
        )
        @Sendable func elapsed() -> Double { (NIODeadline.now() - runStart).seconds }

        pump.begin { index, scheduled, loop in
            // Open model (--rate): the clock starts at the scheduled time, so queueing behind the
            // concurrency cap shows as latency. Closed model (no rate): it starts at admission.
            let start = self.settings.rate == nil ? elapsed() : scheduled
            return self.launch(
                self.devices[index],
                source: self.settings.sourceAddresses.isEmpty
                    ? nil : self.settings.sourceAddresses[index % self.settings.sourceAddresses.count],
                scheduled: runStart + .nanoseconds(Int64(start * 1e9)),
                shared: shared,
                on: loop
            )
        }
        // Devices start and finish on the event loops; this task only waits for the end, or a stop.
        var interrupted = false
        while !pump.progress.complete {
            if stop.isStopped {
                interrupted = true
                break
            }
            await pump.done.wait(seconds: 0.05)
        }
        if interrupted {
            // Devices mid-handshake get a moment to reach their verdict, so the partial report
            // loses as little as possible; the rest are counted as undecided, never dropped.
            let grace = elapsed() + 1
            while collector.state.undecided > 0 && elapsed() < grace {
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        let state = collector.state
        return Result(
            state: state,
            startedAt: startedAt,
            seconds: elapsed(),
            interrupted: interrupted,
            notStarted: self.devices.count - state.started,
            startSpan: pump.progress.lastScheduled
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

    /// Starts `device` on `loop`; false if it ended at once (an unusable identity never touches
    /// the network).
    private func launch(
        _ device: FleetDevice,
        source: SocketAddress?,
        scheduled: NIODeadline,
        shared: DeviceAgent.Shared,
        on loop: any EventLoop
    ) -> Bool {
        let (runStart, collector) = (shared.runStart, shared.collector)
        let lag = max(0, (NIODeadline.now() - scheduled).seconds)
        collector.receive(.started(atSecond: (scheduled - runStart).seconds))
        switch device.identity {
        case .failure(let failure):
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
            return false
        case .success(let identity):
            DeviceAgent.start(
                on: loop,
                id: device.id,
                identity: identity,
                source: source,
                shared: shared,
                scheduled: scheduled,
                lag: lag
            )
            return true
        }
    }
}
