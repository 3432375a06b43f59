import FleetCore
import Foundation
import Testing

@testable import Fleet

/// `report diff` on reports made in code: percentile changes, outcome counts, the devices whose
/// outcome changed (including unlisted devices of complete and incomplete runs), the settings
/// that differ, refusals, and the JSON and HTML forms.
@Suite struct ReportDiffTests {
    /// Every accepted device took `acceptMs` to the server's verdict.
    static func histograms(acceptMs: [Double]) -> PhaseHistograms {
        var histograms = PhaseHistograms()
        for ms in acceptMs { histograms.record(.serverAccept, seconds: ms / 1000) }
        return histograms
    }

    static let expired = Outcome.rejected(.certificateExpired)

    /// A fleet of 10: the devices listed did not end ok, the others did.
    static func fleetOf10(_ report: RunReport) -> RunReport {
        var report = report
        report.counts.devices = 10
        report.counts.attempted = 10
        report.counts.succeeded = 10 - report.counts.failed
        return report
    }

    static var base: RunReport {
        Self.fleetOf10(
            RunReport.fixture(
                devices: [
                    .failed("d-3", expired, alert: 45, detail: "expired", diagnoses: [("expired", "it expired")]),
                    .failed("d-4", .tcpRefused),
                ],
                histograms: Self.histograms(acceptMs: Array(repeating: 10, count: 100))
            )
        )
    }

    static var slower: RunReport {
        var report = Self.fleetOf10(
            RunReport.fixture(
                devices: [
                    .failed("d-1", expired, alert: 45, detail: "expired now", diagnoses: [("expired", "it expired")]),
                    .failed("d-3", expired, alert: 45, detail: "expired", diagnoses: [("expired", "it expired")]),
                    .failed("d-4", .handshakeTimeout),
                ],
                histograms: Self.histograms(acceptMs: Array(repeating: 20, count: 100))
            )
        )
        report.cpu.microsPerHandshake = 300
        return report
    }

    @Test func percentilesChangeAbsolutelyAndRelatively() throws {
        var base = Self.base
        base.cpu.microsPerHandshake = 200
        let diff = try ReportDiff.make(base: base, new: Self.slower)
        let p99 = try #require(diff.latencyMs["serverAccept"]?["p99"])
        #expect(abs((p99.base ?? 0) - 10) < 0.05)
        #expect(abs((p99.new ?? 0) - 20) < 0.05)
        #expect(abs((p99.delta ?? 0) - 10) < 0.1)
        #expect(abs((p99.relative ?? 0) - 1.0) < 0.01)
        #expect(diff.latencyMs["tcpConnect"] == nil, "a phase in neither run is left out")
        #expect(diff.cpuMicrosPerHandshake.relative == 0.5)
        #expect(diff.failureRate.base == 0.2)
        #expect(diff.failureRate.new == 0.3)
    }

    @Test func outcomeCountsIncludeOk() throws {
        let diff = try ReportDiff.make(base: Self.base, new: Self.slower)
        #expect(diff.outcomes["ok"] == .init(base: 8, new: 7, delta: -1))
        #expect(diff.outcomes["tcp-refused"] == .init(base: 1, new: 0, delta: -1))
        #expect(diff.outcomes["handshake-timeout"] == .init(base: 0, new: 1, delta: 1))
        #expect(diff.outcomes[Self.expired.identifier] == .init(base: 1, new: 2, delta: 1))
    }

    /// d-1 was unlisted in a complete run (ok) and is now rejected; d-4 failed differently; d-3 is
    /// unchanged; a device fixed since appears as fixed.
    @Test func devicesWhoseOutcomeChangedAreListedWithTheNewDiagnosis() throws {
        var new = Self.slower
        new.devices.removeAll { $0.id == "d-3" }
        let diff = try ReportDiff.make(base: Self.base, new: new)
        #expect(diff.devicesChanged.map(\.id) == ["d-1", "d-4", "d-3"])
        #expect(diff.devicesChanged.map(\.kind) == ["regressed", "changed", "fixed"])
        let d1 = diff.devicesChanged[0]
        #expect(d1.base == "ok")
        #expect(d1.new == Self.expired.identifier)
        #expect(d1.detail == "expired now")
        #expect(d1.diagnosis == ["expired"])
        #expect(diff.devicesChanged[2].new == "ok")
        #expect(diff.devicesChanged[2].diagnosis.isEmpty)
    }

