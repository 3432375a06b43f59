import Foundation

/// The page of `report diff --html`: one self-contained file (no scripts, nothing fetched), readable
/// in light and dark mode and printable. Cards for the headline changes, the set-up differences,
/// the checks, a percentile table per phase, outcome counts, and the devices whose outcome changed
/// (the first 500; every one is in `--json`).
public enum DiffHTML {
    static let mostDeviceRows = 500

    public static func make(_ diff: ReportDiff) -> String {
        let e = MarkupText.escape
        let accept = diff.new.protocol == "mqtt" ? "mqttConnack" : "serverAccept"
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>fleetsim diff — \(e(diff.new.target))</title>
            <style>\(DiffStyle.css)</style></head><body><main>
            <h1>fleetsim report diff</h1>
            <div class="sub">base <code>\(e(diff.base.file ?? "baseline"))</code> (\(e(Self.describe(diff.base)))) → new <code>\(e(diff.new.file ?? "this run"))</code> (\(e(Self.describe(diff.new))))</div>

            """
        if !diff.differences.isEmpty || diff.base.interrupted || diff.new.interrupted {
            html += "<div class=\"panel note\"><strong>Not like for like:</strong><ul>"
            for difference in diff.differences {
                html +=
                    "<li><code>\(e(difference.name))</code>: <code>\(e(difference.base))</code> → <code>\(e(difference.new))</code></li>"
            }
            if diff.base.interrupted { html += "<li>the baseline run was interrupted</li>" }
            if diff.new.interrupted { html += "<li>the new run was interrupted</li>" }
            html += "</ul></div>\n"
        }

        html += "<div class=\"cards\">"
        if let p99 = diff.latencyMs[accept]?["p99"] {
            html += Self.card("p99 to acceptance", p99, format: "%.2f ms", worseWhenHigher: true)
        }
        if let rate = diff.rates["handshakesPerSecond"] {
            html += Self.card("verdicts / s", rate, format: "%.1f", worseWhenHigher: false)
        }
        html += Self.card("CPU / handshake", diff.cpuMicrosPerHandshake, format: "%.0f µs", worseWhenHigher: true)
        let rate = diff.failureRate
        html += Self.card(
            "failure rate",
            ReportDiff.Change(base: rate.base.map { $0 * 100 }, new: rate.new.map { $0 * 100 }),
            format: "%.2f%%",
            worseWhenHigher: true,
            points: true
        )
        html +=
            "<div class=\"card\"><div class=\"k\">devices changed</div><div class=\"v\">\(diff.devicesChanged.count)</div>"
        html += "<div class=\"n\">\(diff.devicesChanged.filter { $0.kind == "regressed" }.count) regressed</div></div>"
        html += "</div>\n"

        if !diff.gates.isEmpty {
            html +=
                "<h2>Checks against the baseline</h2><div class=\"panel scroll\"><table><tr><th>check</th><th>result</th><th>detail</th></tr>\n"
            for gate in diff.gates {
                html +=
                    "<tr><td><code>\(e(gate.name))</code></td><td class=\"\(gate.passed ? "gate-pass" : "gate-fail")\">\(gate.passed ? "pass" : "FAIL")</td><td>\(e(gate.detail))</td></tr>\n"
            }
            html += "</table></div>\n"
        }

        html += "<h2>Latency (ms, from each device's scheduled start)</h2><div class=\"panel scroll\"><table>"
        html +=
            "<tr><th>phase, percentile</th><th class=\"num\">base</th><th class=\"num\">new</th><th class=\"num\">change</th><th class=\"num\">relative</th></tr>\n"
        for phase in PhaseHistograms.Phase.allCases {
            guard let row = diff.latencyMs[phase.rawValue] else { continue }
            for name in RegressionLimits.percentileNames {
                guard let change = row[name] else { continue }
                html +=
                    "<tr><td>\(e(phase.label)) <strong>\(name)</strong></td>"
                    + Self.cells(change, "%.2f", worseWhenHigher: true)
                    + "</tr>\n"
            }
        }
        html += "</table></div>\n"

        html +=
            "<h2>Outcomes</h2><div class=\"panel scroll\"><table><tr><th>outcome</th><th class=\"num\">base</th><th class=\"num\">new</th><th class=\"num\">change</th></tr>\n"
        for (name, count) in diff.outcomes.sorted(by: {
            ($0.key == "ok" ? 0 : 1, $0.key) < ($1.key == "ok" ? 0 : 1, $1.key)
        }) {
            let worse = name == "ok" ? count.delta < 0 : count.delta > 0
            html +=
                "<tr><td><code>\(e(name))</code></td><td class=\"num\">\(count.base)</td><td class=\"num\">\(count.new)</td><td class=\"num \(count.delta == 0 ? "" : worse ? "outcome-bad" : "outcome-ok")\">\(String(format: "%+d", count.delta))</td></tr>\n"
        }
        html += "</table></div>\n"

        html += "<h2>Devices whose outcome changed (\(diff.devicesChanged.count))</h2><div class=\"panel scroll\">"
        if diff.devicesChanged.isEmpty {
            html += "<p class=\"diag\">Every device that is in both runs ended the same way.</p>"
        } else {
            html += "<table><tr><th>device</th><th>base</th><th>new</th><th>why, in the new run</th></tr>\n"
            for device in diff.devicesChanged.prefix(Self.mostDeviceRows) {
                var why = e(device.detail ?? "")
                for (code, explanation) in zip(device.diagnosis, device.explanation) {
                    why += "<div class=\"diag\"><code>\(e(code))</code> — \(e(explanation))</div>"
                }
                html +=
                    "<tr><td><code class=\"id\">\(e(device.id))</code></td><td><code>\(e(device.base))</code></td><td><code class=\"\(device.kind == "fixed" ? "outcome-ok" : "outcome-bad")\">\(e(device.new))</code></td><td>\(why)</td></tr>\n"
            }
            if diff.devicesChanged.count > Self.mostDeviceRows {
                html +=
                    "<tr><td colspan=\"4\">… \(diff.devicesChanged.count - Self.mostDeviceRows) more in the JSON diff</td></tr>"
            }
            html += "</table>"
        }
        html +=
            "</div>\n<p class=\"sub\">fleetsim · \(e(diff.schema)) · reports \(e(diff.base.schema))</p></main></body></html>\n"
        return html
    }

    static func describe(_ run: ReportDiff.Run) -> String {
        "\(run.target), \(run.protocol), TLS \(run.tls), \(run.devices) devices, "
            + ISO8601DateFormatter().string(from: run.startedAt)
    }

    static func card(
        _ title: String,
        _ change: ReportDiff.Change,
        format: String,
        worseWhenHigher: Bool,
        points: Bool = false
    ) -> String {
        let value = change.new.map { String(format: format, $0) } ?? "—"
        var note = "base " + (change.base.map { String(format: format, $0) } ?? "—")
        var tone = ""
        if let delta = change.delta {
            note +=
                points
                ? String(format: ", %+.2fpp", delta)
                : change.relative.map { String(format: ", %+.1f%%", $0 * 100) } ?? ""
            if delta != 0 { tone = (delta > 0) == worseWhenHigher ? " failed" : " ok" }
        }
        return
            "<div class=\"card\(tone)\"><div class=\"k\">\(MarkupText.escape(title))</div><div class=\"v\">\(MarkupText.escape(value))</div><div class=\"n\">\(MarkupText.escape(note))</div></div>"
    }

    static func cells(_ change: ReportDiff.Change, _ format: String, worseWhenHigher: Bool) -> String {
        func cell(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "—" }
        let tone =
            change.delta.map { $0 == 0 ? "" : ($0 > 0) == worseWhenHigher ? " outcome-bad" : " outcome-ok" } ?? ""
        return "<td class=\"num\">\(cell(change.base, format))</td><td class=\"num\">\(cell(change.new, format))</td>"
            + "<td class=\"num\(tone)\">\(cell(change.delta, "%+" + format.dropFirst()))</td>"
            + "<td class=\"num\(tone)\">\(cell(change.relative.map { $0 * 100 }, "%+.1f%%"))</td>"
    }
}
