import FleetCore

/// The CI checks of a run (DESIGN.md §4): a failure-rate ceiling, a p99 ceiling on the time to
/// acceptance, and an expected-outcome matrix. Any failed check makes the exit code 1.
public struct RunGates: Sendable {
    public var maxFailureRate: Double?
    /// Seconds; compared with the p99 of the time to the server's verdict (ticket or CONNACK).
    public var maxP99: Double?
    public var expectations: Expectations?
    /// `--expect-mutual-tls`: every accepted connection must have been asked for a client certificate.
    public var mutualTLS = false

    public init(
        maxFailureRate: Double? = nil,
        maxP99: Double? = nil,
        expectations: Expectations? = nil,
        mutualTLS: Bool = false
    ) {
        self.maxFailureRate = maxFailureRate
        self.maxP99 = maxP99
        self.expectations = expectations
        self.mutualTLS = mutualTLS
    }

    /// Evaluates every configured gate against a finished run.
    ///
    /// - Parameters:
    ///   - selected: the devices this run was to make (for `--expect`: a listed device that did not run is a difference).
    ///   - subset: only part of the fleet ran (a shard, `--devices`): unlisted devices are not differences.
    public func evaluate(
        _ result: FleetRunner.Result,
        mode: ProtocolMode,
        outcomes: [String: Outcome],
        selected: Set<String>,
        subset: Bool
    ) -> (gates: [RunReport.Gate], mismatches: [Expectations.Mismatch]) {
        var gates: [RunReport.Gate] = []
        let attempted = result.state.succeeded + result.state.failed
        if let maxFailureRate {
            let rate = attempted == 0 ? 0 : Double(result.state.failed) / Double(attempted)
            gates.append(
                RunReport.Gate(
                    name: "max-failure-rate",
                    passed: rate <= maxFailureRate,
                    detail:
                        "failure rate \(Self.percent(rate)) (\(result.state.failed) of \(attempted)), limit \(Self.percent(maxFailureRate))"
                )
            )
        }
        if let maxP99 {
            let phase: PhaseHistograms.Phase = mode == .mqtt ? .mqttConnack : .serverAccept
            if let summary = result.state.histograms.summary(phase) {
                gates.append(
                    RunReport.Gate(
                        name: "max-p99",
                        passed: summary.p99 <= maxP99 * 1000,
                        detail: "p99 time to acceptance \(Self.ms(summary.p99)), limit \(Self.ms(maxP99 * 1000))"
                    )
                )
            } else {
                gates.append(
                    RunReport.Gate(name: "max-p99", passed: false, detail: "no device was accepted: no p99 to compare")
                )
            }
        }
        var mismatches: [Expectations.Mismatch] = []
        if let expectations {
            mismatches = expectations.check(outcomes: outcomes, selected: selected, subset: subset)
            gates.append(
                RunReport.Gate(
                    name: "expect",
                    passed: mismatches.isEmpty,
                    detail: mismatches.isEmpty
                        ? "every device ended as expected (\(outcomes.count))"
                        : "\(mismatches.count) device(s) differ from the expected outcomes"
                )
            )
        }
        if self.mutualTLS {
            let open = result.state.connections.withoutClientCertificate
            gates.append(
                RunReport.Gate(
                    name: "mutual-tls",
                    passed: open == 0,
                    detail: open == 0
                        ? "the server asked every accepted device for its certificate"
                        : "\(open) accepted connection(s) without the server asking for a client certificate"
                )
            )
        }
        if result.interrupted {
            gates.append(RunReport.Gate(name: "complete", passed: false, detail: "the run was interrupted"))
        }
        return (gates, mismatches)
    }

    static func percent(_ value: Double) -> String {
        let text = String(format: "%.2f", value * 100)
        return text.hasSuffix(".00") ? "\(text.dropLast(3))%" : "\(text)%"
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
}
