import Foundation

/// Latency per window of the run (one second unless the run is long), per phase, as small sparse
/// log-bucket histograms: what the page's "latency over time" chart draws and what `report merge`
/// adds up exactly.
///
/// Why not one HdrHistogram per second: at 3 significant digits each costs ~25 KB whatever it
/// holds, and an hour-long run has 3,600 seconds. Buckets 4% wide (bucket `i` holds
/// `[1.04^i, 1.04^(i+1))` µs) give percentiles within 2%, plenty for a trend line, and a second
/// holds only the buckets its samples hit. Memory and report size stay bounded: past
/// ``mostWindows`` windows the window doubles (1 s, 2 s, 4 s, …) and neighbours are added
/// together, which is exact because buckets simply add.
public struct LatencyWindows: Sendable, Equatable {
    /// The phases tracked over time: the ones whose trend tells a backend degrading under load.
    public static let phases: [PhaseHistograms.Phase] = [.tcpConnect, .tlsHandshake, .serverAccept, .mqttConnack]
    /// Bucket `i` holds samples in `[ratio^i, ratio^(i+1))` microseconds.
    public static let ratio = 1.04
    /// A run never has more windows than this (the page draws one point per window).
    public static let mostWindows = 600

    /// Seconds per window: 1, 2, 4, … (powers of two, so shards' windows line up when merged).
    public private(set) var windowSeconds = 1
    /// Per phase, per window index (window start = index × windowSeconds), bucket → count.
    public private(set) var windows: [PhaseHistograms.Phase: [Int: [Int: Int]]] = [:]

    public init(windowSeconds: Int = 1) {
        self.windowSeconds = min(max(1, windowSeconds), 1 << 24)
    }

    /// `log(ratio)`, taken once: every connection's samples are bucketed (up to four per connection).
    static let logRatio = log(ratio)

    /// The bucket of a sample of `micros` microseconds.
    static func bucket(micros: Double) -> Int {
        Int((log(max(1, min(3.6e9, micros))) / Self.logRatio).rounded(.down))
    }

    /// The value a bucket stands for: its geometric middle, in milliseconds.
    static func milliseconds(bucket: Int) -> Double {
        pow(Self.ratio, Double(bucket) + 0.5) / 1000
    }

    /// Records a sample of `seconds` for `phase`, observed `at` seconds into the run.
    public mutating func record(_ phase: PhaseHistograms.Phase, seconds: Double, at: Double) {
        self.add(phase, second: Int(max(0, at)), bucket: Self.bucket(micros: seconds * 1e6), count: 1)
    }

    /// Adds `count` samples of `bucket` in the window holding `second`, widening windows if needed.
    mutating func add(_ phase: PhaseHistograms.Phase, second: Int, bucket: Int, count: Int) {
        while second / self.windowSeconds >= Self.mostWindows { self.widen() }
        self.windows[phase, default: [:]][second / self.windowSeconds, default: [:]][bucket, default: 0] += count
    }

    /// Doubles the window, adding each pair of neighbouring windows together.
    mutating func widen() {
        self.windowSeconds *= 2
        self.windows = self.windows.mapValues { byWindow in
            var wider: [Int: [Int: Int]] = [:]
            for (index, buckets) in byWindow { wider[index / 2, default: [:]].merge(buckets, uniquingKeysWith: +) }
            return wider
        }
    }

    /// Adds windows that start `offset` seconds into this run (a shard that started later).
    public mutating func merge(_ other: LatencyWindows, offset: Int) {
        while other.windowSeconds > self.windowSeconds { self.widen() }
        for (phase, byWindow) in other.windows {
            for (index, buckets) in byWindow {
                for (bucket, count) in buckets {
                    self.add(phase, second: offset + index * other.windowSeconds, bucket: bucket, count: count)
                }
            }
        }
    }

    /// The `percentile` (0–100) of a window's buckets, in milliseconds.
    static func percentile(_ percentile: Double, of buckets: [Int: Int]) -> Double {
        let total = buckets.values.reduce(0, +)
        let rank = max(1, Int((percentile / 100 * Double(total)).rounded(.up)))
        var seen = 0
        for bucket in buckets.keys.sorted() {
            seen += buckets[bucket]!
            if seen >= rank { return Self.milliseconds(bucket: bucket) }
        }
        return 0
    }
}

extension LatencyWindows {
    /// Records a connection's phases (a resumed handshake is not a full one: it is left out of
    /// `tlsHandshake` here as in the histograms).
    mutating func record(_ record: ConnectionRecord, at second: Double) {
        if let value = record.timings.tcpConnect { self.record(.tcpConnect, seconds: value.seconds, at: second) }
        if let value = record.timings.tlsHandshake, !record.resumed {
            self.record(.tlsHandshake, seconds: value.seconds, at: second)
        }
        if let value = record.timings.serverAccept { self.record(.serverAccept, seconds: value.seconds, at: second) }
        if let value = record.mqttConnack { self.record(.mqttConnack, seconds: value, at: second) }
    }
}
