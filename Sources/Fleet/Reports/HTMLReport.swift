import Foundation

/// One self-contained HTML page for a run (no scripts, no external assets): the headline numbers,
/// the latency histogram next to latency over time, the timeline next to the percentiles, the
/// outcomes, the run's parameters, TLS and connections panels, and the failures grouped by cause.
/// Built from the JSON report, so any saved report (a shard's, a merged one) renders the same way.
/// The charts are in ``HistogramChart``, ``LatencyOverTimeChart`` and ``TimelineChart``; the
/// tables of facts in ``ReportPanels``; the stylesheet in ``HTMLStyle``.
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
            cards.append(("CPU / handshake", String(format: "%.0f µs", micros), "simulator, user + system"))
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
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>fleetsim run — \(Self.escape(report.target))</title>
            <style>
            \(HTMLStyle.css)
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

        html += Self.pair(
            ("Latency: \(phaseLabel)", HistogramChart.html(report.histograms[phase] ?? [], summary: accept)),
            ("Latency over time", LatencyOverTimeChart.html(report))
        )
        html += Self.pair(
            (
                "Timeline: starts, acceptances and failures per second",
                TimelineChart.html(report.timelineSeconds, requestedRate: report.rates.requestedStartRate)
            ),
            ("Percentiles by phase (from each device's scheduled start)", Self.percentileTable(report))
        )
        html += Self.outcomes(report)
        html += ReportPanels.parameters(report)
        html += ReportPanels.tls(report)
        html += ReportPanels.connections(report)
        if let mqtt = report.mqtt { html += ReportPanels.mqtt(mqtt) }
        html += Self.causes(report)
        html +=
            "<p class=\"sub\" style=\"margin-top:24px\">fleetsim · report schema \(Self.escape(report.schema))</p></main></body></html>\n"
        return html
    }

    /// Two panels side by side on a wide screen, one above the other on a narrow one.
    static func pair(_ first: (String, String), _ second: (String, String)) -> String {
        "<div class=\"pair\">"
            + [first, second].map { title, body in
                "<section><h2>\(Self.escape(title))</h2><div class=\"panel\">\(body)</div></section>"
            }.joined() + "</div>\n"
    }

    /// Every outcome with its device count and share.
    static func outcomes(_ report: RunReport) -> String {
        let attempted = max(1, report.counts.succeeded + report.counts.failed)
        var html =
            "<h2>Outcomes</h2><div class=\"panel\"><table><tr><th>outcome</th><th class=\"num\">devices</th><th style=\"width:40%\"></th></tr>\n"
        var outcomes = report.failures
        if report.counts.succeeded > 0 { outcomes["ok"] = report.counts.succeeded }
        for (outcome, count) in outcomes.sorted(by: {
            ($0.key == "ok" ? 0 : 1, -$0.value, $0.key) < ($1.key == "ok" ? 0 : 1, -$1.value, $1.key)
        }) {
            let share = Double(count) / Double(attempted) * 100
            let color = outcome == "ok" ? "var(--ok)" : "var(--bad)"
            html +=
                "<tr><td><code class=\"\(outcome == "ok" ? "outcome-ok" : "outcome-bad")\">\(Self.escape(outcome))</code></td><td class=\"num\">\(count)</td>"
            html +=
                "<td><div class=\"meter\"><span style=\"width:\(String(format: "%.1f", share))%;background:\(color)\"></span></div></td></tr>\n"
        }
        return html + "</table></div>\n"
    }

    /// The devices that did not end ok, one row per cause (``FailureGroups``): the count, the
    /// explanation once, the first device ids (which never wrap inside an id).
    static func causes(_ report: RunReport) -> String {
        let failed = report.devices.filter { $0.outcome != "ok" }
        guard !failed.isEmpty else { return "" }
        let groups = FailureGroups(failed).groups
        var html =
            "<h2>Why devices did not end ok (\(failed.count) devices, \(groups.count) causes)</h2><div class=\"panel\"><table class=\"causes\"><tr class=\"head\"><th class=\"num\">devices</th><th>outcome</th><th>what happened and why</th><th>devices, first by id</th></tr>\n"
        for group in groups.prefix(500) {
            var why = Self.escape(group.detail ?? "")
            for (code, explanation) in zip(group.diagnosis, group.explanation) {
                why += "<div class=\"diag\"><code>\(Self.escape(code))</code> — \(Self.escape(explanation))</div>"
            }
            let alert = group.alert.map { " <span class=\"diag\">(alert \($0))</span>" } ?? ""
            let ids = group.deviceIDs.map { "<code class=\"id\">\(Self.escape($0))</code>" }.joined(separator: " ")
            let more = group.count > group.deviceIDs.count ? " …" : ""
            html +=
                "<tr><td class=\"num\">\(group.count)</td><td><code class=\"outcome-bad\">\(Self.escape(group.outcome))</code>\(alert)</td><td>\(why)</td><td class=\"ids\">\(ids)\(more)</td></tr>\n"
        }
        if groups.count > 500 {
            html += "<tr><td colspan=\"4\">… \(groups.count - 500) more causes in the JSON report</td></tr>"
        }
        return html + "</table></div>\n"
    }

    static func percentileTable(_ report: RunReport) -> String {
        var html =
            "<table class=\"phases\"><tr><th>phase (ms)</th><th class=\"num\">n</th><th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">p99.9</th><th class=\"num\">max</th></tr>"
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

    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
