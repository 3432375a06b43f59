import NIOConcurrencyHelpers
import NIOCore

/// Starts a run's devices from the event loops themselves, as ``StartAdmission`` allows.
///
/// Why not a driver task: a task on Swift's cooperative pool that wakes per finished device and
/// hands each start to an event loop costs two thread hops and their wake-ups per device — a
/// quarter of the simulator's CPU per handshake went to the kernel's scheduler for them (#18).
/// Here a device that finishes frees its slot on its own loop, and the next device starts right
/// there (closed model: `--concurrency` slots each stay on one loop, as a C client's threads
/// would). Scheduled starts (`--rate`) come from one timer on a loop, re-armed for the next due
/// start, and are spread over the loops.
///
/// **Thread-safety:** one lock around the admission; launches happen outside it.
final class StartPump: Sendable {
    /// Starts device `index` on `loop` (the caller is on `loop`); false if it finished at once
    /// (an unusable identity), so its slot is free again.
    typealias Launch = @Sendable (_ index: Int, _ scheduled: Double, _ loop: any EventLoop) -> Bool

    private struct State {
        var admission: StartAdmission
        var launch: Launch?
        var inFlight = 0
        /// The scheduled time of the last start made (seconds from the run's start).
        var lastScheduled = 0.0
        /// When the one armed start timer fires, if one is armed.
        var armedAt: Double?
    }

    private let state: NIOLockedValueBox<State>
    private let group: any EventLoopGroup
    private let runStart: NIODeadline
    private let stop: StopSignal
    /// Signalled when the last device has finished and none will start any more.
    let done = Wakeup()

    init(admission: StartAdmission, group: any EventLoopGroup, runStart: NIODeadline, stop: StopSignal) {
        self.state = NIOLockedValueBox(State(admission: admission))
        self.group = group
        self.runStart = runStart
        self.stop = stop
    }

    private var now: Double { (NIODeadline.now() - self.runStart).seconds }

    /// Begins the run: the first due devices start, spread over the loops.
    func begin(launch: @escaping Launch) {
        self.state.withLockedValue { $0.launch = launch }
        let loop = self.group.next()
        loop.execute { self.pump(on: loop, keepLoop: false) }
    }

    /// A device's story is over (called on its loop): its slot goes to the next due device, on
    /// the same loop, in a fresh call stack (a device that finishes at once cannot recurse).
    func deviceFinished(on loop: any EventLoop) {
        self.state.withLockedValue { $0.inFlight -= 1 }
        loop.execute { self.pump(on: loop, keepLoop: true) }
    }

    /// The scheduled time of the last start made, and whether the run is over: every device that
    /// will start has started and finished.
    var progress: (lastScheduled: Double, complete: Bool) {
        let now = self.now
        return self.state.withLockedValue { state in
            (state.lastScheduled, state.inFlight == 0 && !state.admission.willStartMore(at: now))
        }
    }

    /// Starts every device due now (as the cap allows): the first on `loop` when `keepLoop`, the
    /// others round the group; then arms the timer for the next scheduled start.
    private func pump(on loop: any EventLoop, keepLoop: Bool) {
        var sameLoop = keepLoop
        while !self.stop.isStopped {
            let now = self.now
            let (due, launch) = self.state.withLockedValue { state in
                let due = state.admission.due(at: now, inFlight: state.inFlight)
                state.inFlight += due.count
                if let last = due.last { state.lastScheduled = last.scheduled }
                return (due, state.launch)
            }
            guard let launch, !due.isEmpty else { break }
            var finishedAtOnce = 0
            for (index, scheduled) in due {
                let target = sameLoop ? loop : self.group.next()
                sameLoop = false
                if target === loop {
                    if !launch(index, scheduled, loop) { finishedAtOnce += 1 }
                } else {
                    target.execute {
                        if !launch(index, scheduled, target) { self.deviceFinished(on: target) }
                    }
                }
            }
            guard finishedAtOnce > 0 else { break }
            self.state.withLockedValue { $0.inFlight -= finishedAtOnce }
        }
        self.armTimer(on: loop)
    }

    /// Arms one timer for the next scheduled start (overdue: the next tick), unless one fires
    /// earlier already; signals
    /// ``done`` when the run is over.
    private func armTimer(on loop: any EventLoop) {
        let now = self.now
        let (arm, complete): (Double?, Bool) = self.state.withLockedValue { state in
            guard state.admission.willStartMore(at: now) else { return (nil, state.inFlight == 0) }
            // Nil: held back by the cap, a finishing device starts the next one. A start that
            // fell due while this pump was launching fires at once, on the loop's next tick.
            guard let next = state.admission.nextWakeUp(at: now, inFlight: state.inFlight) else { return (nil, false) }
            if let armed = state.armedAt, armed <= next { return (nil, false) }
            state.armedAt = next
            return (next, false)
        }
        if complete { self.done.signal() }
        guard let arm else { return }
        loop.scheduleTask(deadline: self.runStart + .seconds(arm)) {
            self.state.withLockedValue { if $0.armedAt == arm { $0.armedAt = nil } }
            self.pump(on: loop, keepLoop: false)
        }
    }
}
