import ArgumentParser
import Fleet
import FleetCore
import FleetTLS

/// The device profile and how the devices behave, overriding the profile: the protocol, TLS constraints and ALPN, the device clock, session
/// resumption, retries and reconnects, churn. Shared by `run` and `repro`.
struct BehaviourOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Device profile (YAML), e.g. devices/tcu.yaml.", valueName: "file"))
    var profile: String?

    @Option(name: .customLong("protocol"), help: "tls: handshake and the server's verdict; mqtt: also CONNECT/CONNACK.")
    var mode: ProtocolMode = .tls

    @Option(
        help: ArgumentHelp(
            "Offer only this TLS version (1.2 or 1.3). (default: the profile's, else 1.2–1.3)",
            valueName: "version"
        )
    )
    var tls: TLSVersion?

    @Option(
        help: ArgumentHelp(
            "wolfSSL cipher list the devices offer, e.g. ECDHE-ECDSA-AES128-CCM-8. (default: the profile's, else AEAD TLS 1.3 and ECDHE suites only)",
            valueName: "list"
        )
    )
    var ciphers: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Ask the server for records of at most 512, 1024, 2048 or 4096 bytes (RFC 6066). (default: the profile's, else no limit)",
            valueName: "bytes"
        )
    )
    var maxFragment: Int?

    @Option(
        help: ArgumentHelp(
            "ALPN protocols the devices offer, most preferred first, comma-separated, e.g. x-amzn-mqtt-ca (AWS IoT Core on port 443) or mqtt. The server chooses; if it chooses none, the connection proceeds. (default: the profile's tls.alpn, else none)",
            valueName: "list"
        )
    )
    var alpn: String?

    @Option(
        help: ArgumentHelp(
            "OCSP stapling: off; staple (ask the server for its certificate's OCSP status and refuse it when the staple says revoked or does not verify; no staple is accepted); must-staple (also refuse a server that sends none). The device never asks a responder itself. (default: the profile's tls.ocsp, else off)",
            valueName: "mode"
        )
    )
    var ocsp: OCSPStapling?

    @Option(
        help: ArgumentHelp(
            "Resume TLS sessions on reconnect: off, tickets, session-ids. (default: the profile's, else off)",
            valueName: "mode"
        )
    )
    var resumption: String?

    @Option(
        help: ArgumentHelp(
            "When a TLS 1.3 device counts as accepted in --protocol tls: first-record (a ticket, data or close_notify), or quiet-period[=DURATION] (also no alert for that long after the handshake; auto: 4 × the TCP round trip, at least 250ms). (default: the profile's, else quiet-period auto)",
            valueName: "policy"
        )
    )
    var tlsAccept: String?

    @Option(
        help: ArgumentHelp(
            "The devices' clocks start at this date, as after a boot without a real-time clock, e.g. 2000-01-01. (default: real time)",
            valueName: "date"
        )
    )
    var clockStart: String?

    @Option(
        help: ArgumentHelp(
            "The devices' clocks run this far ahead (or, negative, behind) real time, e.g. --clock-skew=-400d (negative values need the '='). (default: 0)",
            valueName: "offset"
        )
    )
    var clockSkew: String?

    @Option(
        help: ArgumentHelp(
            "Spread each device's clock evenly over ±this, fixed per device, e.g. 10m. (default: 0)",
            valueName: "duration"
        )
    )
    var clockSpread: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Retries after a failed or lost connection, with backoff. (default: the profile's, else 0)",
            valueName: "n"
        )
    )
    var retries: Int?

    @Flag(
        help:
            "Retry after a verdict too (an alert, an untrusted server, a refused CONNACK), not only after transient failures."
    )
    var retryRejected = false

    @Option(
        help: ArgumentHelp(
            "Backoff between retries: exponential or constant. (default: the profile's, else exponential)",
            valueName: "kind"
        )
    )
    var backoff: String?

    @Option(help: ArgumentHelp("First backoff step, e.g. 1s. (default: the profile's, else 1s)", valueName: "duration"))
    var backoffBase: String?

    @Option(
        help: ArgumentHelp("Longest backoff step, e.g. 60s. (default: the profile's, else 60s)", valueName: "duration")
    )
    var backoffCap: String?

    @Option(
        help: ArgumentHelp(
            "Jitter on backoff and churn pauses: full (0…step) or none. (default: the profile's, else full)",
            valueName: "kind"
        )
    )
    var jitter: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Churn: each device makes N connections (connect, hold, disconnect, pause, reconnect). (default: the profile's, else 1)",
            valueName: "n"
        )
    )
    var churn: Int?

    @Option(
        help: ArgumentHelp(
            "Pause between churn connections, e.g. 500ms. (default: the profile's, else 1s)",
            valueName: "duration"
        )
    )
    var churnPause: String?

    @OptionGroup(title: "MQTT (--protocol mqtt; flags override the profile)") var mqtt: MQTTOptions

    func check() throws {
        try self.mqtt.check()
        if let maxFragment, TLSConfiguration.maxFragmentLengths[maxFragment] == nil {
            throw ValidationError("--max-fragment must be 512, 1024, 2048 or 4096")
        }
        if let alpn {
            do { _ = try ALPNProtocols(list: alpn) } catch { throw ValidationError("--alpn '\(alpn)' \(error)") }
        }
        if let resumption, DeviceProfile.Resumption(rawValue: resumption) == nil {
            throw ValidationError("--resumption '\(resumption)' must be off, tickets or session-ids")
        }
        if let tlsAccept, AcceptPolicy(parsing: tlsAccept) == nil {
            throw ValidationError(
                "--tls-accept '\(tlsAccept)' must be first-record, quiet-period or quiet-period=DURATION (at most 60s)"
            )
        }
        if let clockStart, DeviceClock.parseStart(clockStart) == nil {
            throw ValidationError(
                "--clock-start '\(clockStart)' is not a date (e.g. 2000-01-01 or 2000-01-01T00:00:00Z)"
            )
        }
        if let clockSkew, DurationText.signedSeconds(clockSkew) == nil {
            throw ValidationError(
                "--clock-skew '\(clockSkew)' is not an offset of at most 100 years (e.g. -400d, +10m, 30s)"
            )
        }
        for (name, value) in [
            ("--clock-spread", self.clockSpread), ("--backoff-base", self.backoffBase),
            ("--backoff-cap", self.backoffCap), ("--churn-pause", self.churnPause),
        ] {
            if let value, DurationText.seconds(value) == nil {
                throw ValidationError("\(name) '\(value)' \(DurationText.problem(value))")
            }
        }
        if let retries, !(0...1000).contains(retries) { throw ValidationError("--retries must be 0–1000") }
        if let churn, !(1...10_000).contains(churn) {
            throw ValidationError("--churn must be 1–10000 connections per device")
        }
        if let backoff, ReconnectPolicy.Backoff(rawValue: backoff) == nil {
            throw ValidationError("--backoff '\(backoff)' must be exponential or constant")
        }
        if let jitter, ReconnectPolicy.Jitter(rawValue: jitter) == nil {
            throw ValidationError("--jitter '\(jitter)' must be full or none")
        }
    }

    /// The profile with these flags applied over it.
    func apply(to profile: inout DeviceProfile) {
        if let tls { (profile.minimumVersion, profile.maximumVersion) = (tls, tls) }
        if let ciphers { profile.cipherSuites = ciphers }
        if let maxFragment { profile.maxFragmentLength = maxFragment }
        if let alpn = self.alpn.flatMap({ try? ALPNProtocols(list: $0) }) { profile.alpn = alpn }
        if let mode = self.resumption.flatMap(DeviceProfile.Resumption.init(rawValue:)) { profile.resumption = mode }
        if let ocsp { profile.ocsp = ocsp }
        if let policy = self.tlsAccept.flatMap(AcceptPolicy.init(parsing:)) { profile.accept = policy }
        if let date = self.clockStart.flatMap(DeviceClock.parseStart) { profile.clock.start = date }
        if let skew = self.clockSkew.flatMap(DurationText.signedSeconds) { profile.clock.skew = skew }
        if let spread = self.clockSpread.flatMap(DurationText.seconds) { profile.clock.spread = spread }
        if let retries { profile.reconnect.retries = retries }
        if self.retryRejected { profile.reconnect.retryRejected = true }
        if let backoff = self.backoff.flatMap(ReconnectPolicy.Backoff.init(rawValue:)) {
            profile.reconnect.backoff = backoff
        }
        if let base = self.backoffBase.flatMap(DurationText.seconds) { profile.reconnect.base = base }
        if let cap = self.backoffCap.flatMap(DurationText.seconds) { profile.reconnect.cap = cap }
        if let jitter = self.jitter.flatMap(ReconnectPolicy.Jitter.init(rawValue:)) {
            profile.reconnect.jitter = jitter
        }
        if let churn { profile.churnConnections = churn }
        if let pause = self.churnPause.flatMap(DurationText.seconds) { profile.churnPause = pause }
        self.mqtt.apply(to: &profile)
    }
}
