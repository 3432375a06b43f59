import FleetCore
import Foundation
import Testing

@testable import Fleet

/// The page of a big run stays small: failures are grouped by cause, long runs are drawn in
/// bounded windows, so 100,000 devices with 30% failing make a page of tens of KB, not one row
/// per device. The reports and pages are kept in `.build/artifacts/report-pages/` (the figures in
/// the README come from them: `fleetsim report html` is timed on the 50,000-device merged one).
@Suite struct PageWeightTests {
    static let artifacts = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/artifacts/report-pages")

    static func keep(_ report: RunReport, page: String, as name: String) throws {
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        try RunReportBuilder.encode(report).write(to: Self.artifacts.appendingPathComponent("\(name).json"))
        try Data(page.utf8).write(to: Self.artifacts.appendingPathComponent("\(name).html"))
    }

    @Test(arguments: [(10_000, 0.0), (10_000, 0.3), (100_000, 0.3)])
    func theGroupedPageStaysSmall(devices: Int, failureShare: Double) throws {
        let report = SyntheticReport.make(devices: devices, failureShare: failureShare)
        let page = HTMLReport.make(report)
        try Self.keep(report, page: page, as: "run-\(devices)-\(Int(failureShare * 100))pct")
        #expect(page.utf8.count < 120_000, "\(devices) devices, \(failureShare): \(page.utf8.count) bytes")
        #expect(page.contains("(\(report.counts.failed) devices, 6 causes)") || failureShare == 0)
        #expect(page.contains("<h2>Run parameters</h2>") && page.contains("<h2>TLS</h2>"))
    }

    /// Two 25,000-device shards merged: the merged page has one set of parameters and the latency
    /// over time of both.
    @Test func aMergedFiftyThousandDeviceReport() throws {
        let shards = (1...2).map { index in
            (
                source: "shard\(index).json",
                report: SyntheticReport.make(
                    devices: 25_000,
                    failureShare: 0.3,
                    rate: 500,
                    idPrefix: "s\(index)",
                    shard: "\(index)/2",
                    seed: UInt64(index)
                )
            )
        }
        let merged = try ReportMerge.merge(shards)
        #expect(merged.parameters?.differing == nil, "shards of one run differ only in --shard")
        #expect(merged.parameters?.devices == 50_000)
        let handshakes = try #require(merged.latencyOverTime?.phases["tlsHandshake"])
        #expect(handshakes.map(\.count).reduce(0, +) == merged.latencyMs["tlsHandshake"]?.count)
        try Self.keep(merged, page: HTMLReport.make(merged), as: "merged-50000-30pct")
        for (source, shard) in shards {
            try Self.keep(shard, page: HTMLReport.make(shard), as: source.replacingOccurrences(of: ".json", with: ""))
        }
    }
}
