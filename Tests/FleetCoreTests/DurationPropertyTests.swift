import FleetCore
import FleetTestSupport
import Testing

/// Properties of the duration parser over many generated inputs: it never traps, whatever it
/// accepts is a finite number within the bounds, and what it prints it parses back. Seeded, so a
/// failure replays.
@Suite struct DurationPropertyTests {
    static let units = ["ms", "s", "m", "h", "d", "", "x", "sm", " s"]

    /// Numbers as users (and fuzzers) type them: huge, tiny, negative, exponent, nan, inf, garbage.
    static func number(_ random: inout SplitMix) -> String {
        switch random.next() % 8 {
        case 0: return String(random.next() % 1_000)
        case 1: return String(Double(random.next() % 1_000_000) / 1_000)
        case 2: return String(random.next())  // up to 1.8e19
        case 3: return "-" + String(random.next() % 100_000)
        case 4: return "1e\(Int(random.next() % 700) - 350)"
        case 5: return ["nan", "inf", "-inf", "infinity", "0x1p1023", ".", "", "+"][Int(random.next() % 8)]
        case 6: return String(repeating: "9", count: Int(random.next() % 400))
        default:
            return String(
                (0..<Int(random.next() % 6)).map { _ in Character(Unicode.Scalar(UInt8(32 + random.next() % 95))) }
            )
        }
    }

    @Test func everyParsedDurationIsFiniteAndWithinBounds() {
        var random = SplitMix(state: 0x5EED)
        for _ in 0..<20_000 {
            let text = Self.number(&random) + Self.units[Int(random.next() % UInt64(Self.units.count))]
            if let seconds = DurationText.seconds(text) {
                #expect(seconds.isFinite && seconds >= 0 && seconds <= DurationText.longest, "\(text) → \(seconds)")
            } else {
                #expect(!DurationText.problem(text).isEmpty)
            }
            if let offset = DurationText.signedSeconds((random.next() % 2 == 0 ? "-" : "+") + text) {
                #expect(offset.isFinite && abs(offset) <= DurationText.widestOffset, "\(text) → \(offset)")
            }
        }
    }

    @Test func whatIsPrintedParsesBack() {
        var random = SplitMix(state: 0xF00D)
        for _ in 0..<5_000 {
            let seconds = Double(random.next() % 10_000_000) / 1_000  // ms resolution up to ~2.8 h
            let text = DurationText.format(seconds)
            let parsed = DurationText.seconds(text)
            #expect(
                parsed.map { abs($0 - seconds) < 1e-6 } == true,
                "\(seconds) → \(text) → \(String(describing: parsed))"
            )
        }
    }

    @Test func theBoundsAreWhereTheyAreSaidToBe() {
        #expect(DurationText.seconds("365d") == DurationText.longest)
        #expect(DurationText.seconds("366d") == nil)
        #expect(DurationText.seconds("110000d") == nil)
        #expect(DurationText.problem("110000d").contains("365d"))
        #expect(DurationText.problem("-5s").contains("negative"))
        #expect(DurationText.signedSeconds("-36500d") == -DurationText.widestOffset)
        #expect(DurationText.signedSeconds("-36501d") == nil)
    }
}
