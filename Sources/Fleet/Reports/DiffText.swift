import Foundation

/// The console form of a ``ReportDiff``: what differs in the set-up, percentiles per phase with
/// absolute and relative change, rates, CPU, failure rate, outcome counts, the devices whose
/// outcome changed (the first `firstDevices`), and the regression gates.
public enum DiffText {
    public static func text(_ diff: ReportDiff, firstDevices: Int = 20, gates: Bool = true) -> String {
        var lines: [String] = []
        // The label column fits the longest outcome (`rejected:certificate-expired`) and phase label.
        let width = max(26, (diff.outcomes.keys.map(\.count).max() ?? 0) + 2)
        lines.append("compared: \(Self.name(diff.base, "base")) → \(Self.name(diff.new, "this run"))")
        lines.append("  \(Self.describe(diff.base)) → \(Self.describe(diff.new))")
        for difference in diff.differences {
            lines.append("  note: \(difference.name) differs: \(difference.base) → \(difference.new)")
        }
        if diff.base.interrupted || diff.new.interrupted {
            lines.append("  note: \(diff.base.interrupted ? "the baseline" : "the new run") was interrupted")
        }

        lines.append("")
        lines.append("  " + Self.pad("latency (ms)", width + 2) + "      base        new     change")
        for phase in PhaseHistograms.Phase.allCases {
            guard let row = diff.latencyMs[phase.rawValue] else { continue }
            for name in ["p50", "p99"] {
                guard let change = row[name] else { continue }
                lines.append(
                    "    " + Self.pad("\(phase.rawValue) \(name)", width) + Self.figures(change, "%.2f")
                )
            }
        }
        lines.append("")
        if let change = diff.rates["handshakesPerSecond"] {
            lines.append("    " + Self.pad("verdicts/s", width) + Self.figures(change, "%.1f"))
        }
        lines.append(
            "    " + Self.pad("CPU µs per handshake", width) + Self.figures(diff.cpuMicrosPerHandshake, "%.0f")
        )
        let rate = diff.failureRate
        lines.append(
            "    " + Self.pad("failure rate", width) + Self.column(rate.base.map { $0 * 100 }, "%.2f%%")
                + Self.column(rate.new.map { $0 * 100 }, "%.2f%%")
                + (rate.delta.map { String(format: "  %+.2fpp", $0 * 100) } ?? "")
        )

        lines.append("")
        lines.append("  " + Self.pad("outcomes", width + 2) + "      base        new     change")
        for (name, count) in diff.outcomes.sorted(by: {
            ($0.key == "ok" ? 0 : 1, $0.key) < ($1.key == "ok" ? 0 : 1, $1.key)
        }) {
            lines.append(
                "    " + Self.pad(name, width) + Self.column(Double(count.base), "%.0f")
                    + Self.column(Double(count.new), "%.0f")
                    + (count.delta == 0 ? "" : String(format: "  %+d", count.delta))
            )
        }

        let changed = diff.devicesChanged
        lines.append("")
        lines.append(
            changed.isEmpty
                ? "  no device's outcome changed"
                : "  \(changed.count) device(s) changed outcome: "
                    + ["regressed", "changed", "fixed"].compactMap { kind in
                        let n = changed.filter { $0.kind == kind }.count
                        return n > 0 ? "\(n) \(kind)" : nil
                    }.joined(separator: ", ")
        )
        for device in changed.prefix(firstDevices) {
            lines.append("    \(device.id): \(device.base) → \(device.new)" + (device.detail.map { " — \($0)" } ?? ""))
            for (code, explanation) in zip(device.diagnosis, device.explanation) {
                lines.append("      diagnosis \(code): \(explanation)")
            }
        }
        if changed.count > firstDevices {
            lines.append("    … and \(changed.count - firstDevices) more (see --json)")
        }
        if gates && !diff.gates.isEmpty {
            lines.append("")
            lines.append("  checks")
            for gate in diff.gates {
                lines.append("    \(gate.passed ? "pass" : "FAIL")  \(gate.name): \(gate.detail)")
            }
        }
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    static func name(_ run: ReportDiff.Run, _ fallback: String) -> String { run.file ?? fallback }

    static func describe(_ run: ReportDiff.Run) -> String {
        "\(run.target) (\(run.protocol), TLS \(run.tls)), \(run.devices) devices, "
            + String(format: "%.1f s", run.durationSeconds) + (run.shard.map { ", shard \($0)" } ?? "")
    }

    /// `  12.30      25.10   +12.80 (+104.1%)`
    static func figures(_ change: ReportDiff.Change, _ format: String) -> String {
        var text = Self.column(change.base, format) + Self.column(change.new, format)
        if let delta = change.delta {
            text += "  " + String(format: "%+" + format.dropFirst(), delta)
            if let relative = change.relative { text += String(format: " (%+.1f%%)", relative * 100) }
        }
        return text
    }

    static func column(_ value: Double?, _ format: String) -> String {
        Self.pad(value.map { String(format: format, $0) } ?? "—", 10, right: true) + " "
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
