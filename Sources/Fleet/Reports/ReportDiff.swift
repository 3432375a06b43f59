import FleetCore
import Foundation

/// Two runs side by side (`fleetsim report diff`, `run --baseline`; JSON `fleetsim.diff/1`): per-phase
/// percentile changes, rate, CPU per handshake and failure-rate changes, outcome counts, the
/// settings that differ, and every device whose outcome changed.
///
/// Built from the JSON reports alone, so any two saved reports (CI artifacts, merged shards) can
/// be compared. Which devices count as changed: ``DeviceOutcomeChanges``.
public struct ReportDiff: Codable, Sendable {
    public var schema = "fleetsim.diff/1"
    public var base: Run
    public var new: Run
    /// Settings that differ between the runs (target, protocol, tls, `parameters.*`): the
    /// comparison may not be like for like.
    public var differences: [Difference]
    /// Per phase, per percentile (`p50`, `p90`, `p99`, `p999`, `max`): milliseconds.
    public var latencyMs: [String: [String: Change]]
    /// `handshakesPerSecond`, `achievedStartRate`.
    public var rates: [String: Change]
    /// Client CPU (user + system) per device, microseconds.
    public var cpuMicrosPerHandshake: Change
    /// Failed / (ok + failed), a fraction (0.012 = 1.2 %); `delta` × 100 is percentage points.
    public var failureRate: Change
    /// Devices per outcome (`ok` included), in each run.
    public var outcomes: [String: Count]
    /// Devices whose outcome changed, regressions (was ok) first, then by id.
    public var devicesChanged: [DeviceChange]
    /// `--max-regression` gates, when given.
    public var gates: [RunReport.Gate]

    /// What identifies one of the two runs.
    public struct Run: Codable, Sendable {
        public var file: String?
        public var schema: String
        public var target: String
        public var `protocol`: String
        public var tls: String
        public var startedAt: Date
        public var durationSeconds: Double
        public var devices: Int
        public var shard: String?
        public var interrupted: Bool
    }

    /// One setting with different values in the two runs.
    public struct Difference: Codable, Sendable, Equatable {
        public var name: String
        public var base: String
        public var new: String
    }

    /// A figure in both runs; `delta` = new − base, `relative` = delta / base (nil when either is
    /// missing, or base is 0).
    public struct Change: Codable, Sendable, Equatable {
        public var base: Double?
        public var new: Double?
        public var delta: Double?
        public var relative: Double?

        public init(base: Double?, new: Double?) {
            self.base = base
            self.new = new
            if let base, let new {
                self.delta = new - base
                self.relative = base != 0 ? (new - base) / base : nil
            }
        }
    }

    public struct Count: Codable, Sendable, Equatable {
        public var base: Int
        public var new: Int
        public var delta: Int
    }

    /// A device that ended differently: `kind` is `regressed` (was ok), `fixed` (now ok) or `changed`.
    public struct DeviceChange: Codable, Sendable, Equatable {
        public var id: String
        public var kind: String
        public var base: String
        public var new: String
        /// The new run's detail and diagnosis of the device (absent when it now ends ok).
        public var detail: String?
        public var diagnosis: [String]
        public var explanation: [String]
    }

