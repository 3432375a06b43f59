import FleetCore
import FleetTLS
import Foundation
import Yams

/// How a kind of device behaves (`devices/*.yaml`): TLS versions, groups and suites, server name,
/// timeouts, MQTT settings. Values the run's flags set (e.g. `--tls`) override the profile's.
public struct DeviceProfile: Sendable, Equatable {
    public var name = "default"
    public var minimumVersion: TLSVersion = .v1_2
    public var maximumVersion: TLSVersion = .v1_3
    public var groups: [TLSGroup] = [.secp256r1, .secp384r1, .x25519]
    public var cipherSuites: String?
    public var serverName: String?
    public var connectTimeout: Double = 5
    public var handshakeTimeout: Double = 10
    public var acceptTimeout: Double = 5
    public var keepAlive: Double = 60
    /// The telemetry topic, a template over `{id}`, `{cn}`, `{serialNumber}`, `{san}`.
    public var topic = try! MQTTTemplate(parsing: "devices/{id}/telemetry")
    public var payloadBytes = 128
    /// Seconds between telemetry publishes while held; 0 = publish once after CONNACK, nil = never.
    public var publishInterval: Double? = nil
    public var qos: UInt8 = 0
    /// Version, client id, user name, password source, subscription, MQTT 5 properties.
    public var mqtt = MQTTProfile()
    /// RFC 6066 max fragment length the device asks for (512–4096); nil = none.
    public var maxFragmentLength: Int?
    /// How the device resumes its TLS session on its next connection.
    public var resumption: Resumption = .off
    /// ALPN protocols the device offers (`tls.alpn`), e.g. `x-amzn-mqtt-ca` for AWS IoT Core on
    /// port 443; nil = none offered.
    public var alpn: ALPNProtocols?
    /// `tls.ocsp`: whether the device asks for the server's stapled OCSP status, and requires it.
    public var ocsp: OCSPStapling = .off
    /// When a TLS 1.3 device in `tls` mode counts as accepted (servers that send no ticket).
    public var accept = AcceptPolicy.default
    /// `trust.device-ca`: the CA file the backend trusts for devices (refused devices are diagnosed
    /// against it), resolved against the profile's folder; nil = the server's CA.
    public var deviceCAPath: String?
    /// The device's own clock (by which it judges the server's certificate).
    public var clock = DeviceClock()
    /// Retries after a failure, reconnects after a lost connection.
    public var reconnect = ReconnectPolicy()
    /// Connections per device in churn mode (connect, hold, disconnect, pause, reconnect); 1 = no churn.
    public var churnConnections = 1
    /// Seconds between a churn disconnect and the next connection (jittered like reconnects).
    public var churnPause: Double = 1

    public enum Resumption: String, Sendable, CaseIterable {
        /// Every connection is a full handshake.
        case off
        /// Resume with the session ticket the server sent (TLS 1.3; TLS 1.2 with RFC 5077 tickets).
        case tickets
        /// TLS 1.2: resume by session id only (no ticket extension offered). TLS 1.3 has only tickets.
        case sessionIDs = "session-ids"
    }

    public init() {}

