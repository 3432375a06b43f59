import Fleet
import Testing

/// The scheduler driven by a virtual clock: no sleeping, no wall-clock assertions.
@Suite struct StartScheduleTests {
    @Test func constantRateSpacesStartsEvenly() {
        let schedule = StartSchedule(count: 1000, rate: 200)
        #expect(schedule.startTime(of: 0) == 0)
        #expect(abs(schedule.startTime(of: 200) - 1.0) < 1e-9)
        #expect(abs(schedule.startTime(of: 999) - 4.995) < 1e-9)
    }

    @Test func rampGrowsTheRateLinearly() {
        let schedule = StartSchedule(count: 10_000, rate: 100, ramp: 10)
        // During a 10 s ramp to 100/s, 500 devices start; the first second sees only 5.
        #expect(abs(schedule.startTime(of: 500) - 10) < 1e-9)
        #expect(abs(schedule.startTime(of: 5) - 1) < 1e-9)
        #expect(abs(schedule.startTime(of: 600) - 11) < 1e-9)
        // Start times never go backwards.
        let times = (0..<2000).map(schedule.startTime(of:))
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func achievedRateMatchesTheRequestedRate() {
        // Step a virtual clock in 1 ms ticks and count starts per simulated second.
        var admission = StartAdmission(
            schedule: StartSchedule(count: 5000, rate: 1000),
            concurrency: nil,
            duration: nil
        )
        var startsBySecond = [Int](repeating: 0, count: 6)
        var tick = 0
        while !admission.isFinished(at: Double(tick) / 1000) {
            let now = Double(tick) / 1000
            for _ in admission.due(at: now, inFlight: 0) { startsBySecond[Int(now)] += 1 }
            tick += 1
        }
        #expect(startsBySecond.prefix(5).allSatisfy { $0 == 1000 }, "\(startsBySecond)")
    }

    @Test func theConcurrencyCapHoldsStartsBackAndLagGrows() {
        var admission = StartAdmission(schedule: StartSchedule(count: 10, rate: 100), concurrency: 2, duration: nil)
        let first = admission.due(at: 1.0, inFlight: 0)
        #expect(first.map(\.index) == [0, 1])  // 10 were due, the cap lets 2 in
        #expect(admission.due(at: 1.0, inFlight: 2).isEmpty)
        let later = admission.due(at: 2.0, inFlight: 1)
        #expect(later.map(\.index) == [2])
        #expect(later[0].scheduled == 0.02)  // lag = 2.0 - 0.02: measured from the schedule
    }

    @Test func nothingStartsAfterTheDuration() {
        var admission = StartAdmission(schedule: StartSchedule(count: 1000, rate: 10), concurrency: nil, duration: 5)
        let started = admission.due(at: 100, inFlight: 0)
        #expect(started.count == 50)
        #expect(admission.isFinished(at: 5))
        #expect(admission.nextDue() == nil)
    }

    @Test func withoutARateEverythingIsDueAtOnce() {
        var admission = StartAdmission(schedule: StartSchedule(count: 3, rate: nil), concurrency: nil, duration: nil)
        #expect(admission.due(at: 0, inFlight: 0).count == 3)
        #expect(admission.isFinished(at: 0))
    }

    @Test func theDriverWakesForTheNextStartEvenWhenItIsAlreadyOverdue() {
        var admission = StartAdmission(schedule: StartSchedule(count: 10, rate: 100), concurrency: 3, duration: nil)
        #expect(admission.due(at: 0.015, inFlight: 0).map(\.index) == [0, 1])
        // Device 2 is due at 0.02: later, a timer for then.
        #expect(admission.nextWakeUp(at: 0.015, inFlight: 2) == 0.02)
        // Launching took time: device 2 is overdue now, and the cap has room: wake at once.
        #expect(admission.nextWakeUp(at: 0.025, inFlight: 2) == 0.02)
        // The cap is full: only a finishing device lets it in, no timer.
        #expect(admission.nextWakeUp(at: 0.025, inFlight: 3) == nil)
        // No device left: nothing to wake for.
        for _ in 0..<4 { _ = admission.due(at: 1, inFlight: 0) }  // three at a time under the cap
        #expect(admission.nextDue() == nil)
        #expect(admission.nextWakeUp(at: 1, inFlight: 0) == nil)
    }
}
