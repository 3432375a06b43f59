import FleetCore

/// When a TLS 1.3 device in `tls` mode counts as accepted (`tls.accept`, `--tls-accept`).
///
/// In TLS 1.3 the device's handshake completes before the server has judged its certificate; a
/// refusal arrives as an alert one round trip later. Most servers send a NewSessionTicket when
/// they accept, but some send nothing at all (`s_server -num_tickets 0`, several brokers and
/// proxies). Measured on loopback, `s_server` and Mosquitto send their refusal 0.2–1.5 ms after the
/// device's handshake completes: one round trip plus the server's chain check. The default waits
/// for the first record, and takes silence for acceptance only after a quiet period several round
/// trips long (never less than 250 ms), so a refusal always has time to arrive first.
public enum AcceptPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Only the server's first record accepts the device (a ticket, data, or a clean close_notify);
    /// silence ends `accept-timeout`.
    case firstRecord
    /// The first record, or silence for this long after the handshake; nil = auto: 4 × the TCP
    /// connect round trip, at least 250 ms, at most the accept timeout.
    case quietPeriod(Double?)

    public static let `default` = AcceptPolicy.quietPeriod(nil)

    /// The shortest automatic quiet period, in seconds.
    public static let minimumAutoQuiet = 0.25

    /// `first-record`, `quiet-period` (auto), `quiet-period 300ms` or `quiet-period=300ms`.
    public init?(parsing text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
        switch (words.first, words.count) {
        case ("first-record", 1): self = .firstRecord
        case ("quiet-period", 1): self = .quietPeriod(nil)
        case ("quiet-period", 2) where words[1] == "auto": self = .quietPeriod(nil)
        case ("quiet-period", 2):
            guard let seconds = DurationText.seconds(words[1]), seconds > 0, seconds <= 60 else { return nil }
            self = .quietPeriod(seconds)
        default: return nil
        }
    }

    /// Silence after the handshake accepts the device.
    public var acceptsSilence: Bool { self != .firstRecord }

    /// The quiet period for a connection whose TCP connect took `roundTrip` seconds.
    public func quiet(roundTrip: Double?, acceptTimeout: Double) -> Double {
        switch self {
        case .firstRecord: return acceptTimeout
        case .quietPeriod(let fixed?): return fixed
        case .quietPeriod(nil):
            return min(max(Self.minimumAutoQuiet, 4 * (roundTrip ?? 0)), max(acceptTimeout, Self.minimumAutoQuiet))
        }
    }

    public var description: String {
        switch self {
        case .firstRecord: "first-record"
        case .quietPeriod(let seconds?): "quiet-period \(DurationText.format(seconds))"
        case .quietPeriod(nil): "quiet-period auto"
        }
    }
}
