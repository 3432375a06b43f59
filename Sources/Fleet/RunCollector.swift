import FleetCore
import NIOConcurrencyHelpers

/// Gathers every device's result from all event loops: counts per outcome, latency histograms per
/// phase, the per-second timeline, and the reports of the devices that did not end `ok`.
///
/// **Thread-safety:** one lock; devices report a handful of times each, so at thousands of
/// handshakes per second the lock is nowhere near contended.
public final class RunCollector: Sendable {
    public struct State: Sendable {
        public var started = 0
        public var inFlight = 0
        public var finished = 0
        public var succeeded = 0
        public var failed = 0
        public var outcomes: [String: Int] = [:]
        public var histograms = PhaseHistograms()
        /// Reports of every device not `ok` (and of all devices with `keepAll`).
        public var devices: [DeviceReport] = []
        /// Every device's outcome (for `--expect` and JUnit).
        public var outcomeByDevice: [String: Outcome] = [:]
        /// Per second of the run: (started, ok, failed).
        public var timeline: [Int: [Int]] = [:]
        /// Devices connected right now (accepted, held).
        public var connected = 0
        public var peakConnected = 0
    }

    private let box = NIOLockedValueBox(State())
    let keepAll: Bool
    /// Signalled whenever a device's connection is over, so the driver can start the next one.
    let slotFreed = Wakeup()

    public init(keepAll: Bool) {
        self.keepAll = keepAll
    }

    public var state: State { self.box.withLockedValue { $0 } }
    public var inFlight: Int { self.box.withLockedValue { $0.inFlight } }

    func started(at second: Double) {
        self.box.withLockedValue {
            $0.started += 1
            $0.inFlight += 1
            $0.timeline[Int(second), default: [0, 0, 0]][0] += 1
        }
    }

    func report(_ report: DeviceReport) {
        self.box.withLockedValue { state in
            state.outcomes[report.outcome.identifier, default: 0] += 1
            state.outcomeByDevice[report.id] = report.outcome
            let second = Int(report.decidedAt)
            if report.outcome == .ok {
                state.succeeded += 1
                state.timeline[second, default: [0, 0, 0]][1] += 1
                state.connected += 1
                state.peakConnected = max(state.peakConnected, state.connected)
            } else {
                state.failed += 1
                state.timeline[second, default: [0, 0, 0]][2] += 1
            }
            if let value = report.timings.tcpConnect { state.histograms.record(.tcpConnect, seconds: value.seconds) }
            if let value = report.timings.tlsHandshake { state.histograms.record(.tlsHandshake, seconds: value.seconds) }
            if let value = report.timings.serverAccept { state.histograms.record(.serverAccept, seconds: value.seconds) }
            if let value = report.mqttConnack { state.histograms.record(.mqttConnack, seconds: value) }
            state.histograms.record(.scheduleLag, seconds: report.scheduleLag)
            if report.outcome != .ok || self.keepAll { state.devices.append(report) }
        }
    }

    /// The device's connection is over (after its hold, or right after a failure).
    func finished(wasConnected: Bool) {
        self.box.withLockedValue {
            $0.inFlight -= 1
            $0.finished += 1
            if wasConnected { $0.connected -= 1 }
        }
        self.slotFreed.signal()
    }
}

