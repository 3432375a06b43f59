/// The p99 time to acceptance over the last second of a run, for the live progress line: the
/// run's p99 so far moves slowly once thousands of devices are in, so a backend that degrades
/// now shows here first.
///
/// Keeps the acceptance histogram's bucket counts at each of the last `window` refreshes and
/// takes the p99 of what was recorded since the oldest. Not thread-safe: one progress task owns it.
public struct RecentLatency: Sendable {
    /// Bucket counts at the last refreshes, oldest first; the run's start (nothing) at first.
    private var snapshots: [[UInt64: UInt64]] = [[:]]
    private let window: Int

    /// - Parameter window: refreshes per window (4 at four refreshes a second: the last second).
    public init(window: Int = 4) {
        self.window = max(1, window)
    }

    /// Milliseconds; nil when no device was accepted within the window.
    public mutating func p99(_ state: RunCollector.State) -> Double? {
        let phase: PhaseHistograms.Phase =
            state.histograms.histograms[.serverAccept]!.totalCount > 0 ? .serverAccept : .mqttConnack
        var now: [UInt64: UInt64] = [:]
        for bucket in state.histograms.histograms[phase]!.recordedValues() { now[bucket.value] = bucket.count }
        let oldest = self.snapshots.first ?? [:]
        self.snapshots.append(now)
        if self.snapshots.count > self.window { self.snapshots.removeFirst() }
        var recent: [(UInt64, UInt64)] = []
        var total: UInt64 = 0
        for (value, count) in now {
            let added = count - min(count, oldest[value] ?? 0)
            if added > 0 {
                recent.append((value, added))
                total += added
            }
        }
        guard total > 0 else { return nil }
        recent.sort { $0.0 < $1.0 }
        let rank = (Double(total) * 0.99).rounded(.up)
        var seen: UInt64 = 0
        for (value, count) in recent {
            seen += count
            if Double(seen) >= rank { return Double(value) / 1000 }
        }
        return Double(recent.last!.0) / 1000
    }
}