    /// A profile file could not be used: the message names the file and the key.
    ///
    /// Callers tell errors apart by ``code`` and ``key``, never by the message.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// What is wrong with the profile, as a stable identifier.
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// The file does not exist or cannot be read.
            case unreadableFile = "unreadable-file"
            /// The text is not YAML.
            case notYAML = "not-yaml"
            /// The top level is not a mapping of settings.
            case notAMapping = "not-a-mapping"
            /// A key the profile format does not have (a typo must not fall back to a default).
            case unknownKey = "unknown-key"
            /// A known key with a value of the wrong type or out of range.
            case badValue = "bad-value"
        }

        public let code: Code
        /// The profile file.
        public let path: String
        /// The key path the error is about (`reconnect.jitter`), for `unknown-key` and `bad-value`.
        public let key: String?
        public let description: String

        init(_ code: Code, path: String, key: String? = nil, _ description: String) {
            self.code = code
            self.path = path
            self.key = key
            self.description = description
        }
    }

    /// Loads a YAML profile. Unknown keys are an error, not ignored: a typo must not silently fall
    /// back to a default.
    public static func load(path: String) throws(LoadError) -> DeviceProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(.unreadableFile, path: path, "\(path): no such profile (see devices/ for examples)")
        }
        let node: Any?
        do {
            node = try Yams.load(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw LoadError(.notYAML, path: path, "\(path): not valid YAML (\(error))")
        }
        guard let root = node as? [String: Any] else {
            throw LoadError(.notAMapping, path: path, "\(path): expected a mapping of settings at the top level")
        }
        var profile = DeviceProfile()
        try profile.apply(root, path: path)
        return profile
    }

    private mutating func apply(_ root: [String: Any], path: String) throws(LoadError) {
        let reader = Reader(path: path)
        try self.applyBehaviour(root, reader: reader)
        try reader.allow(
            root,
            ["name", "description", "tls", "timeouts", "mqtt", "clock", "reconnect", "churn", "trust"],
            in: ""
        )
        if let name = root["name"] { self.name = try reader.string(name, "name") }
        if let tls = root["tls"] {
            let tls = try reader.mapping(tls, "tls")
            try reader.allow(
                tls,
                [
                    "versions", "groups", "cipher-suites", "server-name", "max-fragment-length", "resumption", "accept",
                    "alpn", "ocsp",
                ],
                in: "tls."
            )
            if let v = tls["ocsp"] {
                // YAML reads a bare `off` as false.
                let text = v as? Bool == false ? "off" : "\(v)"
                guard let mode = OCSPStapling(rawValue: text) else {
                    throw reader.error("tls.ocsp", "'\(v)' is not one of off, staple, must-staple")
                }
                self.ocsp = mode
            }
            if let v = tls["alpn"] { self.alpn = try reader.alpn(v, "tls.alpn") }
            if let v = tls["max-fragment-length"] {
                guard let n = v as? Int, TLSConfiguration.maxFragmentLengths[n] != nil else {
                    throw reader.error("tls.max-fragment-length", "must be 512, 1024, 2048 or 4096")
                }
                self.maxFragmentLength = n
            }
            if let v = tls["resumption"] {
                let text = v as? Bool == false ? "off" : "\(v)"
                guard let mode = Resumption(rawValue: text) else {
                    throw reader.error("tls.resumption", "'\(v)' is not one of off, tickets, session-ids")
                }
                self.resumption = mode
            }
            if let v = tls["accept"] {
                guard let policy = AcceptPolicy(parsing: "\(v)") else {
                    throw reader.error(
                        "tls.accept",
                        "'\(v)' is not first-record, quiet-period or quiet-period DURATION (≤ 60s)"
                    )
                }
                self.accept = policy
            }
            if let versions = tls["versions"] {
                let parsed = try reader.list(versions, "tls.versions").map { value throws(LoadError) -> TLSVersion in
                    guard let version = TLSVersion(rawValue: "\(value)") else {
                        throw reader.error("tls.versions", "'\(value)' is not a TLS version (1.2 or 1.3)")
                    }
                    return version
                }
                guard let low = parsed.min(), let high = parsed.max() else {
                    throw reader.error("tls.versions", "is empty")
                }
                self.minimumVersion = low
                self.maximumVersion = high
            }
            if let groups = tls["groups"] {
                self.groups = try reader.list(groups, "tls.groups").map { value throws(LoadError) in
                    guard let group = TLSGroup(rawValue: "\(value)") else {
                        throw reader.error(
                            "tls.groups",
                            "'\(value)' is not one of \(TLSGroup.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    return group
                }
            }
            if let suites = tls["cipher-suites"] { self.cipherSuites = try reader.string(suites, "tls.cipher-suites") }
            if let name = tls["server-name"] { self.serverName = try reader.string(name, "tls.server-name") }
        }
        if let trust = root["trust"] {
            let trust = try reader.mapping(trust, "trust")
            try reader.allow(trust, ["device-ca"], in: "trust.")
            if let v = trust["device-ca"] {
                let path = try reader.string(v, "trust.device-ca")
                let folder = (reader.path as NSString).deletingLastPathComponent
                self.deviceCAPath = path.hasPrefix("/") || folder.isEmpty ? path : "\(folder)/\(path)"
            }
        }
        if let timeouts = root["timeouts"] {
            let timeouts = try reader.mapping(timeouts, "timeouts")
            try reader.allow(timeouts, ["connect", "handshake", "accept"], in: "timeouts.")
            if let v = timeouts["connect"] { self.connectTimeout = try reader.duration(v, "timeouts.connect") }
            if let v = timeouts["handshake"] { self.handshakeTimeout = try reader.duration(v, "timeouts.handshake") }
            if let v = timeouts["accept"] { self.acceptTimeout = try reader.duration(v, "timeouts.accept") }
        }
        if let mqtt = root["mqtt"] {
            let mqtt = try reader.mapping(mqtt, "mqtt")
            try reader.allow(
                mqtt,
                [
                    "keep-alive", "topic", "payload-bytes", "publish-interval", "qos", "version", "client-id",
                    "username", "password-env", "password-file", "subscribe", "session-expiry", "receive-maximum",
                ],
                in: "mqtt."
            )
            try self.mqtt.apply(mqtt, reader: reader)
            if let v = mqtt["keep-alive"] { self.keepAlive = try reader.duration(v, "mqtt.keep-alive") }
            if let v = mqtt["topic"] { self.topic = try reader.template(v, "mqtt.topic") }
            if let v = mqtt["payload-bytes"] {
                guard let n = v as? Int, (0...65_536).contains(n) else {
                    throw reader.error("mqtt.payload-bytes", "must be 0–65536")
                }
                self.payloadBytes = n
            }
            if let v = mqtt["publish-interval"] {
                self.publishInterval = try reader.duration(v, "mqtt.publish-interval")
            }
            if let v = mqtt["qos"] {
                guard let n = v as? Int, n == 0 || n == 1 else { throw reader.error("mqtt.qos", "must be 0 or 1") }
                self.qos = UInt8(n)
            }
        }
    }

    private mutating func applyBehaviour(_ root: [String: Any], reader: Reader) throws(LoadError) {
        if let clock = root["clock"] {
            let clock = try reader.mapping(clock, "clock")
            try reader.allow(clock, ["start", "skew", "spread"], in: "clock.")
            if let v = clock["start"] {
                // YAML reads an unquoted 2000-01-01 as a timestamp already.
                guard let date = v as? Date ?? DeviceClock.parseStart("\(v)") else {
                    throw reader.error("clock.start", "'\(v)' is not a date (e.g. 2000-01-01 or 2000-01-01T00:00:00Z)")
                }
                self.clock.start = date
            }
            if let v = clock["skew"] {
                guard let seconds = DurationText.signedSeconds(v is Int ? "\(v)s" : "\(v)") else {
                    throw reader.error(
                        "clock.skew",
                        "'\(v)' is not an offset of at most 100 years (e.g. -90d, +10m, 30s)"
                    )
                }
                self.clock.skew = seconds
            }
            if let v = clock["spread"] { self.clock.spread = try reader.duration(v, "clock.spread") }
        }
        if let reconnect = root["reconnect"] {
            let reconnect = try reader.mapping(reconnect, "reconnect")
            try reader.allow(
                reconnect,
                ["backoff", "jitter", "base", "cap", "retries", "retry-rejected"],
                in: "reconnect."
            )
            if let v = reconnect["retry-rejected"] {
                guard let flag = v as? Bool else {
                    throw reader.error("reconnect.retry-rejected", "must be true or false")
                }
                self.reconnect.retryRejected = flag
            }
            if let v = reconnect["backoff"] {
                guard let backoff = ReconnectPolicy.Backoff(rawValue: "\(v)") else {
                    throw reader.error("reconnect.backoff", "'\(v)' is not one of exponential, constant")
                }
                self.reconnect.backoff = backoff
            }
            if let v = reconnect["jitter"] {
                let text = v as? Bool == false ? "none" : "\(v)"
                guard let jitter = ReconnectPolicy.Jitter(rawValue: text) else {
                    throw reader.error("reconnect.jitter", "'\(v)' is not one of full, none")
                }
                self.reconnect.jitter = jitter
            }
            if let v = reconnect["base"] { self.reconnect.base = try reader.duration(v, "reconnect.base") }
            if let v = reconnect["cap"] { self.reconnect.cap = try reader.duration(v, "reconnect.cap") }
            if let v = reconnect["retries"] {
                guard let n = v as? Int, (0...1000).contains(n) else {
                    throw reader.error("reconnect.retries", "must be 0–1000")
                }
                self.reconnect.retries = n
            }
        }
        if let churn = root["churn"] {
            let churn = try reader.mapping(churn, "churn")
            try reader.allow(churn, ["connections", "pause"], in: "churn.")
            if let v = churn["connections"] {
                guard let n = v as? Int, (1...10_000).contains(n) else {
                    throw reader.error("churn.connections", "must be 1–10000")
                }
                self.churnConnections = n
            }
            if let v = churn["pause"] { self.churnPause = try reader.duration(v, "churn.pause") }
        }
    }
}
