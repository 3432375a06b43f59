import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// The refusals that come after TLS (#14), against real peers: Mosquitto 2 in MQTT 3.1.1 and 5
/// (client id prefixes, an ACL, a password file) and a Python server that closes after CONNECT the
/// way AWS IoT Core refuses a policy or registers a new certificate just in time.
@Suite(.serialized) struct MQTTRefusalTests {
    /// A PKI of three good devices (`tcu-00001`…), whose CN and serialNumber are their ids.
    static func fleet() async throws -> (TemporaryDirectory, PKILayout) {
        let directory = try TemporaryDirectory(prefix: "fleetsim-mqtt")
        var pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: .ecdsaP256,
            serverNames: ["localhost", "127.0.0.1"],
            force: false
        )
        _ = try await pki.issueDevices(count: 3, prefix: "tcu-", defect: .none, algorithm: .ecdsaP256)
        return (directory, pki.layout)
    }

    struct Run {
        let status: Int32
        let report: [String: Any]
        var failures: [String: Int] { self.report["failures"] as? [String: Int] ?? [:] }
        var mqtt: [String: Any] { self.report["mqtt"] as? [String: Any] ?? [:] }
        var devices: [[String: Any]] { self.report["devices"] as? [[String: Any]] ?? [] }
        var connectionOutcomes: [String: Int] {
            (self.report["connections"] as? [String: Any])?["outcomes"] as? [String: Int] ?? [:]
        }
    }

    static func run(
        _ layout: PKILayout,
        port: Int,
        _ extra: [String],
        in directory: TemporaryDirectory,
        environment: [String: String] = [:]
    ) async throws -> Run {
        let json = directory.path("report-\(UUID().uuidString.prefix(6)).json")
        let result = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(port)", "--dir", layout.directory, "--server-name", "localhost",
                "--protocol", "mqtt", "--json", json, "--quiet",
            ] + extra,
            in: directory,
            environment: environment
        )
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(result.output)")
        return Run(status: result.status, report: report)
    }

    /// Mosquitto answers with reason codes in MQTT 5 and (less) in 3.1.1: a client id outside
    /// `clientid_prefixes` is refused at CONNACK; a publish the ACL denies (another device's topic,
    /// or a read-only user) gets PUBACK 0x87 in v5 and is dropped silently (PUBACK success) in 3.1.1.
    @Test(arguments: ["3.1.1", "5"])
    func mosquittoReasonCodes(version: String) async throws {
        let (directory, layout) = try await Self.fleet()
        defer { directory.remove() }
        // Devices may publish under their own topic (the pattern); tcu-00003 is a user that may only read.
        let acl = try directory.write(
            "acl",
            "user tcu-00001\ntopic readwrite devices/tcu-00001/#\nuser tcu-00002\ntopic readwrite devices/tcu-00002/#\n"
                + "user tcu-00003\ntopic read devices/tcu-00003/#\n"
        )
        let broker = try await MosquittoBroker(
            layout: layout,
            version: nil,
            in: directory,
            extra: "clientid_prefixes tcu-\nacl_file \(acl)"
        )
        defer { broker.stop() }
        let v5 = version == "5"
        let traffic = ["--mqtt", version, "--mqtt-qos", "1", "--publish-interval", "0", "--hold", "1s"]

        let allowed = try await Self.run(
            layout,
            port: broker.port,
            traffic + ["--mqtt-subscribe", "devices/{id}/commands"],
            in: directory
        )
        #expect(allowed.failures.isEmpty, "\(broker.process.stderr.suffix(800))")
        #expect(allowed.mqtt["version"] as? String == version)
        #expect(allowed.mqtt["published"] as? Int == 3)
        // Nobody subscribes to telemetry: MQTT 5 says so in the PUBACK; the read-only user is denied
        // (3.1.1 has no way to say it: the publish is dropped and acknowledged).
        #expect(
            allowed.mqtt["pubacks"] as? [String: Int]
                == (v5 ? ["no-matching-subscribers": 2, "not-authorized": 1] : ["success": 3])
        )
        #expect(allowed.mqtt["subacks"] as? [String: Int] == ["granted-qos-1": 3])
        let latency = try #require(allowed.report["latencyMs"] as? [String: [String: Double]])
        #expect(latency["mqttPuback"]?["count"] == 3)

        let denied = try await Self.run(
            layout,
            port: broker.port,
            traffic + ["--mqtt-topic", "other/{id}"],
            in: directory
        )
        #expect(denied.failures.isEmpty)
        #expect(denied.mqtt["pubacks"] as? [String: Int] == [v5 ? "not-authorized" : "success": 3])

        let refused = try await Self.run(
            layout,
            port: broker.port,
            ["--mqtt", version, "--mqtt-client-id", "x-{id}"],
            in: directory
        )
        #expect(refused.failures == ["mqtt-refused:not-authorized": 3])
        #expect(refused.devices.map { $0["mqttCode"] as? Int } == Array(repeating: v5 ? 0x87 : 5, count: 3))
    }

    /// User name and password from a template and an environment variable, checked by Mosquitto's
    /// password file.
    @Test(arguments: ["3.1.1", "5"])
    func userNameAndPassword(version: String) async throws {
        let (directory, layout) = try await Self.fleet()
        defer { directory.remove() }
        let passwords = directory.path("passwords")
        for id in ["tcu-00001", "tcu-00002", "tcu-00003"] {
            let made = try await ForeignProcess.run(
                "mosquitto_passwd",
                (id == "tcu-00001" ? ["-c"] : []) + ["-b", passwords, id, "s3cret"],
                in: directory
            )
            #expect(made.status == 0, "\(made.output)")
        }
        let broker = try await MosquittoBroker(
            layout: layout,
            version: nil,
            in: directory,
            extra: "password_file \(passwords)",
            identityAsUsername: false
        )
        defer { broker.stop() }
        let login = ["--mqtt", version, "--mqtt-username", "{cn}", "--mqtt-password-env", "FLEET_MQTT_PASSWORD"]
        let right = try await Self.run(
            layout,
            port: broker.port,
            login,
            in: directory,
            environment: ["FLEET_MQTT_PASSWORD": "s3cret"]
        )
        #expect(right.failures.isEmpty, "\(broker.process.stderr.suffix(800))")
        let wrong = try await Self.run(
            layout,
            port: broker.port,
            login,
            in: directory,
            environment: ["FLEET_MQTT_PASSWORD": "guess"]
        )
        #expect(wrong.failures == ["mqtt-refused:not-authorized": 3])

        // No password where the flag says: an error before any device connects, nothing written.
        let unset = try await FleetsimBinary.run(
            ["run", "--target", "127.0.0.1:\(broker.port)", "--dir", layout.directory, "--protocol", "mqtt"]
                + ["--mqtt-password-env", "FLEET_UNSET_VARIABLE"],
            in: directory
        )
        #expect(unset.status == 2)
        #expect(unset.inputErrorCode == "mqtt-password-unavailable")
    }

    static func server(
        _ behaviour: PythonMQTTServer.Behaviour,
        tls: String,
        _ layout: PKILayout,
        in directory: TemporaryDirectory
    ) async throws -> PythonMQTTServer {
        try await PythonMQTTServer(
            certfile: layout.serverCertificate,
            keyfile: layout.serverKey,
            cafile: layout.rootCertificate,
            behaviour: behaviour,
            tlsVersion: tls,
            in: directory
        )
    }

    /// A server that accepts TLS and closes after CONNECT: `closed-after-connect`, not a TLS close.
    @Test(arguments: ["1.2", "1.3"])
    func aCloseAfterConnectIsItsOwnOutcome(tls: String) async throws {
        let (directory, layout) = try await Self.fleet()
        defer { directory.remove() }
        let server = try await Self.server(.closeAfterConnect, tls: tls, layout, in: directory)
        defer { server.stop() }
        let run = try await Self.run(layout, port: server.port, ["--tls", tls], in: directory)
        #expect(run.failures == ["closed-after-connect": 3], "\(server.process.stdout.suffix(600))")
        #expect(Set(run.devices.map { $0["outcome"] as? String }) == ["closed-after-connect"])
    }

    /// The device frames MQTT itself (#18): a CONNACK split over two TLS records is one packet; a
    /// CONNACK with a flag set, or cut short by the server's close, is the server's `protocol-error`.
    @Test(arguments: [
        (PythonMQTTServer.Behaviour.splitConnack, "ok"),
        (.malformedConnack, "protocol-error"),
        (.cutConnack, "protocol-error"),
    ])
    func theDeviceFramesWhatTheServerSends(behaviour: PythonMQTTServer.Behaviour, expected: String) async throws {
        let (directory, layout) = try await Self.fleet()
        defer { directory.remove() }
        let server = try await Self.server(behaviour, tls: "1.3", layout, in: directory)
        defer { server.stop() }
        let run = try await Self.run(layout, port: server.port, ["--tls", "1.3", "--per-device"], in: directory)
        #expect(Set(run.devices.map { $0["outcome"] as? String }) == [expected], "\(server.process.stdout.suffix(600))")
        #expect(run.connectionOutcomes == [expected: 3])
    }

    /// Just-in-time registration closes a new certificate's first connection by design: with one
    /// retry every device is `ok` on its second connection, and the report counts both.
    @Test func justInTimeRegistrationIsOkOnTheSecondConnection() async throws {
        let (directory, layout) = try await Self.fleet()
        defer { directory.remove() }
        let server = try await Self.server(.justInTimeRegistration, tls: "1.3", layout, in: directory)
        defer { server.stop() }
        let run = try await Self.run(
            layout,
            port: server.port,
            ["--retries", "1", "--backoff-base", "10ms", "--per-device"],
            in: directory
        )
        #expect(run.status == 0)
        #expect(run.failures.isEmpty, "\(server.process.stdout.suffix(600))")
        #expect(run.connectionOutcomes == ["closed-after-connect": 3, "ok": 3])
        #expect(run.devices.map { $0["connections"] as? Int } == [2, 2, 2])
    }
}
