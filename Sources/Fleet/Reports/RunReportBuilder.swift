import FleetCore
import Foundation
import NIOCore

/// Turns a run's result into the JSON report, with each failed device's diagnosis.
public enum RunReportBuilder {
    /// Builds the report of a finished (or interrupted) run: counts, percentiles per phase, the
    /// devices that did not end `ok` (all with `keepAll`) with their diagnosis, gates, CPU and memory.
    public static func make(
        result: FleetRunner.Result,
        settings: RunSettings,
        tls: String,
        shard: String?,
        devices total: Int,
        diagnose: (String) -> [(code: String, message: String)],
        gates: [RunReport.Gate],
        before: ProcessUsage,
        after: ProcessUsage,
        parameters: RunParameters? = nil
    ) -> RunReport {
        let state = result.state
        let verdicts = state.succeeded + state.failed
        var latency: [String: PercentileSummary] = [:]
        for phase in PhaseHistograms.Phase.allCases {
            if let summary = state.histograms.summary(phase) { latency[phase.rawValue] = summary }
        }
        let devices = state.devices.sorted { $0.id < $1.id }.map { device -> RunReport.Device in
            // Only verdicts about the certificate get a certificate diagnosis, the finding that
            // explains the server's alert first.
            var findings =
                DiagnosisRelevance.explains(device.outcome, handshakeCompleted: device.timings.tlsHandshake != nil)
                ? DiagnosisRelevance.ordered(diagnose(device.id), alert: device.failure?.alertReceived) : []
            if device.failure?.clockRelated == true, let clock = device.clock {
                findings.insert(
                    (
                        "clock-skew",
                        ClockText.explanation(
                            clock: clock,
                            decidedAt: result.startedAt.addingTimeInterval(device.decidedAt)
                        )
                    ),
                    at: 0
                )
            }
            var latencyMs: [String: Double] = [:]
            if let v = device.timings.tcpConnect { latencyMs["tcpConnect"] = v.seconds * 1000 }
            if let v = device.timings.tlsHandshake { latencyMs["tlsHandshake"] = v.seconds * 1000 }
            if let v = device.timings.serverAccept { latencyMs["serverAccept"] = v.seconds * 1000 }
            if let v = device.mqttConnack { latencyMs["mqttConnack"] = v * 1000 }
            latencyMs["scheduleLag"] = device.scheduleLag * 1000
            if let v = device.timings.tlsHandshake, device.resumed {
                latencyMs["tlsHandshakeResumed"] = v.seconds * 1000
            }
            let start = device.trace?.first?.at
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
                alpn: device.alpn,
                latencyMs: latencyMs,
                clock: device.clock,
                connections: device.connections > 1 ? device.connections : nil,
                resumed: device.resumed ? true : nil,
                clientCertificateRequested: device.clientCertificateRequested,
                mqttCode: device.mqttCode.map(Int.init),
                mqttReason: device.mqttReason,
                ocspStaple: device.ocspStaple?.rawValue,
                stapledOCSP: device.stapledOCSP,
                serverChain: device.serverChain,
                trace: device.trace.map { events in
                    events.map { event in
                        RunReport.TraceLine(
                            ms: start.map { (event.at - $0).seconds * 1000 } ?? 0,
                            direction: event.direction.rawValue,
                            text: event.text
                        )
                    }
                }
            )
        }
        let links = state.connections
        func peak(_ tenths: [Int: Int]) -> Double { Double(tenths.values.max() ?? 0) * 10 }
        var connections = RunReport.Connections(
            attempts: links.attempts,
            byKind: Dictionary(uniqueKeysWithValues: links.byKind.map { ($0.key.rawValue, $0.value) }),
            outcomes: links.outcomes,
            lost: links.lost,
            recovered: links.recovered,
            recoverySeconds: links.firstLossAt.flatMap { lost in links.lastRecoveryAt.map { $0 - lost } },
            peakConnectRate: peak(links.attemptsPerTenth),
            peakReconnectRate: peak(links.reconnectsPerTenth),
            resumption: .init(
                offered: links.resumeOffered,
                resumed: links.resumed,
                rate: links.resumeOffered > 0 ? Double(links.resumed) / Double(links.resumeOffered) : nil
            ),
            clockFailures: links.clockFailures,
            acceptedBySilence: links.acceptedBySilence,
            withoutClientCertificate: links.withoutClientCertificate,
            negotiated: links.negotiated,
            alpn: links.alpn.isEmpty ? nil : links.alpn,
            // Every accepted connection made a handshake, and `negotiated` counts each once.
            withoutALPN: settings.profile.alpn == nil
                ? nil : links.negotiated.values.reduce(0, +) - links.alpn.values.reduce(0, +)
        )
        connections.groups = links.groups.isEmpty ? nil : links.groups
        if !links.refusedAfterLoss.isEmpty {
            connections.refusedAfterLoss = links.refusedAfterLoss
            connections.revokedWhileConnected = links.refusedAfterLoss[Outcome.rejected(.certificateRevoked).identifier]
        }
        let cpuUser = after.userSeconds - before.userSeconds
        let cpuSystem = after.systemSeconds - before.systemSeconds
        let grown = max(0, after.maxRSSBytes - before.rssBytes)
        let seconds = state.timeline.keys.max().map { $0 + 1 } ?? 0
        let timeline = (0..<seconds).map { state.timeline[$0] ?? [0, 0, 0] }
        var report = RunReport(
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
                peakConnected: state.peakConnected,
                undecided: state.undecided > 0 ? state.undecided : nil
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
                microsPerHandshake: RunReport.CPU.perHandshake(
                    cpuUser + cpuSystem,
                    verdicts: verdicts,
                    attempts: connections.attempts
                )
            ),
            memory: .init(
                maxRSSBytes: after.maxRSSBytes,
                bytesPerConnectedDevice: state.peakConnected > 0 && settings.hold != nil
                    ? grown / state.peakConnected : nil
            ),
            gates: gates,
            histograms: Dictionary(uniqueKeysWithValues: state.histograms.buckets.map { ($0.key.rawValue, $0.value) }),
            timelineSeconds: timeline,
            connections: connections
        )
        report.parameters = parameters
        report.latencyOverTime = LatencyOverTime(state.latencyWindows)
        if settings.mode == .mqtt {
            let counts = state.mqtt
            let span = counts.firstPublishAt.flatMap { first in counts.lastPublishAt.map { $0 - first } } ?? 0
            report.mqtt = RunReport.MQTT(
                version: settings.profile.mqtt.version.rawValue,
                published: counts.published,
                publishesPerSecond: span > 0 ? Double(counts.published - 1) / span : nil,
                acknowledged: counts.acknowledged,
                pubacks: counts.pubackCodes,
                subscriptions: counts.subscriptions,
                subacks: counts.subackCodes,
                received: counts.received,
                serverDisconnects: counts.serverDisconnects
            )
        }
        return report
    }

    /// JSON with stable key order and ISO-8601 dates.
    public static func encode(_ report: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(report)
    }
}
