import FleetCore
import Foundation
import Testing

@testable import Fleet

/// `--max-regression`: the grammar (metrics, units, bounds, refusals by code) and the gates judged
/// on a diff — inclusive limits, the direction of each metric, and failing closed on missing figures.
@Suite struct RegressionGatesTests {
    @Test func aSpecListsMetricsWithTheirUnits() throws {
        let limits = try RegressionLimits(
            "p99=10%, tlsHandshake.p50=5ms,failureRate=0.5pp,cpuPerHandshake=15%,rate=20%"
        )
        #expect(
            limits.entries.map(\.metric) == [
                .latency(phase: nil, percentile: "p99"), .latency(phase: .tlsHandshake, percentile: "p50"),
                .failureRate, .cpuPerHandshake, .rate,
            ]
        )
        #expect(
            limits.entries.map(\.limit) == [
                .percent(10), .milliseconds(5), .points(0.5), .percent(15), .percent(20),
            ]
        )
    }

    @Test(arguments: [
        ("", RegressionLimits.ParseError.Code.malformed),
        ("p99", .malformed),
        ("p99=", .malformed),
        ("=10%", .malformed),
        ("p99=10%,", .malformed),
        ("p99=-5%", .malformed),
        ("p99=nan%", .malformed),
        ("p99=1e3%", .malformed),
        ("p99=0x10%", .malformed),
        ("p99=1.2.3%", .malformed),
        ("p98=10%", .unknownMetric),
        ("latency=10%", .unknownMetric),
        ("handshake.p99=10%", .unknownMetric),
        ("a.b.p99=10%", .unknownMetric),
        ("failureRate=5%", .wrongUnit),
        ("cpuPerHandshake=3ms", .wrongUnit),
        ("p99=10", .wrongUnit),
        ("p99=10s", .wrongUnit),
        ("rate=1pp", .wrongUnit),
        ("p99=1001%", .outOfRange),
        ("rate=101%", .outOfRange),
        ("failureRate=100.5pp", .outOfRange),
        ("p99=3600001ms", .outOfRange),
        ("p99=99999999999999999999%", .malformed),
        ("p99=10%,p99=5ms", .repeated),
        ("serverAccept.p99=1%,serverAccept.p99=2%", .repeated),
    ])
    func badSpecsAreRefusedByCode(spec: String, code: RegressionLimits.ParseError.Code) {
        #expect {
            _ = try RegressionLimits(spec)
        } throws: { error in
            (error as? RegressionLimits.ParseError)?.code == code
        }
    }

    @Test func tooManyEntriesAreRefused() {
        let spec = (0..<33).map { _ in "p99=1%" }.joined(separator: ",")
        #expect(throws: RegressionLimits.ParseError.self) { try RegressionLimits(spec) }
    }

    /// p99 10 ms → 20 ms: +100 %, +10 ms.
    static func diff(base: [Double], new: [Double], failedBase: Int = 0, failedNew: Int = 0) throws -> ReportDiff {
        func report(_ acceptMs: [Double], failed: Int, cpu: Double) -> RunReport {
            var report = RunReport.fixture(
                devices: (0..<failed).map { .failed("f-\($0)", .tcpRefused) },
                histograms: ReportDiffTests.histograms(acceptMs: acceptMs)
            )
            report.counts.succeeded = acceptMs.count
            report.cpu.microsPerHandshake = cpu
            report.rates.handshakesPerSecond = Double(acceptMs.count)
            return report
        }
        return try ReportDiff.make(
            base: report(base, failed: failedBase, cpu: 100),
            new: report(new, failed: failedNew, cpu: 115)
        )
    }

    static func judge(_ spec: String, _ diff: ReportDiff) throws -> [String: Bool] {
        let gates = try RegressionLimits(spec).gates(diff)
        return Dictionary(uniqueKeysWithValues: gates.map { ($0.name, $0.passed) })
    }

    @Test(arguments: [
        ("p99=100%", true), ("p99=99%", false), ("p99=10ms", true), ("p99=9.9ms", false),
        ("serverAccept.p99=100%", true), ("p50=50%", false),
    ])
    func latencyLimitsAreInclusive(spec: String, passes: Bool) throws {
        let diff = try Self.diff(base: Array(repeating: 10, count: 100), new: Array(repeating: 20, count: 100))
        let gates = try Self.judge(spec, diff)
        #expect(gates.count == 1)
        #expect(gates.values.first == passes, "\(spec)")
    }

    @Test func fasterIsNeverARegression() throws {
        let diff = try Self.diff(base: Array(repeating: 20, count: 100), new: Array(repeating: 10, count: 100))
        #expect(try Self.judge("p99=0%,p50=0ms", diff) == ["max-regression:p99": true, "max-regression:p50": true])
    }

    /// 1 of 100 → 3 of 100 failed: +2 percentage points (1 % → 3 %).
    @Test func failureRateIsJudgedInPercentagePoints() throws {
        let diff = try Self.diff(
            base: Array(repeating: 10, count: 99),
            new: Array(repeating: 10, count: 97),
            failedBase: 1,
            failedNew: 3
        )
        #expect(try Self.judge("failureRate=2pp", diff) == ["max-regression:failureRate": true])
        #expect(try Self.judge("failureRate=1.9pp", diff) == ["max-regression:failureRate": false])
    }

    /// CPU per handshake 100 → 115 µs (+15 %); verdicts/s 100 → 80 (a 20 % fall).
    @Test func cpuRisesAndRateFalls() throws {
        let diff = try Self.diff(base: Array(repeating: 10, count: 100), new: Array(repeating: 10, count: 80))
        #expect(
            try Self.judge("cpuPerHandshake=15%,rate=20%", diff) == [
                "max-regression:cpuPerHandshake": true, "max-regression:rate": true,
            ]
        )
        #expect(
            try Self.judge("cpuPerHandshake=14%,rate=19%", diff) == [
                "max-regression:cpuPerHandshake": false, "max-regression:rate": false,
            ]
        )
    }

    /// No device accepted in the new run: no p99 to show it is no worse, so the gate fails.
    @Test func aMissingFigureFailsClosed() throws {
        let diff = try Self.diff(base: Array(repeating: 10, count: 100), new: [], failedNew: 5)
        #expect(try Self.judge("p99=1000%", diff) == ["max-regression:p99": false])
        let noBase = try Self.diff(base: [], new: Array(repeating: 10, count: 10), failedBase: 5)
        #expect(try Self.judge("p99=1000%", noBase) == ["max-regression:p99": false])
    }

    /// `p99` without a phase is CONNACK in an MQTT run.
    @Test func p99IsTheTimeToCONNACKInMQTT() throws {
        var histograms = PhaseHistograms()
        for _ in 0..<10 { histograms.record(.mqttConnack, seconds: 0.010) }
        let base = RunReport.fixture(protocol: .mqtt, devices: [], histograms: histograms)
        for _ in 0..<10 { histograms.record(.mqttConnack, seconds: 0.050) }
        let new = RunReport.fixture(protocol: .mqtt, devices: [], histograms: histograms)
        let diff = try ReportDiff.make(base: base, new: new)
        let gates = try RegressionLimits("p99=10%").gates(diff)
        #expect(gates.map(\.passed) == [false])
        #expect(gates.first?.detail.hasPrefix("mqttConnack p99") == true)
    }
}