    /// Unlisted in an interrupted run, a device's outcome is unknown: no change is claimed.
    @Test func unlistedDevicesOfAnInterruptedRunAreNotClaimedOk() throws {
        var new = Self.slower
        new.interrupted = true
        new.devices.removeAll { $0.id == "d-3" }
        let diff = try ReportDiff.make(base: Self.base, new: new)
        #expect(!diff.devicesChanged.contains { $0.id == "d-3" })
        #expect(diff.devicesChanged.contains { $0.id == "d-1" }, "d-1 was unlisted in a complete base: ok")
    }

    /// A device not listed in a report of a bigger fleet may not have been in the other run, and
    /// a report that lists every device lists them all: no change is claimed for either.
    @Test func unlistedDevicesOfAnotherFleetAreNotClaimedOk() throws {
        var bigger = Self.slower
        bigger.counts.devices = 11
        #expect(try ReportDiff.make(base: Self.base, new: bigger).devicesChanged.map(\.id) == ["d-4"])
        var everyDevice = Self.base
        everyDevice.counts.devices = 2
        var new = Self.slower
        new.counts.devices = 2
        #expect(try ReportDiff.make(base: everyDevice, new: new).devicesChanged.map(\.id) == ["d-4"])
    }

    @Test func differentSettingsAndParametersAreNamed() throws {
        let other = RunReport.fixture(target: "127.0.0.1:9999", protocol: .mqtt, devices: [])
        let diff = try ReportDiff.make(
            base: Self.base,
            new: other,
            parameters: (
                ["rate": "100", "groups": "[]", "arguments": "[\"--json\",\"a.json\"]", "target": "\"a\""],
                [
                    "rate": "200", "groups": "[]", "arguments": "[\"--json\",\"b.json\"]", "target": "\"b\"",
                    "ciphers": "\"x\"",
                ]
            )
        )
        #expect(diff.differences.map(\.name) == ["target", "protocol", "parameters.ciphers", "parameters.rate"])
        #expect(diff.differences.last == .init(name: "parameters.rate", base: "100", new: "200"))
        let same = try ReportDiff.make(base: Self.base, new: Self.base, parameters: (["rate": "1"], nil))
        #expect(same.differences.isEmpty, "parameters are compared only when both reports have them")
    }

    @Test func reportsOfAnotherSchemaAreRefused() {
        var future = Self.slower
        future.schema = "fleetsim.report/2"
        #expect {
            _ = try ReportDiff.make(base: Self.base, new: future)
        } throws: { error in
            (error as? ReportDiff.Refusal)?.code == .otherSchema
        }
    }

    @Test func parametersAreFlattenedFromTheRawJSON() throws {
        let json = #"{"schema":"fleetsim.report/1","parameters":{"rate":5,"tls":{"versions":["1.3"]},"profile":null}}"#
        let flat = try #require(ReportParameters.flattened(Data(json.utf8)))
        #expect(flat == ["rate": "5", "tls.versions": "[\"1.3\"]", "profile": "null"])
        #expect(ReportParameters.flattened(Data(#"{"schema":"x"}"#.utf8)) == nil)
    }

    @Test func theJSONFormRoundTripsUnderItsSchema() throws {
        let diff = try ReportDiff.make(base: Self.base, new: Self.slower)
        let data = try RunReportBuilder.encode(diff)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schema"] as? String == "fleetsim.diff/1")
        for key in [
            "base", "new", "differences", "latencyMs", "rates", "cpuMicrosPerHandshake", "failureRate",
            "outcomes", "devicesChanged", "gates",
        ] {
            #expect(object[key] != nil, "\(key)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let back = try decoder.decode(ReportDiff.self, from: data)
        #expect(back.devicesChanged == diff.devicesChanged)
    }

    /// One file, no scripts, nothing fetched; hostile device ids are escaped; a dark palette exists.
    @Test func thePageIsSelfContainedAndEscaped() throws {
        var new = Self.slower
        new.devices.append(.failed("<script>alert(1)</script>", .tcpRefused))
        let page = DiffHTML.make(try ReportDiff.make(base: Self.base, new: new))
        #expect(!page.contains("<script"))
        #expect(page.contains("&lt;script&gt;"))
        #expect(!page.contains("src=") && !page.contains("href="))
        #expect(page.contains("prefers-color-scheme: dark"))
        #expect(page.contains("d-1"))
    }
}
