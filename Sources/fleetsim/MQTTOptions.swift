import ArgumentParser
import Fleet
import FleetCore
import Foundation

/// How devices speak MQTT (`--protocol mqtt`), overriding the profile's `mqtt.*`: version, names,
/// password source, QoS, telemetry and subscription. Shared by `run` and `repro`.
struct MQTTOptions: ParsableArguments {
    @Option(
        name: .customLong("mqtt"),
        help: ArgumentHelp("MQTT version: 3.1.1 or 5. (default: the profile's, else 3.1.1)", valueName: "version")
    )
    var version: String?

    @Option(
        help: ArgumentHelp(
            "Client id template over {id} (file stem), {cn}, {serialNumber}, {san}. (default: the profile's, else {id})",
            valueName: "template"
        )
    )
    var mqttClientID: String?

    @Option(
        help: ArgumentHelp(
            "User name template, e.g. 'hub.azure-devices.net/{id}/?api-version=2021-04-12'. (default: the profile's, else none)",
            valueName: "template"
        )
    )
    var mqttUsername: String?

    @Option(
        help: ArgumentHelp("Read the MQTT password from this environment variable.", valueName: "name")
    )
    var mqttPasswordEnv: String?

    @Option(help: ArgumentHelp("Read the MQTT password from this file (one line).", valueName: "file"))
    var mqttPasswordFile: String?

    @Option(help: ArgumentHelp("Telemetry topic template. (default: the profile's)", valueName: "template"))
    var mqttTopic: String?

    @Option(
        help: ArgumentHelp(
            "Subscribe to this (cloud-to-device) topic template once accepted. (default: the profile's, else none)",
            valueName: "template"
        )
    )
    var mqttSubscribe: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "QoS of publishes and the subscription: 0 or 1. (default: the profile's, else 0)",
            valueName: "qos"
        )
    )
    var mqttQos: Int?

    @Option(
        help: ArgumentHelp(
            "Publish telemetry this often while held; 0 = once after CONNACK. (default: the profile's, else never)",
            valueName: "duration"
        )
    )
    var publishInterval: String?

    func check() throws {
        if let version, MQTTVersion(rawValue: version) == nil {
            throw ValidationError("--mqtt '\(version)' must be 3.1.1 or 5")
        }
        for (flag, value) in [
            ("--mqtt-client-id", self.mqttClientID), ("--mqtt-username", self.mqttUsername),
            ("--mqtt-topic", self.mqttTopic), ("--mqtt-subscribe", self.mqttSubscribe),
        ] {
            guard let value else { continue }
            do {
                _ = try MQTTTemplate(parsing: value)
            } catch {
                throw ValidationError("\(flag) '\(value)' \(error.description)")
            }
        }
        if self.mqttPasswordEnv != nil && self.mqttPasswordFile != nil {
            throw ValidationError("--mqtt-password-env and --mqtt-password-file are exclusive: give one")
        }
        if let mqttQos, !(0...1).contains(mqttQos) { throw ValidationError("--mqtt-qos must be 0 or 1") }
        if let publishInterval, self.publishSeconds == nil {
            throw ValidationError("--publish-interval '\(publishInterval)' \(DurationText.problem(publishInterval))")
        }
    }

    /// The profile with these flags applied over it (``check()`` has passed).
    func apply(to profile: inout DeviceProfile) {
        if let version = self.version.flatMap(MQTTVersion.init(rawValue:)) { profile.mqtt.version = version }
        if let t = self.mqttClientID.flatMap({ try? MQTTTemplate(parsing: $0) }) { profile.mqtt.clientID = t }
        if let t = self.mqttUsername.flatMap({ try? MQTTTemplate(parsing: $0) }) { profile.mqtt.username = t }
        if let t = self.mqttTopic.flatMap({ try? MQTTTemplate(parsing: $0) }) { profile.topic = t }
        if let t = self.mqttSubscribe.flatMap({ try? MQTTTemplate(parsing: $0) }) { profile.mqtt.subscribe = t }
        if let name = self.mqttPasswordEnv { profile.mqtt.password = .environment(name) }
        if let path = self.mqttPasswordFile { profile.mqtt.password = .file(path) }
        if let qos = self.mqttQos { profile.qos = UInt8(qos) }
        if let interval = self.publishSeconds { profile.publishInterval = interval }
    }

    /// `--publish-interval` in seconds; a bare `0` (publish once) needs no unit.
    var publishSeconds: Double? {
        self.publishInterval.flatMap { $0 == "0" ? 0 : DurationText.seconds($0) }
    }

    /// Reads the password from where the profile or the flags say; an unset variable or an
    /// unreadable file is an error that names it, before any device connects.
    static func password(_ source: MQTTProfile.SecretSource?) throws -> [UInt8]? {
        switch source {
        case nil:
            return nil
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw InputError(
                    .mqttPasswordUnavailable,
                    "the MQTT password's environment variable \(name) is unset or empty: export it, or use --mqtt-password-file"
                )
            }
            return Array(value.utf8)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError(
                    .mqttPasswordUnavailable,
                    "\(path): the MQTT password file cannot be read",
                    path: path
                )
            }
            // One line: a trailing newline (as editors and `echo` write it) is not part of the password.
            var bytes = Array(data)
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            guard bytes.count <= Int(UInt16.max) else {
                throw InputError(
                    .mqttPasswordUnavailable,
                    "\(path): longer than an MQTT password can be (65,535 bytes)",
                    path: path
                )
            }
            return bytes
        }
    }
}
