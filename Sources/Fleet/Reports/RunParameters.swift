import FleetCore
import FleetTLS
import Foundation

/// `parameters` of the JSON report: what `run` was given and what it ran with, so two pages (or a
/// `report diff`) can be told apart — pacing, the device profile after the flags, TLS offered, the
/// fleetsim and wolfSSL versions and which wolfSSL build was loaded. Optional in the report: older
/// reports have none.
///
/// There is no seed: fleetsim draws jitter from the system's generator, so a run is not replayable
/// by seed (`repro` replays one device instead).
public struct RunParameters: Codable, Sendable, Equatable {
    public var fleetsimVersion: String
    /// The wolfSSL loaded at run time, and which build: `debian` (generic C P-256) or `fast`
    /// (`make wolfssl-fast`, P-256 assembly).
    public var wolfSSLVersion: String
    public var wolfSSLBuild: String
    public var target: String
    public var serverName: String
    public var `protocol`: String
    public var mqttVersion: String?
    /// The profile's `name` (`default` without `--profile`).
    public var profile: String
    /// Starts per second (nil: as fast as the concurrency allows), ramp, concurrency, duration and
    /// hold in seconds, as given.
    public var rate: Double?
    public var rampSeconds: Double?
    public var concurrency: Int?
    public var durationSeconds: Double?
    public var holdSeconds: Double?
    /// Devices this run (this shard) had.
    public var devices: Int
    public var tlsVersions: String
    public var groups: [String]
    /// The cipher suite list offered (wolfSSL's syntax); nil: wolfSSL's defaults.
    public var cipherSuites: String?
    public var resumption: String
    public var alpn: [String]?
    public var ocsp: String
    public var accept: String
    /// Retries after a failure (the profile's `reconnect.retries`), whether rejected devices retry
    /// too, and the backoff: `exponential, jitter full, 1s–1m`.
    public var retries: Int
    public var retryRejected: Bool
    public var backoff: String
    public var churnConnections: Int
    /// The device clock when it is not real time (`start`, skew, spread).
    public var clock: String?
    /// The command line after `run`, with `--shard` left out (it differs between shards by design).
    public var arguments: [String]
    /// Merged reports only: the fields whose values differ between the shards (the values shown
    /// are the first shard's); absent when all agree.
    public var differing: [String]? = nil

    public init(settings: RunSettings, tls: String, devices: Int, fleetsimVersion: String, arguments: [String]) {
        let profile = settings.profile
        self.fleetsimVersion = fleetsimVersion
        self.wolfSSLVersion = WolfSSLLibrary.version
        self.wolfSSLBuild = WolfSSLBuild.hasP256Assembly ? "fast" : "debian"
        self.target = "\(settings.host):\(settings.port)"
        self.serverName = settings.effectiveServerName
        self.protocol = settings.mode.rawValue
        self.mqttVersion = settings.mode == .mqtt ? profile.mqtt.version.rawValue : nil
        self.profile = profile.name
        self.rate = settings.rate
        self.rampSeconds = settings.ramp > 0 ? settings.ramp : nil
        self.concurrency = settings.concurrency
        self.durationSeconds = settings.duration
        self.holdSeconds = settings.hold
        self.devices = devices
        self.tlsVersions = tls
        self.groups = profile.groups.map(\.rawValue)
        self.cipherSuites = profile.cipherSuites
        self.resumption = profile.resumption.rawValue
        self.alpn = profile.alpn?.names
        self.ocsp = profile.ocsp.rawValue
        self.accept = profile.accept.description
        let policy = profile.reconnect
        self.retries = policy.retries
        self.retryRejected = policy.retryRejected
        self.backoff =
            "\(policy.backoff.rawValue), jitter \(policy.jitter.rawValue), "
            + "\(DurationText.format(policy.base))–\(DurationText.format(policy.cap))"
        self.churnConnections = profile.churnConnections
        self.clock =
            profile.clock.isReal
            ? nil
            : [
                profile.clock.start.map { "start \(ISO8601DateFormatter().string(from: $0))" },
                profile.clock.skew != 0 ? "skew \(DurationText.format(profile.clock.skew))" : nil,
                profile.clock.spread != 0 ? "spread \(DurationText.format(profile.clock.spread))" : nil,
            ].compactMap { $0 }.joined(separator: ", ")
        self.arguments = Self.withoutShard(arguments)
    }

    /// `arguments` without `--shard K/N` / `--shard=K/N`.
    static func withoutShard(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext {
                skipNext = false
            } else if argument == "--shard" {
                skipNext = true
            } else if !argument.hasPrefix("--shard=") {
                kept.append(argument)
            }
        }
        return kept
    }

    /// The parameters of a merged report: the first shard's, devices summed, and the names of the
    /// fields that differ between shards in ``differing``. Nil when no shard has parameters.
    static func merged(_ parts: [RunParameters?]) -> RunParameters? {
        let present = parts.compactMap { $0 }
        guard var merged = present.first else { return nil }
        merged.devices = present.reduce(0) { $0 + $1.devices }
        let fields = present.map { Self.fields($0) }
        var differing: Set<String> = parts.contains { $0 == nil } ? ["(shards without parameters)"] : []
        for key in Set(fields.flatMap(\.keys)) where key != "devices" && key != "differing" {
            let values = fields.map { $0[key] ?? "null" }
            if Set(values).count > 1 { differing.insert(key) }
        }
        for part in present { differing.formUnion(part.differing ?? []) }
        merged.differing = differing.isEmpty ? nil : differing.sorted()
        return merged
    }

    /// Each field as its JSON text, for comparison (every field, present in future versions too).
    static func fields(_ parameters: RunParameters) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(parameters),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        var fields: [String: String] = [:]
        for (key, value) in object {
            let text = (try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])) ?? Data()
            fields[key] = String(decoding: text, as: UTF8.self)
        }
        return fields
    }
}
