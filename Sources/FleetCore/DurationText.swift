/// Durations as users write them on the command line and in profiles: `500ms`, `30s`, `5m`, `1h`, `2d`.
public enum DurationText {
    /// Parses `text` into seconds; nil if it is not a duration.
    public static func seconds(_ text: String) -> Double? {
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

    /// Parses an offset that may be negative (`-90d`, `+5m`, `30s`): a device clock's skew.
    public static func signedSeconds(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasPrefix("-") { return Self.seconds(String(trimmed.dropFirst())).map { -$0 } }
        if trimmed.hasPrefix("+") { return Self.seconds(String(trimmed.dropFirst())) }
        return Self.seconds(trimmed)
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
