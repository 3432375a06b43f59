import FleetCore
import Foundation

/// The JSON report (`fleetsim.report/1`, DESIGN.md §5a): everything a CI job or `report merge`
/// needs, including mergeable histograms.
public struct RunReport: Codable, Sendable {
    public var schema = "fleetsim.report/1"
    public var target: String
    public var `protocol`: String
    public var tls: String
    public var startedAt: Date
    public var durationSeconds: Double
    public var interrupted: Bool
    public var shard: String?
    public var counts: Counts
    public var rates: Rates
    public var latencyMs: [String: PercentileSummary]
    public var failures: [String: Int]
    public var devices: [Device]
    public var cpu: CPU
    public var memory: Memory
    public var gates: [Gate]
    /// Per phase, `[[microseconds, count], …]` of every non-empty HdrHistogram bucket.
    public var histograms: [String: [[UInt64]]]
    /// Per second of the run: `[started, ok, failed]`.
    public var timelineSeconds: [[Int]]

    public struct Counts: Codable, Sendable {
        public var devices: Int
        public var attempted: Int
        public var succeeded: Int
        public var failed: Int
        public var notStarted: Int
        public var peakConnected: Int
    }

    public struct Rates: Codable, Sendable {
        /// Verdicts (ok or failed) per second over the run.
        public var handshakesPerSecond: Double
        public var requestedStartRate: Double?
        /// Starts per second actually made between the first and the last scheduled start.
        public var achievedStartRate: Double?
    }

    public struct Device: Codable, Sendable {
        public var id: String
        public var outcome: String
        /// The alert the server sent (number), if any.
        public var alert: Int?
        public var alertSent: Int?
        public var detail: String?
        public var diagnosis: [String]
        public var explanation: [String]
        public var wolfSSLCode: Int?
        public var tls: String?
        public var cipherSuite: String?
        public var latencyMs: [String: Double]
    }

    public struct CPU: Codable, Sendable {
        public var userSeconds: Double
        public var systemSeconds: Double
        public var microsPerHandshake: Double?
    }

    public struct Memory: Codable, Sendable {
        public var maxRSSBytes: Int
        /// Peak RSS above the process's size before the run, divided by the peak of devices connected at once.
        public var bytesPerConnectedDevice: Int?
    }

    /// One CI check and whether it passed.
    public struct Gate: Codable, Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }
}