    /// The reports cannot be compared at all.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public enum Code: String, Sendable, CaseIterable {
            /// The reports have different schemas (`fleetsim.report/1` and something else).
            case otherSchema = "other-schema"
        }
        public let code: Code
        public let description: String
    }

    /// The report schema this build writes (``RunReport/schema``'s default).
    public static let reportSchema = "fleetsim.report/1"

    /// A percentile of a summary by its name in ``latencyMs`` (`p50` … `max`).
    static func percentile(_ name: String, of summary: PercentileSummary?) -> Double? {
        guard let summary else { return nil }
        switch name {
        case "p50": return summary.p50
        case "p90": return summary.p90
        case "p99": return summary.p99
        case "p999": return summary.p999
        default: return summary.max
        }
    }

    /// Compares `new` with `base`.
    ///
    /// - Parameters:
    ///   - files: the reports' file names, for the output (nil: not from a file, e.g. `run --baseline`'s new run).
    ///   - parameters: each report's `parameters` object flattened to `key: JSON text`, when it has one;
    ///     keys whose values differ are named in ``differences``.
    /// - Throws: ``Refusal`` when the schemas differ.
    public static func make(
        base: RunReport,
        new: RunReport,
        files: (base: String?, new: String?) = (nil, nil),
        parameters: (base: [String: String]?, new: [String: String]?) = (nil, nil)
    ) throws(Refusal) -> ReportDiff {
        guard base.schema == new.schema else {
            throw Refusal(
                code: .otherSchema,
                description:
                    "\(files.new ?? "the new report") is \(new.schema), but \(files.base ?? "the baseline") is \(base.schema): reports of different schemas cannot be compared"
            )
        }
        var latency: [String: [String: Change]] = [:]
        for phase in PhaseHistograms.Phase.allCases {
            let (old, now) = (base.latencyMs[phase.rawValue], new.latencyMs[phase.rawValue])
            guard old != nil || now != nil else { continue }
            latency[phase.rawValue] = Dictionary(
                uniqueKeysWithValues: RegressionLimits.percentileNames.map { name in
                    (name, Change(base: Self.percentile(name, of: old), new: Self.percentile(name, of: now)))
                }
            )
        }
        var outcomes: [String: Count] = [:]
        let (oldOutcomes, newOutcomes) = (Self.outcomeCounts(base), Self.outcomeCounts(new))
        for name in Set(oldOutcomes.keys).union(newOutcomes.keys) {
            let (b, n) = (oldOutcomes[name] ?? 0, newOutcomes[name] ?? 0)
            outcomes[name] = Count(base: b, new: n, delta: n - b)
        }
        return ReportDiff(
            base: Run(base, file: files.base),
            new: Run(new, file: files.new),
            differences: Self.differences(base, new, parameters: parameters),
            latencyMs: latency,
            rates: [
                "handshakesPerSecond": Change(
                    base: base.rates.handshakesPerSecond,
                    new: new.rates.handshakesPerSecond
                ),
                "achievedStartRate": Change(base: base.rates.achievedStartRate, new: new.rates.achievedStartRate),
            ],
            cpuMicrosPerHandshake: Change(base: base.cpu.microsPerHandshake, new: new.cpu.microsPerHandshake),
            failureRate: Change(base: Self.failureRate(base), new: Self.failureRate(new)),
            outcomes: outcomes,
            devicesChanged: DeviceOutcomeChanges.between(base, new),
            gates: []
        )
    }

    /// Failed / (ok + failed); nil when no device had a verdict.
    static func failureRate(_ report: RunReport) -> Double? {
        let verdicts = report.counts.succeeded + report.counts.failed
        return verdicts > 0 ? Double(report.counts.failed) / Double(verdicts) : nil
    }

    static func outcomeCounts(_ report: RunReport) -> [String: Int] {
        var counts = report.failures
        if report.counts.succeeded > 0 { counts[Outcome.ok.identifier] = report.counts.succeeded }
        return counts
    }

    /// Parameters that say how a run was invoked rather than what it ran (`arguments` holds the
    /// output paths and `--baseline` itself, so it always differs), or that are compared above.
    static let parametersNotCompared: Set<String> = ["arguments", "differing", "target", "protocol"]

    static func differences(
        _ base: RunReport,
        _ new: RunReport,
        parameters: (base: [String: String]?, new: [String: String]?)
    ) -> [Difference] {
        var list: [Difference] = []
        for (name, old, now) in [
            ("target", base.target, new.target), ("protocol", base.protocol, new.protocol), ("tls", base.tls, new.tls),
        ] where old != now {
            list.append(Difference(name: name, base: old, new: now))
        }
        if let old = parameters.base, let now = parameters.new {
            for key in Set(old.keys).union(now.keys).sorted()
            where old[key] != now[key] && !Self.parametersNotCompared.contains(key) {
                list.append(
                    Difference(name: "parameters.\(key)", base: old[key] ?? "(none)", new: now[key] ?? "(none)")
                )
            }
        }
        return list
    }
}

extension ReportDiff.Run {
    init(_ report: RunReport, file: String?) {
        self.init(
            file: file,
            schema: report.schema,
            target: report.target,
            protocol: report.protocol,
            tls: report.tls,
            startedAt: report.startedAt,
            durationSeconds: report.durationSeconds,
            devices: report.counts.devices,
            shard: report.shard,
            interrupted: report.interrupted
        )
    }
}
