import Foundation

/// `latencyOverTime` of the JSON report: per phase, one entry per window of the run with samples —
/// the window's start, sample count, p50/p90/p99 in milliseconds, and its buckets, so `report merge`
/// adds shards up exactly (``LatencyWindows``).
///
/// The buckets are one string (`"312:4 318:10"`: bucket index, count) rather than nested arrays:
/// pretty-printed JSON spends a line per number, and a 10-minute run has thousands of buckets.
public struct LatencyOverTime: Codable, Sendable, Equatable {
    /// Seconds per window (1 unless the run was longer than ``LatencyWindows/mostWindows`` seconds).
    public var windowSeconds: Int
    /// Bucket `i` holds samples in `[bucketRatio^i, bucketRatio^(i+1))` microseconds.
    public var bucketRatio: Double
    public var phases: [String: [Window]]

    public struct Window: Codable, Sendable, Equatable {
        /// Seconds from the run's start to the window's.
        public var at: Int
        public var count: Int
        public var p50: Double
        public var p90: Double
        public var p99: Double
        /// `index:count` pairs separated by spaces, by index.
        public var buckets: String
    }

    public init(windowSeconds: Int, bucketRatio: Double, phases: [String: [Window]]) {
        self.windowSeconds = windowSeconds
        self.bucketRatio = bucketRatio
        self.phases = phases
    }

    public init(_ windows: LatencyWindows) {
        self.windowSeconds = windows.windowSeconds
        self.bucketRatio = LatencyWindows.ratio
        self.phases = [:]
        for (phase, byWindow) in windows.windows {
            self.phases[phase.rawValue] = byWindow.keys.sorted().map { index in
                let buckets = byWindow[index]!
                return Window(
                    at: index * windows.windowSeconds,
                    count: buckets.values.reduce(0, +),
                    p50: Self.rounded(LatencyWindows.percentile(50, of: buckets)),
                    p90: Self.rounded(LatencyWindows.percentile(90, of: buckets)),
                    p99: Self.rounded(LatencyWindows.percentile(99, of: buckets)),
                    buckets: buckets.keys.sorted().map { "\($0):\(buckets[$0]!)" }.joined(separator: " ")
                )
            }
        }
    }

    /// Back to mergeable windows; buckets that do not parse are skipped (a hand-edited report
    /// must not crash `report merge` or `report html`).
    public var windows: LatencyWindows {
        var windows = LatencyWindows(windowSeconds: self.windowSeconds)
        for (name, entries) in self.phases {
            guard let phase = PhaseHistograms.Phase(rawValue: name) else { continue }
            for entry in entries {
                for pair in entry.buckets.split(separator: " ") {
                    let parts = pair.split(separator: ":")
                    guard parts.count == 2, let bucket = Int(parts[0]), let count = Int(parts[1]),
                        (0...1000).contains(bucket), count > 0, entry.at >= 0, entry.at < 100_000_000
                    else { continue }
                    windows.add(phase, second: entry.at, bucket: bucket, count: count)
                }
            }
        }
        return windows
    }

    /// Three significant decimals of a millisecond: the buckets are 4% wide, more digits would lie.
    static func rounded(_ ms: Double) -> Double { (ms * 1000).rounded() / 1000 }
}
