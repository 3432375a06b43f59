import FleetCore
import Foundation
import Testing

@testable import Fleet

/// The CI checks of a run: which gate is there, which fails, and the run's exit code follows — any
/// failed gate makes `fleetsim run` exit 1 (an interrupted run exits 130 with `complete` failed): ``RunVerdict``.
@Suite struct RunGatesTests {
    /// A finished run: `failed` of `attempted` devices failed; each accepted device's time to the
    /// TLS verdict is `acceptMs` and to CONNACK `connackMs`.
    static func result(
        attempted: Int,
        failed: Int,
        acceptMs: Double? = 20,
        connackMs: Double? = nil,
        interrupted: Bool = false
    ) -> FleetRunner.Result {
        var state = RunCollector.State()
        state.started = attempted
        state.succeeded = attempted - failed
        state.failed = failed
        for _ in 0..<(attempted - failed) {
            if let acceptMs { state.histograms.record(.serverAccept, seconds: acceptMs / 1000) }
            if let connackMs { state.histograms.record(.mqttConnack, seconds: connackMs / 1000) }
        }
        return FleetRunner.Result(
            state: state,
            startedAt: Date(),
            seconds: 1,
            interrupted: interrupted,
            notStarted: 0,
            startSpan: 0
        )
    }

    static func evaluate(_ gates: RunGates, _ result: FleetRunner.Result, mode: ProtocolMode = .tls) -> [String: Bool] {
        let (list, _) = gates.evaluate(result, mode: mode, outcomes: [:], selected: [], subset: false)
        #expect(Set(list.map(\.name)).count == list.count, "one gate per check")
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0.passed) })
    }

    @Test func withoutChecksThereAreNoGates() {
        let (gates, mismatches) = RunGates().evaluate(
            Self.result(attempted: 4, failed: 4),
            mode: .tls,
            outcomes: [:],
            selected: [],
            subset: false
        )
        #expect(gates.isEmpty)
        #expect(mismatches.isEmpty)
    }

    /// 3 of 12 failed: 25 %. The limit is inclusive.
    @Test(arguments: [(0.25, true), (0.2499, false), (0.0, false), (1.0, true)])
    func theFailureRateGateComparesFailedWithAttempted(limit: Double, passes: Bool) {
        let gates = Self.evaluate(RunGates(maxFailureRate: limit), Self.result(attempted: 12, failed: 3))
        #expect(gates == ["max-failure-rate": passes])
    }

    @Test func aRunWithoutAttemptsHasNoFailureRateToExceed() {
        #expect(
            Self.evaluate(RunGates(maxFailureRate: 0), Self.result(attempted: 0, failed: 0)) == [
                "max-failure-rate": true
            ]
        )
    }

    /// TLS mode gates on the time to the server's verdict (20 ms), MQTT mode on CONNACK (50 ms).
    @Test(arguments: [
        (ProtocolMode.tls, 0.030, true), (.tls, 0.019, false), (.mqtt, 0.030, false), (.mqtt, 0.051, true),
    ])
    func theP99GateUsesThePhaseOfTheProtocol(mode: ProtocolMode, limitSeconds: Double, passes: Bool) {
        let result = Self.result(attempted: 10, failed: 0, acceptMs: 20, connackMs: 50)
        #expect(Self.evaluate(RunGates(maxP99: limitSeconds), result, mode: mode) == ["max-p99": passes])
    }

    @Test func theP99GateFailsWhenNoDeviceWasAccepted() {
        #expect(Self.evaluate(RunGates(maxP99: 10), Self.result(attempted: 5, failed: 5)) == ["max-p99": false])
        let tlsOnly = Self.result(attempted: 5, failed: 0, acceptMs: 20, connackMs: nil)
        #expect(
            Self.evaluate(RunGates(maxP99: 10), tlsOnly, mode: .mqtt) == ["max-p99": false],
            "no CONNACK: no MQTT p99"
        )
    }

    @Test func theExpectGateFailsOnAnyMismatchAndReturnsThem() throws {
        let expectations = try Expectations(text: "a\tok\nb\trejected\n", source: "expect.tsv")
        let gates = RunGates(expectations: expectations)
        let result = Self.result(attempted: 2, failed: 1)
        let good = gates.evaluate(
            result,
            mode: .tls,
            outcomes: ["a": .ok, "b": .rejected(.unknownCA)],
            selected: ["a", "b"],
            subset: false
        )
        #expect(good.gates.map(\.name) == ["expect"])
        #expect(good.gates.map(\.passed) == [true])
        #expect(good.mismatches.isEmpty)
        let bad = gates.evaluate(
            result,
            mode: .tls,
            outcomes: ["a": .tcpRefused, "b": .rejected(.unknownCA)],
            selected: ["a", "b"],
            subset: false
        )
        #expect(bad.gates.map(\.passed) == [false])
        #expect(bad.mismatches == [Expectations.Mismatch(id: "a", expected: "ok", actual: "tcp-refused")])
    }

    @Test func anInterruptedRunFailsTheCompleteGateWhateverElsePassed() {
        let gates = Self.evaluate(RunGates(maxFailureRate: 1), Self.result(attempted: 3, failed: 0, interrupted: true))
        #expect(gates == ["max-failure-rate": true, "complete": false])
        #expect(
            Self.evaluate(RunGates(), Self.result(attempted: 3, failed: 0, interrupted: true)) == ["complete": false]
        )
    }

    @Test func everyConfiguredCheckIsAGateInAFixedOrder() throws {
        let gates = RunGates(maxFailureRate: 0.5, maxP99: 1, expectations: try Expectations(text: "", source: "empty"))
        let (list, _) = gates.evaluate(
            Self.result(attempted: 2, failed: 1, interrupted: true),
            mode: .tls,
            outcomes: [:],
            selected: [],
            subset: false
        )
        #expect(list.map(\.name) == ["max-failure-rate", "max-p99", "expect", "complete"])
        #expect(list.map(\.passed) == [true, true, true, false])
    }

    // MARK: - The exit status

    static func gate(_ name: String, passed: Bool) -> RunReport.Gate {
        RunReport.Gate(name: name, passed: passed, detail: "")
    }

    @Test func theExitStatusesAreTheDocumentedOnes() {
        #expect(RunVerdict.allCases.map(\.exitStatus) == [0, 1, 130])
    }

    @Test func aRunPassesWhenEveryGatePassedOrThereAreNone() {
        #expect(RunVerdict(gates: [], interrupted: false) == .passed)
        let passed = [Self.gate("max-failure-rate", passed: true), Self.gate("expect", passed: true)]
        #expect(RunVerdict(gates: passed, interrupted: false) == .passed)
    }

    @Test func anyFailedGateFailsTheRun() {
        let gates = [
            Self.gate("max-failure-rate", passed: true), Self.gate("max-p99", passed: false),
            Self.gate("expect", passed: true),
        ]
        #expect(RunVerdict(gates: gates, interrupted: false) == .checkFailed)
    }

    /// Interrupted wins over the checks, passed or failed: 130, not 0 or 1.
    @Test(arguments: [true, false])
    func anInterruptedRunIsInterruptedWhateverTheChecksSaid(checksPassed: Bool) {
        let gates = [Self.gate("max-failure-rate", passed: checksPassed)]
        #expect(RunVerdict(gates: gates, interrupted: true) == .interrupted)
    }

    /// From a run to its exit status, as `fleetsim run` decides it.
    @Test func theGatesOfARunDecideItsExitStatus() {
        func status(_ gates: RunGates, _ result: FleetRunner.Result) -> Int32 {
            let (list, _) = gates.evaluate(result, mode: .tls, outcomes: [:], selected: [], subset: false)
            return RunVerdict(gates: list, interrupted: result.interrupted).exitStatus
        }
        #expect(
            status(RunGates(), Self.result(attempted: 4, failed: 4)) == 0,
            "no checks: failures alone do not fail the run"
        )
        #expect(status(RunGates(maxFailureRate: 0.5), Self.result(attempted: 4, failed: 2)) == 0)
        #expect(status(RunGates(maxFailureRate: 0.5), Self.result(attempted: 4, failed: 3)) == 1)
        #expect(status(RunGates(maxP99: 0.001), Self.result(attempted: 4, failed: 0, acceptMs: 20)) == 1)
        #expect(status(RunGates(maxFailureRate: 1), Self.result(attempted: 4, failed: 0, interrupted: true)) == 130)
    }
}
