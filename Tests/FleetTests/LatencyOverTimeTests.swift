import FleetCore
import FleetTestSupport
import Foundation
import Testing

@testable import Fleet

/// Latency over time: per-second percentiles within a bucket's width of the exact ones, bounded in
/// windows, and merged across shards exactly (the merge equals one run over the same samples).
@Suite struct LatencyOverTimeTests {
    /// The exact percentile (nearest rank) of `samples` in milliseconds.
    static func exact(_ percentile: Double, _ samples: [Double]) -> Double {
        let sorted = samples.sorted()
        let rank = max(1, Int((percentile / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[rank - 1] * 1000
    }

    @Test func perSecondPercentilesAreWithinTheBucketWidth() throws {
        var random = SplitMix(state: 17)
        var windows = LatencyWindows()
        var bySecond: [Int: [Double]] = [:]
        for _ in 0..<5000 {
            let second = Int.random(in: 0..<10, using: &random)
            // The backend degrades: later seconds are slower.
            let sample = pow(10, Double.random(in: -3...(-2), using: &random)) * Double(second + 1)
            windows.record(.tlsHandshake, seconds: sample, at: Double(second) + 0.5)
            bySecond[second, default: []].append(sample)
        }
        let report = LatencyOverTime(windows)
        let entries = try #require(report.phases["tlsHandshake"])
        #expect(entries.map(\.at) == Array(0..<10))
        for entry in entries {
            let samples = bySecond[entry.at]!
            #expect(entry.count == samples.count)
            for (name, value, percentile) in [("p50", entry.p50, 50.0), ("p90", entry.p90, 90), ("p99", entry.p99, 99)]
            {
                let exact = Self.exact(percentile, samples)
                #expect(abs(value - exact) / exact < 0.021, "second \(entry.at) \(name): \(value) vs \(exact)")
            }
        }
        #expect(entries.last!.p50 > entries.first!.p50 * 5, "the trend shows")
    }

    @Test func aLongRunWidensItsWindowsAndStaysBounded() throws {
        var windows = LatencyWindows()
        for second in stride(from: 0, to: 3600, by: 1) {
            windows.record(.serverAccept, seconds: 0.01, at: Double(second))
        }
        let report = LatencyOverTime(windows)
        #expect(report.windowSeconds == 8, "3,600 s in at most 600 windows of a power of two")
        let entries = try #require(report.phases["serverAccept"])
        #expect(entries.count == 450)
        #expect(entries.allSatisfy { $0.count == 8 })
        #expect(entries.map(\.count).reduce(0, +) == 3600, "nothing lost when windows widen")
    }

    /// Shards that started at different seconds add up to the windows one process would have had.
    @Test(arguments: 0..<20)
    func mergedWindowsEqualThoseOfOneRun(seed: Int) throws {
        var random = SplitMix(state: UInt64(seed) &* 104_729 &+ 3)
        let shardCount = Int.random(in: 1...5, using: &random)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let offsets = (0..<shardCount).map { _ in Int.random(in: 0...3, using: &random) }
        var whole = LatencyWindows()
        var shards = Array(repeating: LatencyWindows(), count: shardCount)
        for _ in 0..<Int.random(in: 1...2000, using: &random) {
            let shard = Int.random(in: 0..<shardCount, using: &random)
            let at = Double.random(in: 0..<20, using: &random)
            let sample = pow(10, Double.random(in: -4...0.5, using: &random))
            shards[shard].record(.tlsHandshake, seconds: sample, at: at)
            whole.record(.tlsHandshake, seconds: sample, at: at + Double(offsets[shard]))
        }
        let reports = shards.enumerated().map { index, windows in
            var report = RunReport.fixture(
                startedAt: start.addingTimeInterval(Double(offsets[index])),
                shard: "\(index + 1)/\(shardCount)",
                devices: [.ok("d\(index)")]
            )
            report.latencyOverTime = LatencyOverTime(windows)
            return (source: "s\(index)", report: report)
        }
        let merged = try ReportMerge.merge(reports)
        let earliest = offsets.min()!
        var expected = LatencyWindows()
        expected.merge(whole, offset: -earliest)
        #expect(merged.latencyOverTime == LatencyOverTime(expected), "seed \(seed)")
    }

    @Test func theJSONRoundTripsAndOldReportsHaveNone() throws {
        var windows = LatencyWindows()
        windows.record(.tcpConnect, seconds: 0.002, at: 0.1)
        windows.record(.tcpConnect, seconds: 0.004, at: 1.1)
        var report = RunReport.fixture(devices: [.ok("a")])
        report.latencyOverTime = LatencyOverTime(windows)
        let read = try ReportMerge.read(try RunReportBuilder.encode(report))
        #expect(read.latencyOverTime == report.latencyOverTime)
        #expect(read.latencyOverTime?.windows == windows)

        var json = try #require(
            try JSONSerialization.jsonObject(with: RunReportBuilder.encode(report)) as? [String: Any]
        )
        json["latencyOverTime"] = nil
        json["parameters"] = nil
        let old = try ReportMerge.read(try JSONSerialization.data(withJSONObject: json))
        #expect(old.latencyOverTime == nil && old.parameters == nil)
        #expect(HTMLReport.make(old).contains("No latency over time in this report"))
    }

    /// Hand-edited buckets are skipped, never a crash.
    @Test func malformedBucketsAreSkipped() {
        let entry = LatencyOverTime.Window(
            at: 0,
            count: 1,
            p50: 1,
            p90: 1,
            p99: 1,
            buckets: "12:3 x:1 5 -1:2 99999:1 7:-4 200:1"
        )
        let report = LatencyOverTime(windowSeconds: Int.max, bucketRatio: 1.04, phases: ["tlsHandshake": [entry]])
        let windows = report.windows
        #expect(windows.windows[.tlsHandshake]?[0] == [12: 3, 200: 1])
    }
}
