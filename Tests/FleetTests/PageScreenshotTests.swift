import FleetCore
import FleetTestSupport
import Foundation
import Testing

@testable import Fleet

/// The page in a real browser: headless Chromium (Debian's `chromium`, which `make test` installs)
/// renders it at 1280 px and at 390 px (a phone), light and dark, through
/// `scripts/page-geometry.py` (the DevTools protocol over a pipe: the page itself stays
/// script-free). No chart label may leave its SVG's viewBox or the viewport, render under 9 px or
/// overlap another label, and no panel may cut its content off. The PNGs are kept in
/// `.build/artifacts/report-screenshots/` for CI to publish.
@Suite(.serialized) struct PageScreenshotTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let screenshots = Self.root.appendingPathComponent(".build/artifacts/report-screenshots")
    static let chromium = "/usr/bin/chromium"

    /// The cases that broke labels before: a p99 at the slowest sample (its marker at the right
    /// edge), long device ids, a run of one second, an hour-long run, an MQTT run.
    static func edgeReport() -> RunReport {
        var histograms = PhaseHistograms()
        for ms in [3.0, 3.1, 3.2, 3.3, 900] { histograms.record(.serverAccept, seconds: ms / 1000) }
        let longID = "vehicle-telematics-unit-eu-west-1-production-0000000000001"
        var report = RunReport.fixture(
            devices: [
                .failed(longID, .rejected(.certificateExpired), alert: 45, diagnoses: [("expired", "expired")]),
                .failed(longID + "2", .rejected(.certificateExpired), alert: 45, diagnoses: [("expired", "expired")]),
            ],
            histograms: histograms
        )
        var windows = LatencyWindows()
        windows.record(.tlsHandshake, seconds: 0.9, at: 0)
        report.latencyOverTime = LatencyOverTime(windows)
        return report
    }

    static func longRun() -> RunReport {
        var report = SyntheticReport.make(devices: 36_000, failureShare: 0.05, rate: 10)
        report.protocol = "mqtt"
        report.histograms["mqttConnack"] = report.histograms["serverAccept"]
        report.latencyMs["mqttConnack"] = report.latencyMs["serverAccept"]
        report.mqtt = RunReport.MQTT(
            version: "5",
            published: 36_000,
            acknowledged: 36_000,
            pubacks: ["success": 36_000],
            subscriptions: 0,
            subacks: [:],
            received: 0,
            serverDisconnects: [:]
        )
        return report
    }

    @Test(arguments: ["synthetic-100000", "edge-cases", "one-hour-mqtt"])
    func noLabelIsCutOffOverlappedOrTooSmall(name: String) async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.chromium),
            "headless Chromium is missing: `make test` installs Debian's chromium"
        )
        let report =
            switch name {
            case "edge-cases": Self.edgeReport()
            case "one-hour-mqtt": Self.longRun()
            default: SyntheticReport.make(devices: 100_000, failureShare: 0.3)
            }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let page = try directory.write("\(name).html", HTMLReport.make(report))
        let result = try await ForeignProcess.run(
            "python3",
            [
                Self.root.appendingPathComponent("scripts/page-geometry.py").path, "--chromium", Self.chromium,
                "--page", page, "--out", Self.screenshots.path,
            ],
            in: directory,
            timeout: .seconds(120)
        )
        #expect(result.status == 0, "\(result.stderr)")
        let measured = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]],
            "page-geometry.py printed no measurements: \(result.stderr)"
        )
        #expect(measured.count == 4, "1280 and 390 px, light and dark")
        for (shot, values) in measured {
            #expect((values["texts"] as? Int ?? 0) >= 10, "\(shot): the charts' labels were measured")
            let problems = values["problems"] as? [[String: Any]] ?? [{ ["kind": "unreadable"] }()]
            #expect(problems.isEmpty, "\(shot): \(problems.prefix(8))")
            let png = try #require(values["screenshot"] as? String)
            #expect((try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0 > 10_000)
        }
    }
}
