import Foundation
import SwiftASN1

/// X.509 time fields: UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5); OCSP's
/// times are always GeneralizedTime.
enum ASN1Time {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func serialize(_ date: Date, into serializer: inout DER.Serializer) throws {
        let c = Self.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        if c.year! < 2050 {
            try serializer.serialize(
                try UTCTime(
                    year: c.year!,
                    month: c.month!,
                    day: c.day!,
                    hours: c.hour!,
                    minutes: c.minute!,
                    seconds: c.second!
                )
            )
        } else {
            try serializer.serialize(try Self.generalized(date))
        }
    }

    /// GeneralizedTime whatever the year, whole seconds: what OCSP's times are (RFC 6960 §4.2.1).
    static func generalized(_ date: Date) throws -> GeneralizedTime {
        let c = Self.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return try GeneralizedTime(
            year: c.year!,
            month: c.month!,
            day: c.day!,
            hours: c.hour!,
            minutes: c.minute!,
            seconds: c.second!,
            fractionalSeconds: 0
        )
    }

    /// Parses a UTCTime or GeneralizedTime node; nil for anything else.
    static func parse(_ node: ASN1Node) throws -> Date? {
        let components: DateComponents
        switch node.identifier {
        case UTCTime.defaultIdentifier:
            let t = try UTCTime(derEncoded: node)
            components = Self.components(t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        case GeneralizedTime.defaultIdentifier:
            let t = try GeneralizedTime(derEncoded: node)
            components = Self.components(t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        default:
            return nil
        }
        return Self.calendar.date(from: components)
    }

    /// The two ASN.1 time types share their fields but no protocol.
    private static func components(
        _ year: Int,
        _ month: Int,
        _ day: Int,
        _ hour: Int,
        _ minute: Int,
        _ second: Int
    ) -> DateComponents {
        DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
