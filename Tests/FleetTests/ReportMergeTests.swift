import FleetCore
import FleetTestSupport
import Foundation
import Testing

@testable import Fleet

/// Merging shard reports is exact: random samples split across shards give the same percentiles
/// as the unsplit samples (a property, checked over many seeded random cases).
@Suite struct ReportMergeTests {
    static func report(_ histograms: PhaseHistograms, shard: String, devices: [String], start: Date) -> RunReport {
        RunReport.fixture(
            startedAt: start,
            shard: shard,
            devices: devices.map { RunReport.Device.ok($0) },
            histograms: histograms
        )
    }

    @Test(arguments: 0..<40)
    func mergedPercentilesEqualThoseOfOneRun(seed: Int) throws {
        var random = SplitMix(state: UInt64(seed) &* 7919 &+ 1)
        let shardCount = Int.random(in: 1...8, using: &random)
        let samples = (0..<Int.random(in: 1...3000, using: &random)).map { _ in
            // Latencies from 50 µs to 30 s on a log scale, as real runs have.
            pow(10, Double.random(in: -4.3...1.5, using: &random))
        }
        var whole = PhaseHistograms()
        var shards = Array(repeating: PhaseHistograms(), count: shardCount)
        for sample in samples {
            whole.record(.tlsHandshake, seconds: sample)
            shards[Int.random(in: 0..<shardCount, using: &random)].record(.tlsHandshake, seconds: sample)
        }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let reports = shards.enumerated().map { index, histograms in
            (
                source: "s\(index)",
                report: Self.report(
                    histograms,
                    shard: "\(index + 1)/\(shardCount)",
                    devices: ["d\(index)"],
                    start: start
                )
            )
        }
        let merged = try ReportMerge.merge(reports)
        #expect(merged.latencyMs["tlsHandshake"] == whole.summary(.tlsHandshake), "seed \(seed)")
        #expect(merged.counts.devices == shardCount)
        #expect(merged.devices.map(\.id) == (0..<shardCount).map { "d\($0)" }.sorted())
    }

    @Test func reportsThatAreNotShardsOfOneRunAreRefusedByCode() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let a = Self.report(PhaseHistograms(), shard: "1/2", devices: ["a"], start: start)
        let b = Self.report(PhaseHistograms(), shard: "2/2", devices: ["b"], start: start)
        var otherSchema = b
        otherSchema.schema = "fleetsim.report/0"
        var otherTarget = b
        otherTarget.target = "127.0.0.1:9999"
        let overlapping = Self.report(PhaseHistograms(), shard: "2/2", devices: ["a"], start: start)
        let cases: [([(source: String, report: RunReport)], ReportMerge.Refusal.Code)] = [
            ([], .noReports),
            ([("a", a), ("b", otherSchema)], .otherSchema),
            ([("a", a), ("b", otherTarget)], .otherRun),
            ([("a", a), ("a again", a)], .repeatedShard),
            ([("a", a), ("b", overlapping)], .overlappingDevices),
        ]
        for (reports, code) in cases {
            let refusal = #expect(throws: ReportMerge.Refusal.self) { try ReportMerge.merge(reports) }
            #expect(refusal?.code == code, "\(refusal?.description ?? "")")
        }
    }

    @Test func timelinesLineUpByStartSecond() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let a = Self.report(PhaseHistograms(), shard: "1/2", devices: ["a"], start: start)
        let b = Self.report(PhaseHistograms(), shard: "2/2", devices: ["b"], start: start.addingTimeInterval(2))
        let merged = try ReportMerge.merge([("a", a), ("b", b)])
        #expect(merged.timelineSeconds == [[1, 1, 0], [0, 0, 0], [1, 1, 0]])
        #expect(merged.durationSeconds == 4)
        #expect(merged.cpu.userSeconds == 2)
    }
}
