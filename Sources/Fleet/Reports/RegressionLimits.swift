/// How much worse than a baseline a run may be (`--max-regression`): a comma-separated list of
/// `METRIC=LIMIT`, parsed and bounded once, before anything runs.
///
/// Metrics and the units each takes:
/// - `p50`, `p90`, `p99`, `p999`, `max`: the time to acceptance (server verdict in `tls` mode,
///   CONNACK in `mqtt`); `PHASE.p99` for another phase (`tlsHandshake.p99`, `tcpConnect.p50`, …).
///   `%` relative to the baseline (0–1000) or `ms` absolute (0–3600000).
/// - `failureRate`: `pp`, percentage points (0–100): `0.5pp` allows 1.0 % → 1.5 %. A relative
///   limit on a rate that is often 0 would mean nothing, so `%` is refused.
/// - `cpuPerHandshake`: client CPU per handshake, `%` (0–1000).
/// - `rate`: verdicts per second, `%` (0–100): how far it may *fall*.
///
/// A limit is inclusive: `p99=10%` passes at exactly +10 %.
public struct RegressionLimits: Sendable, Equatable {
    public enum Metric: Hashable, Sendable {
        /// A percentile of a phase; nil phase: the time to acceptance of the run's protocol.
        case latency(phase: PhaseHistograms.Phase?, percentile: String)
        case failureRate
        case cpuPerHandshake
        case rate
    }

    public enum Limit: Sendable, Equatable {
        case percent(Double)
        case points(Double)
        case milliseconds(Double)
    }

    public struct Entry: Sendable, Equatable {
        public var metric: Metric
        public var limit: Limit
        /// The metric as written (`p99`, `tlsHandshake.p99`): the gate is named after it.
        public var name: String
    }

    /// The spec cannot be used; the message names the entry and says what would be accepted.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public enum Code: String, Sendable, CaseIterable {
            /// Empty, or an entry that is not `METRIC=NUMBER UNIT`.
            case malformed
            /// A metric (or phase) fleetsim does not know.
            case unknownMetric = "unknown-metric"
            /// A unit the metric does not take (`failureRate=5%`, `cpuPerHandshake=3ms`).
            case wrongUnit = "wrong-unit"
            /// A number outside the metric's bounds, or not finite.
            case outOfRange = "out-of-range"
            /// The same metric twice.
            case repeated
        }
        public let code: Code
        public let description: String
    }

    public static let percentileNames = ["p50", "p90", "p99", "p999", "max"]
    static let mostEntries = 32

    public let entries: [Entry]

    public init(_ spec: String) throws(ParseError) {
        let parts = spec.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !spec.trimmingCharacters(in: .whitespaces).isEmpty, parts.count <= Self.mostEntries else {
            throw ParseError(
                code: .malformed,
                description:
                    "give 1–\(Self.mostEntries) limits METRIC=LIMIT separated by commas, e.g. p99=10%,failureRate=0.5pp"
            )
        }
        var entries: [Entry] = []
        for part in parts {
            let entry = try Self.entry(part)
            if entries.contains(where: { $0.metric == entry.metric }) {
                throw ParseError(
                    code: .repeated,
                    description: "'\(entry.name)' is limited twice: give each metric once"
                )
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    static func entry(_ text: String) throws(ParseError) -> Entry {
        let pieces = text.split(separator: "=", omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else {
            throw ParseError(
                code: .malformed,
                description: "'\(text)' is not METRIC=LIMIT (e.g. p99=10%, p99=5ms, failureRate=0.5pp)"
            )
        }
        let name = String(pieces[0])
        let metric = try Self.metric(name)
        let (number, unit) = try Self.number(String(pieces[1]), entry: text)
        let (limit, bound): (Limit, Double)
        switch (metric, unit) {
        case (.latency, "%"), (.cpuPerHandshake, "%"): (limit, bound) = (.percent(number), 1000)
        case (.rate, "%"): (limit, bound) = (.percent(number), 100)
        case (.latency, "ms"): (limit, bound) = (.milliseconds(number), 3_600_000)
        case (.failureRate, "pp"): (limit, bound) = (.points(number), 100)
        default:
            let takes: String
            switch metric {
            case .latency: takes = "% (relative) or ms (absolute), e.g. \(name)=10% or \(name)=5ms"
            case .failureRate: takes = "pp (percentage points), e.g. failureRate=0.5pp"
            case .cpuPerHandshake, .rate: takes = "%, e.g. \(name)=15%"
            }
            throw ParseError(code: .wrongUnit, description: "'\(text)': \(name) takes \(takes)")
        }
        guard number <= bound else {
            throw ParseError(code: .outOfRange, description: "'\(text)': the limit must be 0–\(Int(bound))\(unit)")
        }
        return Entry(metric: metric, limit: limit, name: name)
    }

    static func metric(_ name: String) throws(ParseError) -> Metric {
        switch name {
        case "failureRate": return .failureRate
        case "cpuPerHandshake": return .cpuPerHandshake
        case "rate": return .rate
        default: break
        }
        let known =
            "p50, p90, p99, p999, max, PHASE.p99 (PHASE: \(PhaseHistograms.Phase.allCases.map(\.rawValue).joined(separator: ", "))), failureRate, cpuPerHandshake, rate"
        let dotted = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard dotted.count <= 2, let percentile = dotted.last, Self.percentileNames.contains(percentile) else {
            throw ParseError(code: .unknownMetric, description: "unknown metric '\(name)': use \(known)")
        }
        guard dotted.count == 2 else { return .latency(phase: nil, percentile: percentile) }
        guard let phase = PhaseHistograms.Phase(rawValue: dotted[0]) else {
            throw ParseError(
                code: .unknownMetric,
                description: "unknown phase '\(dotted[0])' in '\(name)': use \(known)"
            )
        }
        return .latency(phase: phase, percentile: percentile)
    }

    /// `10%` → (10, "%"): digits with at most one dot, then letters or `%` (no sign, exponent, hex,
    /// nan or inf).
    static func number(_ text: String, entry: String) throws(ParseError) -> (Double, String) {
        let digits = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = String(text.dropFirst(digits.count))
        guard !digits.isEmpty, digits.filter({ $0 == "." }).count <= 1, digits.count <= 16,
            unit.allSatisfy({ $0 == "%" || ($0.isASCII && $0.isLetter) }),
            let value = Double(digits), value.isFinite
        else {
            throw ParseError(
                code: .malformed,
                description: "'\(entry)': the limit is a number and a unit, e.g. 10%, 5ms, 0.5pp"
            )
        }
        return (value, unit)
    }
}
