import Foundation

/// One self-contained HTML page for a run (no scripts, no external assets): the headline numbers,
/// an SVG latency histogram of the time to acceptance with its percentiles, a timeline of starts,
/// acceptances and failures per second, the outcomes, and every failed device with its diagnosis.
/// Built from the JSON report, so any saved report can be rendered the same way.
public enum HTMLReport {
    /// One self-contained page (inline SVG, no scripts) for `report`.
    public static func make(_ report: RunReport) -> String {
        let phase = report.protocol == "mqtt" ? "mqttConnack" : "serverAccept"
        let phaseLabel = report.protocol == "mqtt" ? "time to CONNACK" : "time to the server's verdict"
        let c = report.counts
        let attempted = max(1, c.succeeded + c.failed)
        let accept = report.latencyMs[phase]
        var cards: [(String, String, String)] = [
            ("devices", "\(c.devices)", c.notStarted > 0 ? "\(c.notStarted) not started" : "all started"),
            ("ok", "\(c.succeeded)", String(format: "%.1f%%", Double(c.succeeded) / Double(attempted) * 100)),
            ("failed", "\(c.failed)", String(format: "%.1f%%", Double(c.failed) / Double(attempted) * 100)),
            (
                "verdicts / s", String(format: "%.1f", report.rates.handshakesPerSecond),
                String(format: "over %.1f s", report.durationSeconds)
            ),
        ]
        if let accept {
            cards.append(("p50 / p99", String(format: "%.1f / %.1f ms", accept.p50, accept.p99), phaseLabel))
        }
        if let micros = report.cpu.microsPerHandshake {
            cards.append(("CPU / device", String(format: "%.0f µs", micros), "simulator, user + system"))
        }
        if let bytes = report.memory.bytesPerConnectedDevice {
            cards.append(
                (
                    "memory / held device", String(format: "%.1f KB", Double(bytes) / 1024),
                    "peak \(c.peakConnected) connected"
                )
            )
        }

        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>fleetsim run — \(Self.escape(report.target))</title>
            <style>
            :root { --ok: #1a7f37; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --bar: #0969da; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
            main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
            h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 10px; }
            .sub { color: var(--muted); margin-bottom: 18px; }
            .interrupted { color: var(--bad); font-weight: 600; }
            .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
            .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
            .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
            .card .v { font-size: 22px; font-weight: 600; margin: 2px 0; } .card .n { color: var(--muted); font-size: 12px; }
            .card.ok .v { color: var(--ok); } .card.failed .v { color: var(--bad); }
            .panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
            table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
            th { font-size: 12px; color: var(--muted); font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
            code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; } .outcome-ok { color: var(--ok); } .outcome-bad { color: var(--bad); }
            .meter { height: 8px; background: #eaeef2; border-radius: 4px; overflow: hidden; } .meter span { display: block; height: 100%; }
            .diag { color: var(--muted); font-size: 13px; } .gate-pass { color: var(--ok); font-weight: 600; } .gate-fail { color: var(--bad); font-weight: 600; }
            svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
            </style></head><body><main>
            <h1>fleetsim run → \(Self.escape(report.target))</h1>
            <div class="sub">\(Self.escape(report.protocol.uppercased())) over TLS \(Self.escape(report.tls)) · started \(Self.escape(ISO8601DateFormatter().string(from: report.startedAt))) · \(String(format: "%.2f", report.durationSeconds)) s\(report.shard.map { " · shard \(Self.escape($0))" } ?? "")\(report.interrupted ? " · <span class=\"interrupted\">interrupted</span>" : "")</div>
            <div class="cards">
            """
        for (key, value, note) in cards {
            let kind = key == "ok" ? " ok" : key == "failed" ? " failed" : ""
            html +=
                "<div class=\"card\(kind)\"><div class=\"k\">\(Self.escape(key))</div><div class=\"v\">\(Self.escape(value))</div><div class=\"n\">\(Self.escape(note))</div></div>\n"
        }
        html += "</div>\n"

        if !report.gates.isEmpty {
            html += "<h2>Checks</h2><div class=\"panel\"><table><tr><th>check</th><th>result</th><th>detail</th></tr>\n"
            for gate in report.gates {
                html +=
                    "<tr><td><code>\(Self.escape(gate.name))</code></td><td class=\"\(gate.passed ? "gate-pass" : "gate-fail")\">\(gate.passed ? "pass" : "FAIL")</td><td>\(Self.escape(gate.detail))</td></tr>\n"
            }
            html += "</table></div>\n"
        }

        html += "<h2>Latency: \(Self.escape(phaseLabel)) (from each device's scheduled start)</h2><div class=\"panel\">"
        html += Self.histogramSVG(report.histograms[phase] ?? [], summary: accept)
        html += Self.percentileTable(report)
        html += "</div>\n"

        html += "<h2>Timeline: starts, acceptances and failures per second</h2><div class=\"panel\">"
        html += Self.timelineSVG(report.timelineSeconds)
        html += "</div>\n"

        html +=
            "<h2>Outcomes</h2><div class=\"panel\"><table><tr><th>outcome</th><th class=\"num\">devices</th><th style=\"width:45%\"></th></tr>\n"
        var outcomes = report.failures
        if c.succeeded > 0 { outcomes["ok"] = c.succeeded }
        for (outcome, count) in outcomes.sorted(by: {
            ($0.key == "ok" ? 0 : 1, -$0.value) < ($1.key == "ok" ? 0 : 1, -$1.value)
        }) {
            let share = Double(count) / Double(attempted) * 100
            let color = outcome == "ok" ? "var(--ok)" : "var(--bad)"
            html +=
                "<tr><td><code class=\"\(outcome == "ok" ? "outcome-ok" : "outcome-bad")\">\(Self.escape(outcome))</code></td><td class=\"num\">\(count)</td>"
            html +=
                "<td><div class=\"meter\"><span style=\"width:\(String(format: "%.1f", share))%;background:\(color)\"></span></div></td></tr>\n"
        }
        html += "</table></div>\n"

        if let mqtt = report.mqtt { html += Self.mqttPanel(mqtt) }

        let failed = report.devices.filter { $0.outcome != "ok" }
        if !failed.isEmpty {
            let groups = FailureGroups(failed).groups
            html +=
                "<h2>Why devices did not end ok (\(failed.count) devices, \(groups.count) causes)</h2><div class=\"panel\"><table><tr><th class=\"num\">devices</th><th>outcome</th><th>what happened and why</th><th>devices, first by id</th></tr>\n"
            for group in groups.prefix(500) {
                var why = Self.escape(group.detail ?? "")
                for (code, explanation) in zip(group.diagnosis, group.explanation) {
                    why += "<div class=\"diag\"><code>\(Self.escape(code))</code> — \(Self.escape(explanation))</div>"
                }
                let alert = group.alert.map { " <span class=\"diag\">(alert \($0))</span>" } ?? ""
                let ids = group.deviceIDs.map { "<code>\(Self.escape($0))</code>" }.joined(separator: " ")
                let more = group.count > group.deviceIDs.count ? " …" : ""
                html +=
                    "<tr><td class=\"num\">\(group.count)</td><td><code class=\"outcome-bad\">\(Self.escape(group.outcome))</code>\(alert)</td><td>\(why)</td><td>\(ids)\(more)</td></tr>\n"
            }
            if groups.count > 500 {
                html += "<tr><td colspan=\"4\">… \(groups.count - 500) more causes in the JSON report</td></tr>"
            }
            html += "</table></div>\n"
        }
        html +=
            "<p class=\"sub\" style=\"margin-top:24px\">fleetsim · report schema \(Self.escape(report.schema))</p></main></body></html>\n"
        return html
    }

    /// Log-spaced bars of the HdrHistogram buckets, with p50/p99 markers.
    static func histogramSVG(_ buckets: [[UInt64]], summary: PercentileSummary?) -> String {
        let samples = buckets.filter { $0.count == 2 && $0[1] > 0 }
        guard let low = samples.map({ $0[0] }).min(), let high = samples.map({ $0[0] }).max(), let summary else {
            return "<p class=\"diag\">No device reached this phase.</p>"
        }
        let width = 1000.0, height = 220.0, left = 50.0, bottom = 30.0, top = 10.0
        let lo = log10(max(1, Double(low))), hi = max(lo + 0.3, log10(Double(high)) + 0.02)
        let binCount = 48
        var bins = [UInt64](repeating: 0, count: binCount)
        for pair in samples {
            let position = (log10(max(1, Double(pair[0]))) - lo) / (hi - lo)
            bins[min(binCount - 1, max(0, Int(position * Double(binCount))))] += pair[1]
        }
        let peak = Double(bins.max() ?? 1)
        let plotWidth = width - left - 10, plotHeight = height - top - bottom
        func x(_ micros: Double) -> Double { left + (log10(max(1, micros)) - lo) / (hi - lo) * plotWidth }
        var svg =
            "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"latency histogram\">"
        svg +=
            "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#d0d7de\"/>"
        let barWidth = plotWidth / Double(binCount)
        for (index, count) in bins.enumerated() where count > 0 {
            let h = Double(count) / peak * plotHeight
            svg += String(
                format:
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#0969da\" opacity=\"0.85\"><title>%d devices</title></rect>",
                left + Double(index) * barWidth + 1,
                height - bottom - h,
                max(1, barWidth - 2),
                h,
                count
            )
        }
        // Axis ticks at 1-2-5 steps in milliseconds.
        var tick = pow(10, floor(lo))
        while tick <= pow(10, hi) {
            for factor in [1.0, 2.0, 5.0] {
                let micros = tick * factor
                guard micros >= pow(10, lo), micros <= pow(10, hi) else { continue }
                let label =
                    micros >= 1000
                    ? String(format: micros >= 10000 ? "%.0f ms" : "%.1f ms", micros / 1000)
                    : String(format: "%.2f ms", micros / 1000)
                svg += String(
                    format:
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d7de\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>",
                    x(micros),
                    height - bottom,
                    x(micros),
                    height - bottom + 4,
                    x(micros),
                    height - bottom + 17,
                    label as NSString
                )
            }
            tick *= 10
        }
        for (name, value, color) in [("p50", summary.p50, "#1a7f37"), ("p99", summary.p99, "#cf222e")] {
            let px = x(value * 1000)
            svg += String(
                format:
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%.1f\" style=\"fill:%@;font-weight:600\">%@ %.2f ms</text>",
                px,
                top,
                px,
                height - bottom,
                color as NSString,
                px + 4,
                top + 12 + (name == "p99" ? 14 : 0),
                color as NSString,
                name as NSString,
                value
            )
        }
        svg += "<text x=\"4\" y=\"\(top + 10)\">devices</text></svg>"
        return svg
    }

    static func percentileTable(_ report: RunReport) -> String {
        var html =
            "<table style=\"margin-top:10px\"><tr><th>phase (ms)</th><th class=\"num\">n</th><th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">p99.9</th><th class=\"num\">max</th></tr>"
        for phase in PhaseHistograms.Phase.allCases {
            guard let p = report.latencyMs[phase.rawValue] else { continue }
            html +=
                "<tr><td>\(phase.label)</td>"
                + [Double(p.count), p.p50, p.p90, p.p99, p.p999, p.max].enumerated().map { index, value in
                    "<td class=\"num\">\(index == 0 ? String(Int(value)) : String(format: "%.2f", value))</td>"
                }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    /// Per-second stacked bars (ok green, failed red) with the start rate as a line.
    static func timelineSVG(_ seconds: [[Int]]) -> String {
        guard !seconds.isEmpty else { return "<p class=\"diag\">No device started.</p>" }
        let width = 1000.0, height = 200.0, left = 50.0, bottom = 28.0, top = 10.0
        let peak = Double(max(1, seconds.map { max($0[0], $0[1] + $0[2]) }.max() ?? 1))
        let plotWidth = width - left - 10, plotHeight = height - top - bottom
        let slot = plotWidth / Double(seconds.count)
        var svg =
            "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"timeline\">"
        svg +=
            "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#d0d7de\"/>"
        var line: [String] = []
        for (index, row) in seconds.enumerated() {
            let x0 = left + Double(index) * slot
            let okHeight = Double(row[1]) / peak * plotHeight
            let badHeight = Double(row[2]) / peak * plotHeight
            svg += String(
                format:
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1a7f37\" opacity=\"0.8\"><title>second %d: %d ok</title></rect>",
                x0 + 1,
                height - bottom - okHeight,
                max(1, slot - 2),
                okHeight,
                index,
                row[1]
            )
            svg += String(
                format:
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#cf222e\" opacity=\"0.85\"><title>second %d: %d failed</title></rect>",
                x0 + 1,
                height - bottom - okHeight - badHeight,
                max(1, slot - 2),
                badHeight,
                index,
                row[2]
            )
            line.append(
                String(format: "%.1f,%.1f", x0 + slot / 2, height - bottom - Double(row[0]) / peak * plotHeight)
            )
        }
        svg +=
            "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>"
        let step = max(1, seconds.count / 10)
        for index in stride(from: 0, to: seconds.count, by: step) {
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%ds</text>",
                left + (Double(index) + 0.5) * slot,
                height - bottom + 16,
                index
            )
        }
        svg += String(format: "<text x=\"4\" y=\"%.1f\">%.0f/s</text>", top + 10, peak)
        svg +=
            "<text x=\"\(width - 250)\" y=\"\(height - 2)\"><tspan style=\"fill:#0969da\">— starts</tspan>  <tspan style=\"fill:#1a7f37\">■ ok</tspan>  <tspan style=\"fill:#cf222e\">■ failed</tspan></text>"
        return svg + "</svg>"
    }

    /// MQTT traffic: publishes and their rate, and every reason code counted by name.
    static func mqttPanel(_ mqtt: RunReport.MQTT) -> String {
        var rows: [(String, String)] = [
            ("published", "\(mqtt.published)" + (mqtt.publishesPerSecond.map { String(format: " (%.1f/s)", $0) } ?? ""))
        ]
        func counts(_ values: [String: Int]) -> String {
            values.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        if mqtt.acknowledged > 0 { rows.append(("PUBACK", "\(mqtt.acknowledged): \(counts(mqtt.pubacks))")) }
        if mqtt.subscriptions > 0 { rows.append(("SUBACK", "\(mqtt.subscriptions): \(counts(mqtt.subacks))")) }
        if mqtt.received > 0 { rows.append(("received from the server", "\(mqtt.received)")) }
        if !mqtt.serverDisconnects.isEmpty { rows.append(("server DISCONNECT", counts(mqtt.serverDisconnects))) }
        var html = "<h2>MQTT \(Self.escape(mqtt.version))</h2><div class=\"panel\"><table>\n"
        for (name, value) in rows {
            html += "<tr><th>\(Self.escape(name))</th><td>\(Self.escape(value))</td></tr>\n"
        }
        return html + "</table></div>\n"
    }

    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
