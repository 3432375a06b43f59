import FleetCore
import Foundation

/// The page's tables of facts: run parameters, TLS, connections and retries, MQTT. Each is a
/// two-column table of (what, value) rows built only from the JSON report, and each leaves out
/// rows the report has no data for (older reports, `tls` mode) rather than printing zeros.
enum ReportPanels {
    /// A panel titled `title` of `(name, value)` rows; values are escaped here.
    static func table(_ title: String, id: String, _ rows: [(String, String)], note: String? = nil) -> String {
        guard !rows.isEmpty else { return "" }
        var html = "<section class=\"facts\" id=\"\(id)\"><h2>\(MarkupText.escape(title))</h2><div class=\"panel\">"
        if let note { html += "<p class=\"diag\">\(MarkupText.escape(note))</p>" }
        html += "<table class=\"kv\">\n"
        for (name, value) in rows {
            html += "<tr><th>\(MarkupText.escape(name))</th><td>\(MarkupText.escape(value))</td></tr>\n"
        }
        return html + "</table></div></section>\n"
    }

    /// `a 7, b 3`: largest first, ties by name.
    static func counts(_ values: [String: Int]) -> String {
        values.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func seconds(_ value: Double?) -> String? { value.map { DurationText.format($0) } }

    /// What `run` was given: pacing, the profile, TLS offered, versions.
    static func parameters(_ report: RunReport) -> String {
        guard let p = report.parameters else {
            return table(
                "Run parameters",
                id: "parameters",
                [("target", report.target), ("protocol", report.protocol), ("TLS versions", report.tls)],
                note: "This report predates recorded parameters: only its target and TLS setting are known."
            )
        }
        let differing = Set(p.differing ?? [])
        func mark(_ key: String, _ text: String) -> String {
            differing.contains(key) ? "\(text) (differs between shards)" : text
        }
        var rows: [(String, String)] = [
            ("fleetsim", mark("fleetsimVersion", p.fleetsimVersion)),
            (
                "wolfSSL",
                mark("wolfSSLVersion", p.wolfSSLVersion) + ", " + mark("wolfSSLBuild", "\(p.wolfSSLBuild) build")
            ),
            ("target", mark("target", p.target) + " (server name " + mark("serverName", p.serverName) + ")"),
            ("protocol", mark("protocol", p.protocol + (p.mqttVersion.map { " \($0)" } ?? ""))),
            ("profile", mark("profile", p.profile)),
            ("devices", "\(p.devices)"),
            ("rate", mark("rate", p.rate.map { "\(ChartLayout.count($0)) / s" } ?? "as fast as allowed")),
        ]
        if let ramp = seconds(p.rampSeconds) { rows.append(("ramp", mark("rampSeconds", ramp))) }
        rows.append(("concurrency", mark("concurrency", p.concurrency.map(String.init) ?? "unlimited")))
        if let duration = seconds(p.durationSeconds) { rows.append(("duration", mark("durationSeconds", duration))) }
        if let hold = seconds(p.holdSeconds) { rows.append(("hold", mark("holdSeconds", hold))) }
        rows += [
            ("TLS versions", mark("tlsVersions", p.tlsVersions)),
            ("groups offered", mark("groups", p.groups.joined(separator: ", "))),
            ("cipher suites offered", mark("cipherSuites", p.cipherSuites ?? "wolfSSL's defaults")),
            ("resumption", mark("resumption", p.resumption)),
            ("ALPN offered", mark("alpn", p.alpn?.joined(separator: ", ") ?? "none")),
            ("OCSP stapling", mark("ocsp", p.ocsp)),
            ("accepted when", mark("accept", p.accept)),
            (
                "retries",
                mark("retries", "\(p.retries)") + (p.retryRejected ? ", rejected devices too" : "") + "; "
                    + mark("backoff", p.backoff)
            ),
        ]
        if p.churnConnections > 1 {
            rows.append(("churn", mark("churnConnections", "\(p.churnConnections) connections")))
        }
        if let clock = p.clock { rows.append(("device clock", mark("clock", clock))) }
        rows.append(("started", ISO8601DateFormatter().string(from: report.startedAt)))
        rows.append(("command", mark("arguments", (["fleetsim", "run"] + p.arguments).joined(separator: " "))))
        let note = differing.isEmpty ? nil : "The shards differ in: \(differing.sorted().joined(separator: ", "))."
        return table("Run parameters", id: "parameters", rows, note: note)
    }

    /// What the handshakes negotiated: versions and suites, resumption, ALPN, client certificates,
    /// OCSP staples.
    static func tls(_ report: RunReport) -> String {
        var rows: [(String, String)] = []
        let links = report.connections
        if let negotiated = links?.negotiated, !negotiated.isEmpty {
            var versions: [String: Int] = [:]
            var suites: [String: Int] = [:]
            for (key, count) in negotiated {
                // "TLS 1.3 TLS13-AES128-GCM-SHA256": the version, then the suite.
                let words = key.split(separator: " ", maxSplits: 2).map(String.init)
                versions[words.prefix(2).joined(separator: " "), default: 0] += count
                suites[words.count > 2 ? words[2] : key, default: 0] += count
            }
            rows.append(("versions negotiated", counts(versions)))
            rows.append(("cipher suites negotiated", counts(suites)))
        }
        if let offered = report.parameters?.cipherSuites { rows.append(("cipher suites offered", offered)) }
        if let groups = report.parameters?.groups { rows.append(("groups offered", groups.joined(separator: ", "))) }
        if let groups = links?.groups, !groups.isEmpty { rows.append(("groups negotiated", counts(groups))) }
        if let resumption = links?.resumption, resumption.offered > 0 {
            rows.append(
                (
                    "resumption",
                    "\(resumption.resumed) of \(resumption.offered) offered"
                        + (resumption.rate.map { String(format: " (%.1f%%)", $0 * 100) } ?? "")
                )
            )
        }
        if let alpn = links?.alpn, !alpn.isEmpty { rows.append(("ALPN negotiated", counts(alpn))) }
        if let none = links?.withoutALPN { rows.append(("ALPN offered, none chosen", "\(none)")) }
        if let without = links?.withoutClientCertificate, without > 0 {
            rows.append(("accepted without a client certificate asked", "\(without)"))
        }
        if let silent = links?.acceptedBySilence, silent > 0 { rows.append(("accepted by silence", "\(silent)")) }
        let staples = report.devices.reduce(into: [String: Int]()) { total, device in
            if let staple = device.ocspStaple { total[staple, default: 0] += 1 }
        }
        if !staples.isEmpty { rows.append(("OCSP staples (devices listed)", counts(staples))) }
        let note =
            rows.isEmpty
            ? nil : "Counts are of accepted connections, except OCSP: of the devices this report lists."
        return table("TLS", id: "tls", rows, note: note)
    }

    /// Every connection of every device: attempts by kind, outcomes, losses, recoveries, storms.
    static func connections(_ report: RunReport) -> String {
        guard let c = report.connections else { return "" }
        var rows: [(String, String)] = [
            ("attempts", "\(c.attempts)" + (c.byKind.isEmpty ? "" : ": \(counts(c.byKind))")),
            ("connection outcomes", counts(c.outcomes)),
            ("peak connect rate", String(format: "%.0f / s (busiest 100 ms)", c.peakConnectRate)),
        ]
        if c.peakReconnectRate > 0 {
            rows.append(("peak retry + reconnect rate", String(format: "%.0f / s", c.peakReconnectRate)))
        }
        if c.lost > 0 || c.recovered > 0 {
            rows.append(("lost / recovered", "\(c.lost) / \(c.recovered)"))
        }
        if let recovery = c.recoverySeconds { rows.append(("recovery", String(format: "%.2f s", recovery))) }
        if let refused = c.refusedAfterLoss, !refused.isEmpty {
            rows.append(("refused on the way back", counts(refused)))
        }
        if c.clockFailures > 0 { rows.append(("refused by their own clock", "\(c.clockFailures)")) }
        return table("Connections and retries", id: "connections", rows)
    }

    /// MQTT traffic: publishes and their rate, and every reason code counted by name.
    static func mqtt(_ mqtt: RunReport.MQTT) -> String {
        var rows: [(String, String)] = [
            ("published", "\(mqtt.published)" + (mqtt.publishesPerSecond.map { String(format: " (%.1f/s)", $0) } ?? ""))
        ]
        if mqtt.acknowledged > 0 { rows.append(("PUBACK", "\(mqtt.acknowledged): \(counts(mqtt.pubacks))")) }
        if mqtt.subscriptions > 0 { rows.append(("SUBACK", "\(mqtt.subscriptions): \(counts(mqtt.subacks))")) }
        if mqtt.received > 0 { rows.append(("received from the server", "\(mqtt.received)")) }
        if !mqtt.serverDisconnects.isEmpty { rows.append(("server DISCONNECT", counts(mqtt.serverDisconnects))) }
        return table("MQTT \(mqtt.version)", id: "mqtt", rows)
    }
}
