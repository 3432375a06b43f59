/// When each device is due to start, as an open model: devices start on schedule whether or not
/// earlier ones have finished, so a slow backend shows up as latency and schedule lag instead of
/// silently lowering the load (no coordinated omission).
///
/// With a rate R and a ramp T the rate grows linearly from 0 to R over T, then stays at R. Without
/// a rate every device is due at once and only the concurrency cap paces them. Times are seconds
/// from the run's start.
public struct StartSchedule: Sendable, Equatable {
    public let count: Int
    /// Starts per second; nil = all at once.
    public let rate: Double?
    /// Seconds over which the rate ramps up from zero.
    public let ramp: Double

    public init(count: Int, rate: Double?, ramp: Double = 0) {
        self.count = count
        self.rate = rate
        self.ramp = ramp
    }

    /// The scheduled start of device `index` (0-based), in seconds.
    public func startTime(of index: Int) -> Double {
        guard let rate, rate > 0 else { return 0 }
        let n = Double(index)
        let rampDevices = rate * self.ramp / 2  // devices started during the ramp
        if self.ramp > 0 && n < rampDevices {
            // n = (R / 2T) t² → t = √(2Tn / R)
            return (2 * self.ramp * n / rate).squareRoot()
        }
        return self.ramp + (n - (self.ramp > 0 ? rampDevices : 0)) / rate
    }
}

/// Decides which devices start now: those whose scheduled time has come, as far as the
/// concurrency cap allows, in order, and none after the run's duration.
///
/// Pure: the caller passes the time and how many devices are in flight, so tests drive it with a
/// virtual clock.
public struct StartAdmission: Sendable {
    public let schedule: StartSchedule
    /// Most devices connecting or connected at once; nil = unlimited.
    public let concurrency: Int?
    /// Seconds after which no new device starts; nil = until every device has started.
    public let duration: Double?
    /// The next device to start.
    public private(set) var next = 0

    public init(schedule: StartSchedule, concurrency: Int?, duration: Double?) {
        self.schedule = schedule
        self.concurrency = concurrency
        self.duration = duration
    }

    /// Whether no device will start any more.
    public func isFinished(at now: Double) -> Bool {
        self.next >= self.schedule.count || (self.duration.map { now >= $0 } ?? false)
    }

    /// Whether any device will still start: some are left and the duration has not run out.
    public func willStartMore(at now: Double) -> Bool {
        !self.isFinished(at: now) && self.nextDue() != nil
    }

    /// When the driver must look again, seconds from the run's start: the next scheduled start
    /// (already past if the device is overdue), or nil when none will start or only a device
    /// finishing can let the next one in (the concurrency cap is reached).
    public func nextWakeUp(at now: Double, inFlight: Int) -> Double? {
        guard self.willStartMore(at: now), let next = self.nextDue() else { return nil }
        if next <= now, let concurrency, inFlight >= concurrency { return nil }
        return next
    }

    /// The devices to start at `now` given `inFlight` active ones: (index, scheduled time).
    public mutating func due(at now: Double, inFlight: Int) -> [(index: Int, scheduled: Double)] {
        var started: [(Int, Double)] = []
        var active = inFlight
        while self.next < self.schedule.count {
            let scheduled = self.schedule.startTime(of: self.next)
            if scheduled > now { break }
            if let duration, scheduled >= duration { break }
            if let concurrency, active >= concurrency { break }
            started.append((self.next, scheduled))
            self.next += 1
            active += 1
        }
        return started
    }

    /// When the next device is due, if any (so the driver can sleep until then).
    public func nextDue() -> Double? {
        guard self.next < self.schedule.count else { return nil }
        let time = self.schedule.startTime(of: self.next)
        if let duration, time >= duration { return nil }
        return time
    }
}
