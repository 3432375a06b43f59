import Foundation

/// A device's own idea of the time, by which it judges the server's certificate.
///
/// Embedded devices often boot without a battery-backed real-time clock (their clock starts at a
/// fixed epoch such as 2000-01-01 until NTP answers) or drift; certificate dates then fail on the
/// device even though the server is fine. Real time is the default: no clock is simulated.
public struct DeviceClock: Sendable, Equatable {
    /// Booted without a real-time clock: the device's clock reads this when the device starts, and
    /// runs from there.
    public var start: Date?
    /// Seconds the clock is ahead of real time (negative: behind).
    public var skew: Double = 0
    /// Each device's skew is spread evenly over ±spread around ``skew``, fixed per device id, so a
    /// fleet can drift apart the way real ones do.
    public var spread: Double = 0

    public init(start: Date? = nil, skew: Double = 0, spread: Double = 0) {
        self.start = start
        self.skew = skew
        self.spread = spread
    }

    /// Real time: nothing to simulate.
    public var isReal: Bool { self.start == nil && self.skew == 0 && self.spread == 0 }

    /// What the device's clock reads at real time `now`, `elapsed` seconds after the device started;
    /// nil when the device keeps real time.
    public func time(for id: String, now: Date, sinceStart elapsed: Double) -> Date? {
        guard !self.isReal else { return nil }
        let base = self.start.map { $0.addingTimeInterval(elapsed) } ?? now
        return base.addingTimeInterval(self.skew + self.offset(for: id))
    }

    /// Parses a clock start: a date (`2000-01-01`, midnight UTC) or an ISO-8601 instant.
    public static func parseStart(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }

    /// The device's own share of the spread: a fixed position in ±spread from a hash of its id
    /// (FNV-1a, so it is the same on every machine and in every shard).
    func offset(for id: String) -> Double {
        guard self.spread > 0 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let unit = Double(hash % 1_000_001) / 1_000_000  // 0…1
        return (unit * 2 - 1) * self.spread
    }
}
