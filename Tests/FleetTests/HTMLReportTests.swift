import FleetCore
import Foundation
import Testing

@testable import Fleet

/// The HTML report: one self-contained page (no scripts, nothing fetched), every failed device
/// listed once with its id escaped, the checks and an interruption shown.
@Suite struct HTMLReportTests {
    static func histograms() -> PhaseHistograms {
        var histograms = PhaseHistograms()
        for ms in [4.0, 5, 6, 12, 40] { histograms.record(.serverAccept, seconds: ms / 1000) }
        return histograms
    }

    static func page(_ devices: [RunReport.Device], gates: [RunReport.Gate] = [], interrupted: Bool = false) -> String {
        var report = RunReport.fixture(
            interrupted: interrupted,
            devices: devices,
            histograms: Self.histograms(),
            gates: gates
        )
        var windows = LatencyWindows()
        for (second, ms) in [(0, 4.0), (0, 6), (1, 12), (1, 40)] {
            windows.record(.tlsHandshake, seconds: ms / 1000, at: Double(second))
        }
        report.latencyOverTime = LatencyOverTime(windows)
        return HTMLReport.make(report)
    }

    static func count(_ text: String, in page: String) -> Int { page.components(separatedBy: text).count - 1 }

    /// A device id in a cause's list of devices.
    static func listed(_ escapedID: String) -> String { "<code class=\"id\">\(escapedID)</code>" }

    @Test func onePageWithNothingToRunOrFetch() {
        let page = Self.page([.ok("tcu-1"), .failed("tcu-2", .rejected(.unknownCA), alert: 48)])
        #expect(page.hasPrefix("<!doctype html>"))
        #expect(page.hasSuffix("</html>\n"))
        #expect(Self.count("<html", in: page) == 1 && Self.count("</html>", in: page) == 1)
        let lower = page.lowercased()
        #expect(lower.firstMatch(of: #/\son[a-z]+\s*=/#) == nil, "an event handler attribute")
        for forbidden in [
            "<script", "javascript:", "<link", "<iframe", "<img", "src=", "href=", "url(", "@import", "http://",
            "https://",
        ] {
            #expect(!lower.contains(forbidden), "the page contains '\(forbidden)'")
        }
        #expect(
            Self.count("<svg", in: page) == 6,
            "the histogram, latency over time and the timeline are inline SVG, each wide and narrow"
        )
    }

    @Test func everyCauseIsListedOnceWithItsDevicesAndOKDevicesAreNot() {
        let page = Self.page([
            .ok("tcu-ok-1"), .ok("tcu-ok-2"), .failed("tcu-bad-1", .tcpRefused),
            .failed("tcu-bad-2", .rejected(.certificateExpired), alert: 45),
            .failed("tcu-bad-3", .rejected(.certificateExpired), alert: 45),
        ])
        for id in ["tcu-bad-1", "tcu-bad-2", "tcu-bad-3"] { #expect(Self.count(Self.listed(id), in: page) == 1) }
        #expect(!page.contains("tcu-ok-1") && !page.contains("tcu-ok-2"))
        #expect(
            Self.count("<code class=\"outcome-bad\">rejected:certificate-expired</code>", in: page) == 2,
            "in the outcomes and once as a cause"
        )
        #expect(
            page.contains("<tr><td class=\"num\">2</td><td><code class=\"outcome-bad\">rejected:certificate-expired")
        )
        #expect(page.contains("(3 devices, 2 causes)"))
    }

    @Test func deviceIDsAndDiagnosesAreEscaped() {
        let id = "tcu-<img src=x onerror=alert(1)>&co"
        let device = RunReport.Device.failed(
            id,
            .protocolError,
            detail: "<b>bold</b>",
            diagnoses: [("code<1>", "a & b")]
        )
        let page = Self.page([device])
        #expect(Self.count(Self.listed("tcu-&lt;img src=x onerror=alert(1)&gt;&amp;co"), in: page) == 1)
        #expect(!page.contains("<img"))
        #expect(!page.contains("<b>"))
        #expect(page.contains("&lt;b&gt;bold&lt;/b&gt;"))
        #expect(page.contains("<code>code&lt;1&gt;</code> — a &amp; b"))
    }

    /// 3,000 identical failures are one line: the count, the cause once, the first ten ids.
    @Test func identicalFailuresAreOneCause() {
        let devices = (0..<3000).map { RunReport.Device.failed(String(format: "tcu-%05d", $0), .tcpRefused) }
        let page = Self.page(devices)
        #expect(page.contains("<tr><td class=\"num\">3000</td>"))
        #expect(Self.count(Self.listed("tcu-00009"), in: page) == 1)
        #expect(Self.count(Self.listed("tcu-00010"), in: page) == 0)
        #expect(page.contains("(3000 devices, 1 causes)"))
        #expect(page.utf8.count < 40_000, "the page stays small")
    }

    @Test func aLongListOfCausesStopsAt500() {
        let devices = (0..<503).map {
            RunReport.Device.failed(String(format: "tcu-%05d", $0), .tcpRefused, diagnoses: [("d\($0)", "x")])
        }
        #expect(Self.page(devices).contains("… 3 more causes in the JSON report"))
    }

    @Test func checksAndAnInterruptionAreShown() {
        let gates = [
            RunReport.Gate(name: "max-failure-rate", passed: true, detail: "ok"),
            RunReport.Gate(name: "expect", passed: false, detail: "1 device(s) differ"),
            RunReport.Gate(name: "complete", passed: false, detail: "the run was interrupted"),
        ]
        let page = Self.page([.ok("tcu-1")], gates: gates, interrupted: true)
        #expect(Self.count("class=\"gate-pass\"", in: page) == 1)
        #expect(Self.count("class=\"gate-fail\"", in: page) == 2)
        #expect(page.contains("<span class=\"interrupted\">"))
        let plain = Self.page([.ok("tcu-1")])
        #expect(!plain.contains("class=\"gate-pass\"") && !plain.contains("class=\"gate-fail\""))
        #expect(!plain.contains("<span class=\"interrupted\">"))
    }
}

