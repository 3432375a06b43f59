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
        HTMLReport.make(
            RunReport.fixture(interrupted: interrupted, devices: devices, histograms: Self.histograms(), gates: gates)
        )
    }

    static func count(_ text: String, in page: String) -> Int { page.components(separatedBy: text).count - 1 }

    /// A failed device's row: its id cell, then its outcome.
    static func row(_ escapedID: String) -> String {
        "<td><code>\(escapedID)</code></td><td><code class=\"outcome-bad\">"
    }

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
        #expect(Self.count("<svg", in: page) == 2, "the latency histogram and the timeline are inline SVG")
    }

    @Test func everyFailedDeviceIsListedOnceAndOKDevicesAreNot() {
        let page = Self.page([
            .ok("tcu-ok-1"), .ok("tcu-ok-2"), .failed("tcu-bad-1", .tcpRefused),
            .failed("tcu-bad-2", .rejected(.certificateExpired), alert: 45),
        ])
        #expect(Self.count(Self.row("tcu-bad-1"), in: page) == 1)
        #expect(Self.count(Self.row("tcu-bad-2"), in: page) == 1)
        #expect(!page.contains("tcu-ok-1") && !page.contains("tcu-ok-2"))
        #expect(
            Self.count("<code class=\"outcome-bad\">rejected:certificate-expired</code>", in: page) == 2,
            "in the outcomes and the device's row"
        )
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
        #expect(Self.count(Self.row("tcu-&lt;img src=x onerror=alert(1)&gt;&amp;co"), in: page) == 1)
        #expect(!page.contains("<img"))
        #expect(!page.contains("<b>"))
        #expect(page.contains("&lt;b&gt;bold&lt;/b&gt;"))
        #expect(page.contains("<code>code&lt;1&gt;</code> — a &amp; b"))
    }

    @Test func aLongListStopsAt2000Devices() {
        let devices = (0..<2003).map { RunReport.Device.failed(String(format: "tcu-%05d", $0), .tcpRefused) }
        let page = Self.page(devices)
        #expect(Self.count("</code></td><td><code class=\"outcome-bad\">", in: page) == 2000)
        #expect(page.contains("… 3 more in the JSON report"))
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
