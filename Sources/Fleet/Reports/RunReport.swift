import FleetCore
import FleetTLS
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
    /// Every connection of every device: retries, reconnects, churn, resumption, recovery.
    public var connections: Connections?
    /// `mqtt` mode: the version, publishes and their acknowledgements, subscriptions, messages from
    /// the server, and the server's DISCONNECT reasons. Absent in `tls` mode and older reports.
    public var mqtt: MQTT? = nil
    /// What `run` was given and ran with (versions, pacing, profile, TLS offered). Absent in older
    /// reports.
    public var parameters: RunParameters? = nil
    /// p50/p90/p99 per second of the connect, handshake and verdict phases, with mergeable buckets.
    /// Absent in older reports.
    public var latencyOverTime: LatencyOverTime? = nil

    /// MQTT traffic of the accepted connections. Reason codes are counted by name (MQTT 5.0 §2.4;
    /// 3.1.1 PUBACKs count as `success`).
    public struct MQTT: Codable, Sendable {
        public var version: String
        public var published: Int
        /// Publishes per second between the first and the last.
        public var publishesPerSecond: Double?
        /// QoS 1 publishes acknowledged, and the PUBACK reason codes by name.
        public var acknowledged: Int
        public var pubacks: [String: Int]
        public var subscriptions: Int
        public var subacks: [String: Int]
        /// PUBLISHes the server sent the devices (cloud-to-device).
        public var received: Int
        /// DISCONNECTs the server sent while devices held their connection, by reason.
        public var serverDisconnects: [String: Int]
    }

    /// Connection-level figures. A device has one outcome; it may make many connections.
    public struct Connections: Codable, Sendable {
        public var attempts: Int
        /// Attempts by why they were made: first, retry, churn, reconnect.
        public var byKind: [String: Int]
        /// Each connection's outcome.
        public var outcomes: [String: Int]
        /// Accepted connections the server ended while the device held them.
        public var lost: Int
        /// Connections accepted again after a loss.
        public var recovered: Int
        /// From the first lost connection to the last recovery.
        public var recoverySeconds: Double?
        /// The most connection attempts in any 100 ms of the run, per second: what the server saw.
        public var peakConnectRate: Double
        /// The same for retries and reconnects alone: the reconnect storm, if there was one.
        public var peakReconnectRate: Double
        public var resumption: Resumption
        /// Devices that refused the server because of their own clock.
        public var clockFailures: Int
        /// Connections accepted because the server stayed silent after a TLS 1.3 handshake (it sends
        /// no session ticket; `--tls-accept`). Absent in reports of older versions.
        public var acceptedBySilence: Int?
        /// Accepted connections whose server never asked for a client certificate: those devices were
        /// not authenticated by certificate. Absent in reports of older versions.
        public var withoutClientCertificate: Int?
        /// Accepted connections by the TLS version and cipher suite they negotiated.
        public var negotiated: [String: Int]?
        /// Devices that lost an accepted connection and were refused when they came back, by the
        /// outcome of that refusal; absent when none was (and in older reports).
        public var refusedAfterLoss: [String: Int]? = nil
        /// Of those, the devices refused as revoked (`rejected:certificate-revoked`): revoked while
        /// connected, dropped by the backend, refused on reconnect. Absent when none was.
        public var revokedWhileConnected: Int? = nil
        /// Accepted connections by the application protocol ALPN negotiated; absent when none was.
        public var alpn: [String: Int]?
        /// Accepted connections by the key-exchange group their handshake used (`SECP256R1`,
        /// `X25519`); a TLS 1.2 resumption uses none. Absent in older reports.
        public var groups: [String: Int]? = nil
        /// Accepted connections that offered ALPN and got no protocol from the server (it has no
        /// ALPN, or chose to answer none); absent when the devices offered no ALPN.
        public var withoutALPN: Int?
    }

    public struct Resumption: Codable, Sendable {
        /// Connections that offered a session from an earlier connection.
        public var offered: Int
        public var resumed: Int
        /// resumed / offered.
        public var rate: Double?
    }

    public struct Counts: Codable, Sendable {
        public var devices: Int
        public var attempted: Int
        public var succeeded: Int
        public var failed: Int
        public var notStarted: Int
        public var peakConnected: Int
        /// Interrupted runs: devices started without an outcome yet. devices = succeeded + failed +
        /// undecided + notStarted, always.
        public var undecided: Int?
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
        /// The application protocol ALPN negotiated (`x-amzn-mqtt-ca`); absent when none was.
        public var alpn: String?
        public var latencyMs: [String: Double]
        /// What the device's clock read when it connected, when it is not real time.
        public var clock: Date?
        /// Connections the device made, when more than one.
        public var connections: Int?
        public var resumed: Bool?
        /// Whether the server asked for a client certificate; `false`: mutual TLS was not tested.
        public var clientCertificateRequested: Bool?
        /// MQTT: the code of the CONNACK (or v5 DISCONNECT) that refused the device, and its reason
        /// string (v5). Absent in older reports.
        public var mqttCode: Int? = nil
        public var mqttReason: String? = nil
        /// The server's OCSP staple as the device judged it: good, absent, revoked, invalid,
        /// missing (`--ocsp staple|must-staple`); absent from the report otherwise.
        public var ocspStaple: String? = nil
        /// `repro`: what the server's staple said (status, dates, responder), TLS 1.2 only.
        public var stapledOCSP: OCSPStapleFacts? = nil
        /// `repro`: the server's chain as the device judged it, and every step with its time.
        public var serverChain: [ServerCertificateFacts]?
        public var trace: [TraceLine]?
    }

    /// One step of a connection: milliseconds since the connection began, direction, what.
    public struct TraceLine: Codable, Sendable {
        public var ms: Double
        public var direction: String
        public var text: String
    }

    public struct CPU: Codable, Sendable {
        public var userSeconds: Double
        public var systemSeconds: Double
        /// The run's CPU over its connection attempts: a device that retried, churned or came back
        /// after a loss paid for each handshake, so dividing by devices would overstate it.
        public var microsPerHandshake: Double?

        /// Microseconds of `seconds` per connection attempt (at least one per device verdict);
        /// nil when nothing was attempted.
        public static func perHandshake(_ seconds: Double, verdicts: Int, attempts: Int) -> Double? {
            let handshakes = max(verdicts, attempts)
            return handshakes > 0 ? seconds / Double(handshakes) * 1e6 : nil
        }
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
