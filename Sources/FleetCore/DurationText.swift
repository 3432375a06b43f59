/// Durations as users write them on the command line and in profiles: `500ms`, `30s`, `5m`, `1h`, `2d`.
///
/// Bounded at parse time: a duration longer than ``longest`` (an offset wider than ``widestOffset``)
/// does not parse, so no timer or clock downstream can overflow converting it.
public enum DurationText {
    /// The longest duration fleetsim takes: 365 days (timers in nanoseconds stay far from overflow).
    public static let longest: Double = 365 * 86_400
    /// The widest clock offset fleetsim takes: 100 years either way.
    public static let widestOffset: Double = 100 * 365 * 86_400

    /// What is wrong with `text` as a duration, for a message after the flag or key and the value:
    /// e.g. "--hold '110000d' is longer than 365d, the longest duration fleetsim takes".
    public static func problem(_ text: String) -> String {
        if let seconds = Self.unbounded(
            text.trimmingWhitespace.hasPrefix("-") ? String(text.trimmingWhitespace.dropFirst()) : text
        ) {
            return seconds > Self.longest
                ? "is longer than 365d, the longest duration fleetsim takes"
                : "is negative: a duration is 0 or more (e.g. 500ms, 30s, 5m)"
        }
        return "is not a duration (e.g. 500ms, 30s, 5m, 1h, 2d)"
    }

    /// Parses `text` into seconds; nil if it is not a duration or is longer than ``longest``.
    public static func seconds(_ text: String) -> Double? {
        guard let seconds = Self.unbounded(text), seconds <= Self.longest else { return nil }
        return seconds
    }

    private static func unbounded(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "5ms" must not parse as minutes of "5m" + "s": the longest suffix is tried first.
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return value * scale
        }
        return nil
    }

    /// Parses an offset that may be negative (`-90d`, `+5m`, `30s`): a device clock's skew; nil if
    /// it is wider than ``widestOffset``.
    public static func signedSeconds(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace
        let magnitude: Double?
        if trimmed.hasPrefix("-") || trimmed.hasPrefix("+") {
            magnitude = Self.unbounded(String(trimmed.dropFirst()))
        } else {
            magnitude = Self.unbounded(trimmed)
        }
        guard let magnitude, magnitude <= Self.widestOffset else { return nil }
        return trimmed.hasPrefix("-") ? -magnitude : magnitude
    }

    /// `1.5s`, `250ms`, `2m`: the shortest exact spelling.
    public static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Self.trim(seconds * 1000))ms" }
        if seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Self.trim(seconds / 60))m" }
        return "\(Self.trim(seconds))s"
    }

    private static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension String {
    var trimmingWhitespace: String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
