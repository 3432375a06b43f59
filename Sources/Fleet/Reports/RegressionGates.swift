import Foundation

/// The `--max-regression` gates: each limit of ``RegressionLimits`` judged on a ``ReportDiff``, one
/// gate per limit, named `max-regression:METRIC` (`max-regression:p99`).
///
/// Fail closed: a figure missing from either run (no device accepted, so no p99; no verdict, so
/// no CPU per handshake) fails its gate, because "no worse than the baseline" cannot be shown.
extension RegressionLimits {
    /// One gate per limit; `p99` without a phase is the new run's time to acceptance.
    public func gates(_ diff: ReportDiff) -> [RunReport.Gate] {
        self.entries.map { entry in
            let (passed, detail) = Self.judge(entry, diff)
            return RunReport.Gate(name: "max-regression:\(entry.name)", passed: passed, detail: detail)
        }
    }

    /// A little room for floating point: a limit is inclusive.
    static let slack = 1e-9

    static func judge(_ entry: Entry, _ diff: ReportDiff) -> (Bool, String) {
        let limitText = Self.text(entry.limit)
        switch entry.metric {
        case .latency(let phase, let percentile):
            let phase = phase ?? (diff.new.protocol == "mqtt" ? .mqttConnack : .serverAccept)
            let change = diff.latencyMs[phase.rawValue]?[percentile] ?? ReportDiff.Change(base: nil, new: nil)
            let what = "\(phase.rawValue) \(percentile)"
            guard let base = change.base, let new = change.new else {
                return (false, "\(what): \(Self.missing(change)), limit \(limitText)")
            }
            let line =
                "\(what) \(Self.ms(base)) → \(Self.ms(new)) (\(Self.signed(new - base, "ms"))\(Self.relative(change))), limit \(limitText)"
            switch entry.limit {
            case .milliseconds(let most): return (new - base <= most + Self.slack, line)
            case .percent(let most): return (Self.withinRelative(base, new, most), line)
            case .points: return (false, line)
            }
        case .failureRate:
            let change = diff.failureRate
            guard let base = change.base, let new = change.new, case .points(let most) = entry.limit else {
                return (false, "failure rate: \(Self.missing(change)), limit \(limitText)")
            }
            let points = (new - base) * 100
            return (
                points <= most + Self.slack,
                String(
                    format: "failure rate %.2f%% → %.2f%% (%+.2fpp), limit %@",
                    base * 100,
                    new * 100,
                    points,
                    limitText
                )
            )
        case .cpuPerHandshake:
            let change = diff.cpuMicrosPerHandshake
            guard let base = change.base, let new = change.new, case .percent(let most) = entry.limit else {
                return (false, "CPU per handshake: \(Self.missing(change)), limit \(limitText)")
            }
            return (
                Self.withinRelative(base, new, most),
                String(format: "CPU per handshake %.0f µs → %.0f µs", base, new)
                    + "\(Self.relative(change)), limit \(limitText)"
            )
        case .rate:
            let change = diff.rates["handshakesPerSecond"] ?? ReportDiff.Change(base: nil, new: nil)
            guard let base = change.base, let new = change.new, case .percent(let most) = entry.limit else {
                return (false, "verdicts/s: \(Self.missing(change)), limit \(limitText)")
            }
            let fall = base > 0 ? (base - new) / base * 100 : 0
            return (
                fall <= most + Self.slack,
                String(format: "verdicts/s %.1f → %.1f", base, new)
                    + "\(Self.relative(change)), fall limit \(limitText)"
            )
        }
    }

    /// new ≤ base × (1 + most %); from a baseline of 0, any increase fails.
    static func withinRelative(_ base: Double, _ new: Double, _ most: Double) -> Bool {
        guard base > 0 else { return new <= base }
        return (new - base) / base * 100 <= most + Self.slack
    }

    static func missing(_ change: ReportDiff.Change) -> String {
        change.base == nil ? "not in the baseline, nothing to compare" : "not in the new run, nothing to compare"
    }

    static func text(_ limit: Limit) -> String {
        switch limit {
        case .percent(let value): "+\(Self.number(value))%"
        case .points(let value): "+\(Self.number(value))pp"
        case .milliseconds(let value): "+\(Self.number(value)) ms"
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }

    static func signed(_ value: Double, _ unit: String) -> String { String(format: "%+.2f %@", value, unit) }

    static func relative(_ change: ReportDiff.Change) -> String {
        change.relative.map { String(format: ", %+.1f%%", $0 * 100) } ?? ""
    }
}
