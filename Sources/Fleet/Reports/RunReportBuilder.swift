import FleetCore
import Foundation

/// Turns a run's result into the JSON report, with each failed device's diagnosis.
public enum RunReportBuilder {
    public static func make(
        result: FleetRunner.Result,
        settings: RunSettings,
        tls: String,
        shard: String?,
        devices total: Int,
        diagnose: (String) -> [(code: String, message: String)],
        gates: [RunReport.Gate],
        before: ProcessUsage,
        after: ProcessUsage
    ) -> RunReport {
        let state = result.state
        let verdicts = state.succeeded + state.failed
        var latency: [String: PercentileSummary] = [:]
        for phase in PhaseHistograms.Phase.allCases {
            if let summary = state.histograms.summary(phase) { latency[phase.rawValue] = summary }
        }
        let devices = state.devices.sorted { $0.id < $1.id }.map { device -> RunReport.Device in
            let findings = device.outcome == .ok ? [] : diagnose(device.id)
            var latencyMs: [String: Double] = [:]
            if let v = device.timings.tcpConnect { latencyMs["tcpConnect"] = v.seconds * 1000 }
            if let v = device.timings.tlsHandshake { latencyMs["tlsHandshake"] = v.seconds * 1000 }
            if let v = device.timings.serverAccept { latencyMs["serverAccept"] = v.seconds * 1000 }
            if let v = device.mqttConnack { latencyMs["mqttConnack"] = v * 1000 }
            latencyMs["scheduleLag"] = device.scheduleLag * 1000
            return RunReport.Device(
                id: device.id,
                outcome: device.outcome.identifier,
                alert: device.failure?.alertReceived.map { Int($0.code) },
                alertSent: device.failure?.alertSent.map { Int($0.code) },
                detail: device.detail,
                diagnosis: findings.map(\.code),
                explanation: findings.map(\.message),
                wolfSSLCode: device.failure?.nativeCode.map(Int.init),
                tls: device.tlsVersion?.rawValue,
                cipherSuite: device.cipherSuite,
                latencyMs: latencyMs
            )
        }
        let cpuUser = after.userSeconds - before.userSeconds
        let cpuSystem = after.systemSeconds - before.systemSeconds
        let grown = max(0, after.maxRSSBytes - before.rssBytes)
        let seconds = state.timeline.keys.max().map { $0 + 1 } ?? 0
        let timeline = (0..<seconds).map { state.timeline[$0] ?? [0, 0, 0] }
        return RunReport(
            target: "\(settings.host):\(settings.port)",
            protocol: settings.mode.rawValue,
            tls: tls,
            startedAt: result.startedAt,
            durationSeconds: result.seconds,
            interrupted: result.interrupted,
            shard: shard,
            counts: .init(
                devices: total,
                attempted: state.started,
                succeeded: state.succeeded,
                failed: state.failed,
                notStarted: result.notStarted,
                peakConnected: state.peakConnected
            ),
            rates: .init(
                handshakesPerSecond: result.seconds > 0 ? Double(verdicts) / result.seconds : 0,
                requestedStartRate: settings.rate,
                achievedStartRate: result.startSpan > 0 ? Double(max(0, state.started - 1)) / result.startSpan : nil
            ),
            latencyMs: latency,
            failures: state.outcomes.filter { $0.key != "ok" },
            devices: devices,
            cpu: .init(
                userSeconds: cpuUser,
                systemSeconds: cpuSystem,
                microsPerHandshake: verdicts > 0 ? (cpuUser + cpuSystem) / Double(verdicts) * 1e6 : nil
            ),
            memory: .init(
                maxRSSBytes: after.maxRSSBytes,
                bytesPerConnectedDevice: state.peakConnected > 0 && settings.hold != nil ? grown / state.peakConnected : nil
            ),
            gates: gates,
            histograms: Dictionary(uniqueKeysWithValues: state.histograms.buckets.map { ($0.key.rawValue, $0.value) }),
            timelineSeconds: timeline
        )
    }

    /// JSON with stable key order and ISO-8601 dates.
    public static func encode(_ report: RunReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(report)
    }
}