/// The page's MQTT panel: publishes and reason codes by name, escaped.
@Suite struct HTMLMQTTPanelTests {
    @Test func reasonCodesAreListedByName() {
        var report = RunReport.fixture(interrupted: false, devices: [.ok("tcu-1")], histograms: PhaseHistograms())
        report.mqtt = RunReport.MQTT(
            version: "5",
            published: 10,
            publishesPerSecond: 2.5,
            acknowledged: 10,
            pubacks: ["not-authorized": 3, "success": 7],
            subscriptions: 1,
            subacks: ["granted-qos-1": 1],
            received: 0,
            serverDisconnects: ["session-taken-over": 1]
        )
        let page = HTMLReport.make(report)
        #expect(page.contains("<h2>MQTT 5</h2>"))
        #expect(page.contains("<td>10: success 7, not-authorized 3</td>"))
        #expect(page.contains("<td>session-taken-over 1</td>"))
        #expect(page.contains("<td>10 (2.5/s)</td>"))
        #expect(
            !HTMLReport.make(RunReport.fixture(interrupted: false, devices: [], histograms: PhaseHistograms()))
                .contains("<h2>MQTT")
        )
    }
}

/// The run parameters panel: every setting shown, merged shards that differ said so.
@Suite struct HTMLParametersPanelTests {
    static func report(shard: String, rate: Double) -> RunReport {
        var settings = RunSettings(host: "127.0.0.1", port: 8883)
        settings.rate = rate
        var report = RunReport.fixture(shard: shard, devices: [.ok("d-\(shard)")])
        report.parameters = RunParameters(
            settings: settings,
            tls: "1.3",
            devices: 1,
            fleetsimVersion: "9.9.9",
            arguments: ["--rate", "\(rate)", "--shard", shard]
        )
        return report
    }

    @Test func parametersAreShownAndShardsThatDifferAreNamed() throws {
        let one = Self.report(shard: "1/2", rate: 50)
        let page = HTMLReport.make(one)
        #expect(page.contains("<tr><th>fleetsim</th><td>9.9.9</td></tr>"))
        #expect(page.contains("<tr><th>rate</th><td>50 / s</td></tr>"))
        #expect(page.contains("<td>fleetsim run --rate 50.0</td>"), "the command line without --shard")

        let same = try ReportMerge.merge([("a", one), ("b", Self.report(shard: "2/2", rate: 50))])
        #expect(same.parameters?.differing == nil)
        #expect(same.parameters?.devices == 2)
        let differ = try ReportMerge.merge([("a", one), ("b", Self.report(shard: "2/2", rate: 80))])
        #expect(differ.parameters?.differing == ["arguments", "rate"])
        #expect(HTMLReport.make(differ).contains("<td>50 / s (differs between shards)</td>"))

        var old = Self.report(shard: "2/2", rate: 50)
        old.parameters = nil
        let mixed = try ReportMerge.merge([("a", one), ("b", old)])
        #expect(mixed.parameters?.differing == ["(shards without parameters)"])
        #expect(HTMLReport.make(old).contains("This report predates recorded parameters"))
    }

    @Test func tlsAndConnectionsPanelsComeFromTheJSON() {
        var report = RunReport.fixture(devices: [.ok("a")])
        report.connections = RunReport.Connections(
            attempts: 12,
            byKind: ["first": 10, "retry": 2],
            outcomes: ["ok": 10, "tcp-refused": 2],
            lost: 1,
            recovered: 1,
            recoverySeconds: 2.5,
            peakConnectRate: 40,
            peakReconnectRate: 20,
            resumption: .init(offered: 4, resumed: 3, rate: 0.75),
            clockFailures: 0,
            negotiated: ["TLS 1.3 TLS13-AES128-GCM-SHA256": 7, "TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256": 3],
            alpn: ["x-amzn-mqtt-ca": 10]
        )
        let page = HTMLReport.make(report)
        #expect(page.contains("<tr><th>versions negotiated</th><td>TLS 1.3 7, TLS 1.2 3</td></tr>"))
        #expect(page.contains("<td>TLS13-AES128-GCM-SHA256 7, ECDHE-ECDSA-AES128-GCM-SHA256 3</td>"))
        #expect(page.contains("<tr><th>resumption</th><td>3 of 4 offered (75.0%)</td></tr>"))
        #expect(page.contains("<tr><th>ALPN negotiated</th><td>x-amzn-mqtt-ca 10</td></tr>"))
        #expect(page.contains("<tr><th>attempts</th><td>12: first 10, retry 2</td></tr>"))
        #expect(page.contains("<tr><th>lost / recovered</th><td>1 / 1</td></tr>"))
        #expect(!HTMLReport.make(RunReport.fixture(devices: [])).contains("<h2>Connections and retries</h2>"))
    }
}
