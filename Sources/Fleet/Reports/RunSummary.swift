import FleetCore
import Foundation

/// The readable end-of-run summary: rates, percentiles per phase, outcomes, the first failed
/// devices with alert and diagnosis, and the CI checks.
public enum RunSummary {
    /// The console summary: percentiles per phase, outcomes, connections, gates, the first failed
    /// devices with their alert and diagnosis.
    public static func text(_ report: RunReport, mismatches: [Expectations.Mismatch], firstFailures: Int = 10) -> String
    {
        var lines: [String] = []
        let c = report.counts
        let title =
            "fleetsim run → \(report.target) (\(report.protocol), TLS \(report.tls))"
            + (report.shard.map { " — shard \($0)" } ?? "")
        lines.append(title + (report.interrupted ? " — INTERRUPTED" : ""))
        let failedShare = c.attempted > 0 ? Double(c.failed) / Double(max(1, c.succeeded + c.failed)) : 0
        lines.append(
            String(
                format: "  %d devices, %d attempted in %.2f s: %d ok, %d failed (%.1f%%)%@",
                c.devices,
                c.attempted,
                report.durationSeconds,
                c.succeeded,
                c.failed,
                failedShare * 100,
                (c.notStarted > 0 ? " — \(c.notStarted) not started" : "")
                    + (c.undecided.map { " — \($0) without a verdict when stopped" } ?? "") as NSString
            )
        )
        var rates = String(format: "  %.1f verdicts/s", report.rates.handshakesPerSecond)
        if let requested = report.rates.requestedStartRate {
            rates += String(format: ", start rate %.1f/s requested", requested)
            if let achieved = report.rates.achievedStartRate { rates += String(format: ", %.1f/s achieved", achieved) }
        }
        if let micros = report.cpu.microsPerHandshake { rates += String(format: ", %.0f µs CPU per handshake", micros) }
        if c.peakConnected > 0 { rates += ", peak \(c.peakConnected) connected" }
        lines.append(rates)
        if let perDevice = report.memory.bytesPerConnectedDevice {
            lines.append(
                String(
                    format: "  memory: %.1f MB peak RSS, %.1f KB per connected device",
                    Double(report.memory.maxRSSBytes) / 1e6,
                    Double(perDevice) / 1024
                )
            )
        }

        lines.append("")
        lines.append(
            "  latency (ms, from each device's scheduled start)      n      p50      p90      p99     p999      max"
        )
        for phase in PhaseHistograms.Phase.allCases {
            guard let p = report.latencyMs[phase.rawValue] else { continue }
            let label = phase.label
            lines.append(
                "    " + label.padding(toLength: 48, withPad: " ", startingAt: 0)
                    + String(format: "%7d %8.2f %8.2f %8.2f %8.2f %8.2f", p.count, p.p50, p.p90, p.p99, p.p999, p.max)
            )
        }

        if let links = report.connections,
            links.attempts > c.attempted || links.resumption.offered > 0 || links.lost > 0
        {
            lines.append("")
            let kinds = ConnectionKind.allCases.compactMap { kind in
                links.byKind[kind.rawValue].map { "\($0) \(kind.rawValue)" }
            }
            lines.append(
                "  connections: \(links.attempts) (\(kinds.joined(separator: ", "))); peak \(Int(links.peakConnectRate))/s attempted (100 ms windows)"
            )
            if links.resumption.offered > 0 {
                lines.append(
                    String(
                        format: "    resumption: %d of %d offered sessions resumed (%.1f%%)",
                        links.resumption.resumed,
                        links.resumption.offered,
                        (links.resumption.rate ?? 0) * 100
                    )
                )
            }
            if let refused = links.refusedAfterLoss, !refused.isEmpty {
                lines.append(
                    "    refused when they came back after a loss: "
                        + refused.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                        + (links.revokedWhileConnected.map { " (revoked while connected: \($0))" } ?? "")
                )
            }
            if links.lost > 0 {
                var recovery = "    lost during the hold: \(links.lost); recovered: \(links.recovered)"
                if let seconds = links.recoverySeconds { recovery += String(format: " in %.2f s", seconds) }
                recovery += "; peak reconnect rate \(Int(links.peakReconnectRate))/s"
                lines.append(recovery)
            }
            let failures = links.outcomes.filter { $0.key != "ok" }.sorted { $0.value > $1.value }
            if !failures.isEmpty {
                lines.append(
                    "    failed connections: " + failures.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                )
            }
        }
        if let mqtt = report.mqtt,
            mqtt.published + mqtt.subscriptions + mqtt.received > 0 || !mqtt.serverDisconnects.isEmpty
        {
            lines.append(Self.mqttLine(mqtt))
        }
        if let negotiated = report.connections?.negotiated, !negotiated.isEmpty {
            let parts = negotiated.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map {
                "\($0.key) ×\($0.value)"
            }
            lines.append("  negotiated: " + parts.joined(separator: ", "))
        }
        for (label, counts) in [("key exchange", report.connections?.groups), ("ALPN", report.connections?.alpn)] {
            guard let counts, !counts.isEmpty else { continue }
            let parts = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map {
                "\($0.key) ×\($0.value)"
            }
            lines.append("  \(label): " + parts.joined(separator: ", "))
        }
        if let without = report.connections?.withoutALPN, without > 0 {
            lines.append("  \(without) accepted connection(s) offered ALPN and the server selected no protocol")
        }
        if let open = report.connections?.withoutClientCertificate, open > 0 {
            lines.append(
                "  \(open) accepted connection(s) without the server asking for a client certificate: mutual TLS was not tested"
            )
        }
        if let silent = report.connections?.acceptedBySilence, silent > 0 {
            lines.append(
                "  \(silent) connection(s) accepted by the server's silence after the TLS 1.3 handshake: it sends no session ticket (--tls-accept)"
            )
        }
        if let clockFailures = report.connections?.clockFailures, clockFailures > 0 {
            lines.append(
                "  \(clockFailures) device(s) refused the server because of their own clock (diagnosis clock-skew)"
            )
        }

        lines.append("")
        lines.append("  outcomes")
        var outcomes = report.failures
        if c.succeeded > 0 { outcomes["ok"] = c.succeeded }
        for (outcome, count) in outcomes.sorted(by: {
            ($0.key == "ok" ? 0 : 1, -$0.value, $0.key) < ($1.key == "ok" ? 0 : 1, -$1.value, $1.key)
        }) {
            lines.append(
                "    " + outcome.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%7d", count)
            )
        }

        let failed = report.devices.filter { $0.outcome != "ok" }
        if !failed.isEmpty {
            lines.append("")
            lines.append("  first failed devices")
            for device in failed.prefix(firstFailures) {
                var head = "    \(device.id): \(device.outcome)"
                if let alert = device.alert { head += " (alert \(alert))" }
                lines.append(head)
                if let detail = device.detail { lines.append("      \(detail)") }
                for (code, explanation) in zip(device.diagnosis, device.explanation) {
                    lines.append("      diagnosis \(code): \(explanation)")
                }
            }
            if failed.count > firstFailures {
                lines.append("    … and \(failed.count - firstFailures) more (see --json / --junit)")
            }
        }

        if !report.gates.isEmpty {
            lines.append("")
            lines.append("  checks")
            for gate in report.gates {
                lines.append("    \(gate.passed ? "pass" : "FAIL")  \(gate.name): \(gate.detail)")
            }
            for mismatch in mismatches.prefix(20) {
                lines.append("          \(mismatch.id): expected \(mismatch.expected), got \(mismatch.actual)")
            }
            if mismatches.count > 20 { lines.append("          … and \(mismatches.count - 20) more") }
        }
        return lines.joined(separator: "\n")
    }

    /// `  mqtt 5: 120 published (40.0/s); 120 acknowledged (success 120); 3 subscriptions (granted-qos-1 3); …`
    static func mqttLine(_ mqtt: RunReport.MQTT) -> String {
        func counts(_ values: [String: Int]) -> String {
            values.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var parts = [
            "\(mqtt.published) published" + (mqtt.publishesPerSecond.map { String(format: " (%.1f/s)", $0) } ?? "")
        ]
        if mqtt.acknowledged > 0 { parts.append("\(mqtt.acknowledged) acknowledged (\(counts(mqtt.pubacks)))") }
        if mqtt.subscriptions > 0 { parts.append("\(mqtt.subscriptions) subscriptions (\(counts(mqtt.subacks)))") }
        if mqtt.received > 0 { parts.append("\(mqtt.received) received from the server") }
        if !mqtt.serverDisconnects.isEmpty { parts.append("server DISCONNECT: \(counts(mqtt.serverDisconnects))") }
        return "  mqtt \(mqtt.version): " + parts.joined(separator: "; ")
    }
}
