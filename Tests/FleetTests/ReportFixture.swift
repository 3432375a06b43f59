import FleetCore
import Foundation

@testable import Fleet

/// Reports made in code for the report tests: counts, failures and the timeline follow from the
/// devices given; everything else is a fixed, plausible value.
extension RunReport {
    static func fixture(
        target: String = "127.0.0.1:8883",
        protocol mode: ProtocolMode = .tls,
        startedAt: Date = Date(timeIntervalSince1970: 1_800_000_000),
        shard: String? = nil,
        interrupted: Bool = false,
        devices: [RunReport.Device],
        histograms: PhaseHistograms = PhaseHistograms(),
        gates: [Gate] = []
    ) -> RunReport {
        let ok = devices.filter { $0.outcome == Outcome.ok.identifier }.count
        let failed = devices.count - ok
        let failures = Dictionary(
            devices.filter { $0.outcome != Outcome.ok.identifier }.map { ($0.outcome, 1) },
            uniquingKeysWith: +
        )
        return RunReport(
            target: target,
            protocol: mode.rawValue,
            tls: "1.3",
            startedAt: startedAt,
            durationSeconds: 2,
            interrupted: interrupted,
            shard: shard,
            counts: .init(
                devices: devices.count,
                attempted: devices.count,
                succeeded: ok,
                failed: failed,
                notStarted: 0,
                peakConnected: ok
            ),
            rates: .init(handshakesPerSecond: 1),
            latencyMs: Dictionary(
                uniqueKeysWithValues: PhaseHistograms.Phase.allCases.compactMap { phase in
                    histograms.summary(phase).map { (phase.rawValue, $0) }
                }
            ),
            failures: failures,
            devices: devices,
            cpu: .init(userSeconds: 1, systemSeconds: 0.5),
            memory: .init(maxRSSBytes: 10),
            gates: gates,
            histograms: Dictionary(uniqueKeysWithValues: histograms.buckets.map { ($0.key.rawValue, $0.value) }),
            timelineSeconds: [[devices.count, ok, failed]]
        )
    }
}

extension RunReport.Device {
    static func ok(_ id: String, acceptMs: Double = 12) -> Self {
        RunReport.Device(
            id: id,
            outcome: Outcome.ok.identifier,
            diagnosis: [],
            explanation: [],
            latencyMs: ["serverAccept": acceptMs]
        )
    }

    /// A device that ended `outcome`, with the server's alert, a detail and diagnoses `(code, explanation)`.
    static func failed(
        _ id: String,
        _ outcome: Outcome,
        alert: Int? = nil,
        detail: String? = nil,
        diagnoses: [(String, String)] = []
    ) -> Self {
        RunReport.Device(
            id: id,
            outcome: outcome.identifier,
            alert: alert,
            detail: detail,
            diagnosis: diagnoses.map(\.0),
            explanation: diagnoses.map(\.1),
            latencyMs: ["tlsHandshake": 8]
        )
    }
}
