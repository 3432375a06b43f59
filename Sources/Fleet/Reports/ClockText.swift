import FleetCore
import Foundation

/// How far a device's clock was from real time, in words, for the `clock-skew` diagnosis.
enum ClockText {
    static func explanation(clock: Date, decidedAt now: Date) -> String {
        let offset = clock.timeIntervalSince(now)
        let days = abs(offset) / 86_400
        let amount = days >= 2 ? "\(Int(days).formatted()) days" : DurationText.format(abs(offset))
        let direction = offset < 0 ? "behind" : "ahead of"
        return "the device's clock read \(clock.formatted(.iso8601)), \(amount) \(direction) real time: "
            + "it judged the server's certificate by that clock"
    }
}
