import FleetCore
import Foundation

/// Combines the JSON reports of a sharded run into the report of the whole fleet.
///
/// Exact where it can be: counts, outcomes and connection figures are summed, the device lists
/// concatenated, and the latency histograms merged bucket by bucket (HdrHistogram buckets from
/// shards with the same precision add up to the histogram of all samples, so the merged
/// percentiles are those one process would have measured). Peaks (connected devices, connect
/// rates) are summed across shards: an upper bound, as the shards' peaks need not coincide.
public enum ReportMerge {
    /// The reports cannot be merged; the message names the reports (and device) at fault.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        /// Why, as a stable identifier.
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// No reports were given.
            case noReports = "no-reports"
            /// Reports of different schemas.
            case otherSchema = "other-schema"
            /// Reports of another target, protocol or TLS setting: not shards of one run.
            case otherRun = "other-run"
            /// Two reports are the same shard.
            case repeatedShard = "repeated-shard"
            /// A device is in two reports.
            case overlappingDevices = "overlapping-devices"
        }

        public let code: Code
        public let description: String

        init(_ code: Code, _ description: String) {
            self.code = code
            self.description = description
        }
    }

    /// - Parameter reports: (source name, report) pairs; the name appears in refusals.
    /// - Throws: ``Refusal`` when the reports cannot describe one run: another schema, another
    ///   target, protocol or TLS setting, the same shard twice, or a device in two reports.
    public static func merge(_ reports: [(source: String, report: RunReport)]) throws(Refusal) -> RunReport {
        guard let (firstSource, first) = reports.first else { throw Refusal(.noReports, "no reports to merge") }
        for (source, report) in reports {
            guard report.schema == first.schema else {
                throw Refusal(.otherSchema, "\(source): schema \(report.schema), but \(firstSource) is \(first.schema)")
            }
            for (name, mine, theirs) in [
                ("target", report.target, first.target), ("protocol", report.protocol, first.protocol),
                ("tls", report.tls, first.tls),
            ]
            where mine != theirs {
                throw Refusal(
                    .otherRun,
                    "\(source): \(name) \(mine), but \(firstSource) has \(theirs): not shards of one run"
                )
            }
        }
        var shardSources: [String: String] = [:]
        for (source, report) in reports {
            guard let shard = report.shard else { continue }
            if let other = shardSources[shard] {
                throw Refusal(.repeatedShard, "\(source) and \(other) are both shard \(shard): the same shard twice")
            }
            shardSources[shard] = source
        }
        var deviceSources: [String: String] = [:]
        for (source, report) in reports {
            for device in report.devices {
                if let other = deviceSources[device.id] {
                    throw Refusal(
                        .overlappingDevices,
                        "device \(device.id) is in both \(other) and \(source): the reports overlap"
                    )
                }
                deviceSources[device.id] = source
            }
        }

        let all = reports.map(\.report)
        var histograms = PhaseHistograms()
        for report in all {
            var buckets: [PhaseHistograms.Phase: [[UInt64]]] = [:]
            for (name, pairs) in report.histograms {
                if let phase = PhaseHistograms.Phase(rawValue: name) { buckets[phase] = pairs }
            }
            histograms.merge(PhaseHistograms(buckets: buckets))
        }
        var latency: [String: PercentileSummary] = [:]
        for phase in PhaseHistograms.Phase.allCases {
            if let summary = histograms.summary(phase) { latency[phase.rawValue] = summary }
        }

        let start = all.map(\.startedAt).min()!
        let end = all.map { $0.startedAt.addingTimeInterval($0.durationSeconds) }.max()!
        let duration = end.timeIntervalSince(start)
        func sum(_ value: (RunReport) -> Int) -> Int { all.reduce(0) { $0 + value($1) } }
        func sumDouble(_ value: (RunReport) -> Double?) -> Double? {
            let values = all.compactMap(value)
            return values.isEmpty ? nil : values.reduce(0, +)
        }
        let counts = RunReport.Counts(
            devices: sum(\.counts.devices),
            attempted: sum(\.counts.attempted),
            succeeded: sum(\.counts.succeeded),
            failed: sum(\.counts.failed),
            notStarted: sum(\.counts.notStarted),
            peakConnected: sum(\.counts.peakConnected),
            undecided: all.contains { $0.counts.undecided != nil } ? sum { $0.counts.undecided ?? 0 } : nil
        )
        var failures: [String: Int] = [:]
        for report in all { failures.merge(report.failures, uniquingKeysWith: +) }
        let cpuUser = sumDouble { $0.cpu.userSeconds } ?? 0
        let cpuSystem = sumDouble { $0.cpu.systemSeconds } ?? 0
        let verdicts = counts.succeeded + counts.failed
        let heldPeak = all.reduce(0) { $0 + ($1.memory.bytesPerConnectedDevice != nil ? $1.counts.peakConnected : 0) }
        let heldBytes = all.reduce(0) { $0 + ($1.memory.bytesPerConnectedDevice ?? 0) * $1.counts.peakConnected }

        // Timelines line up by each shard's start second.
        var timeline: [[Int]] = []
        for report in all {
            let offset = Int(report.startedAt.timeIntervalSince(start).rounded(.down))
            for (second, row) in report.timelineSeconds.enumerated() {
                while timeline.count <= offset + second { timeline.append([0, 0, 0]) }
                for column in 0..<min(3, row.count) { timeline[offset + second][column] += row[column] }
            }
        }

        var merged = RunReport(
            schema: first.schema,
            target: first.target,
            protocol: first.protocol,
            tls: first.tls,
            startedAt: start,
            durationSeconds: duration,
            interrupted: all.contains(where: \.interrupted),
            shard: "merged " + all.map { $0.shard ?? "whole" }.joined(separator: ", "),
            counts: counts,
            rates: .init(
                handshakesPerSecond: duration > 0 ? Double(verdicts) / duration : 0,
                requestedStartRate: sumDouble { $0.rates.requestedStartRate },
                achievedStartRate: sumDouble { $0.rates.achievedStartRate }
            ),
            latencyMs: latency,
            failures: failures,
            devices: all.flatMap(\.devices).sorted { $0.id < $1.id },
            cpu: .init(
                userSeconds: cpuUser,
                systemSeconds: cpuSystem,
                microsPerHandshake: RunReport.CPU.perHandshake(
                    cpuUser + cpuSystem,
                    verdicts: verdicts,
                    attempts: all.compactMap(\.connections).reduce(0) { $0 + $1.attempts }
                )
            ),
            memory: .init(
                maxRSSBytes: all.map(\.memory.maxRSSBytes).max() ?? 0,
                bytesPerConnectedDevice: heldPeak > 0 ? heldBytes / heldPeak : nil
            ),
            gates: all.flatMap { report in
                report.gates.map {
                    RunReport.Gate(name: "\(report.shard ?? "whole") \($0.name)", passed: $0.passed, detail: $0.detail)
                }
            },
            histograms: Dictionary(uniqueKeysWithValues: histograms.buckets.map { ($0.key.rawValue, $0.value) }),
            timelineSeconds: timeline,
            connections: Self.mergeConnections(all.compactMap(\.connections))
        )
        merged.mqtt = Self.mergeMQTT(all.compactMap(\.mqtt))
        merged.parameters = RunParameters.merged(all.map(\.parameters))
        merged.latencyOverTime = Self.mergeLatencyOverTime(all, start: start)
        return merged
    }

    /// Windows line up by each shard's start second, like the timeline; nil when no shard has any.
    static func mergeLatencyOverTime(_ reports: [RunReport], start: Date) -> LatencyOverTime? {
        guard reports.contains(where: { $0.latencyOverTime != nil }) else { return nil }
        var windows = LatencyWindows()
        for report in reports {
            guard let part = report.latencyOverTime else { continue }
            windows.merge(part.windows, offset: Int(report.startedAt.timeIntervalSince(start).rounded(.down)))
        }
        return LatencyOverTime(windows)
    }

    static func mergeMQTT(_ parts: [RunReport.MQTT]) -> RunReport.MQTT? {
        guard let first = parts.first else { return nil }
        func sum(_ value: (RunReport.MQTT) -> Int) -> Int { parts.reduce(0) { $0 + value($1) } }
        func counts(_ value: (RunReport.MQTT) -> [String: Int]) -> [String: Int] {
            parts.reduce(into: [:]) { $0.merge(value($1), uniquingKeysWith: +) }
        }
        let rates = parts.compactMap(\.publishesPerSecond)
        return RunReport.MQTT(
            version: first.version,
            published: sum(\.published),
            publishesPerSecond: rates.isEmpty ? nil : rates.reduce(0, +),
            acknowledged: sum(\.acknowledged),
            pubacks: counts(\.pubacks),
            subscriptions: sum(\.subscriptions),
            subacks: counts(\.subacks),
            received: sum(\.received),
            serverDisconnects: counts(\.serverDisconnects)
        )
    }

    static func mergeConnections(_ parts: [RunReport.Connections]) -> RunReport.Connections? {
        guard !parts.isEmpty else { return nil }
        func sum(_ value: (RunReport.Connections) -> Int) -> Int { parts.reduce(0) { $0 + value($1) } }
        var byKind: [String: Int] = [:]
        var outcomes: [String: Int] = [:]
        for part in parts {
            byKind.merge(part.byKind, uniquingKeysWith: +)
            outcomes.merge(part.outcomes, uniquingKeysWith: +)
        }
        let offered = sum(\.resumption.offered)
        let resumed = sum(\.resumption.resumed)
        var merged = RunReport.Connections(
            attempts: sum(\.attempts),
            byKind: byKind,
            outcomes: outcomes,
            lost: sum(\.lost),
            recovered: sum(\.recovered),
            recoverySeconds: parts.compactMap(\.recoverySeconds).max(),
            peakConnectRate: parts.reduce(0) { $0 + $1.peakConnectRate },
            peakReconnectRate: parts.reduce(0) { $0 + $1.peakReconnectRate },
            resumption: .init(
                offered: offered,
                resumed: resumed,
                rate: offered > 0 ? Double(resumed) / Double(offered) : nil
            ),
            clockFailures: sum(\.clockFailures),
            acceptedBySilence: parts.reduce(0) { $0 + ($1.acceptedBySilence ?? 0) },
            withoutClientCertificate: parts.reduce(0) { $0 + ($1.withoutClientCertificate ?? 0) },
            negotiated: parts.reduce(into: [String: Int]()) { total, part in
                for (key, count) in part.negotiated ?? [:] { total[key, default: 0] += count }
            },
            alpn: parts.contains { $0.alpn != nil }
                ? parts.reduce(into: [String: Int]()) { total, part in
                    for (key, count) in part.alpn ?? [:] { total[key, default: 0] += count }
                } : nil,
            withoutALPN: parts.contains { $0.withoutALPN != nil }
                ? parts.reduce(0) { $0 + ($1.withoutALPN ?? 0) } : nil
        )
        if parts.contains(where: { $0.groups != nil }) {
            merged.groups = parts.reduce(into: [:]) { $0.merge($1.groups ?? [:], uniquingKeysWith: +) }
        }
        if parts.contains(where: { $0.refusedAfterLoss != nil }) {
            merged.refusedAfterLoss = parts.reduce(into: [:]) {
                $0.merge($1.refusedAfterLoss ?? [:], uniquingKeysWith: +)
            }
            merged.revokedWhileConnected =
                parts.contains { $0.revokedWhileConnected != nil }
                ? parts.reduce(0) { $0 + ($1.revokedWhileConnected ?? 0) } : nil
        }
        return merged
    }

    /// Reads a report written by `run --json`.
    public static func read(_ data: Data) throws -> RunReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RunReport.self, from: data)
    }
}
