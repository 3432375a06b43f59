import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// `serve --personality`: the backend refuses devices after TLS the way each cloud does, so CI
/// reproduces cloud refusals without the cloud (#14). Real peers: fleetsim devices of every defect
/// kind, and `mosquitto_pub` in MQTT 3.1.1 and 5.
@Suite(.serialized) struct ServePersonalityTests {
    static let azureUser = "test-hub.azure-devices.net/{id}/?api-version=2021-04-12"

    struct Backend {
        let server: FleetsimServer
        let audit: AuditLogFile
    }

    static func serve(_ fixture: PKIFixture, _ arguments: [String]) async throws -> Backend {
        let audit = AuditLogFile(fixture.directory.path("audit-\(UUID().uuidString.prefix(6)).jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--audit", audit.path] + arguments,
            in: fixture.directory
        )
        return Backend(server: server, audit: audit)
    }

    /// Runs the whole fixture's fleet in MQTT mode; every device's outcome, and the report.
    static func run(_ fixture: PKIFixture, port: Int, _ extra: [String]) async throws -> (
        outcomes: [String: String], report: [String: Any]
    ) {
        let json = fixture.directory.path("report-\(UUID().uuidString.prefix(6)).json")
        let result = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost", "--protocol", "mqtt", "--json", json, "--per-device", "--quiet",
            ] + extra,
            in: fixture.directory
        )
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(result.output)")
        let devices = report["devices"] as? [[String: Any]] ?? []
        return (
            Dictionary(uniqueKeysWithValues: devices.map { ($0["id"] as! String, $0["outcome"] as! String) }),
            report
        )
    }

    /// Every personality refuses the defects at TLS exactly as the default backend does, and judges
    /// the good devices at CONNECT its own way.
    @Test(arguments: [
        // personality, extra run flags, what a good device gets
        ("mosquitto", [String](), "ok"),
        ("azure-iot-hub", ["--mqtt-username", Self.azureUser], "ok"),
        ("azure-iot-hub", [], "mqtt-refused:not-authorized"),  // no user name
        ("azure-iot-hub", ["--mqtt", "5", "--mqtt-username", Self.azureUser], "mqtt-refused:protocol-version"),
        ("aws-iot-core", [], "ok"),
        ("aws-iot-core", ["--mqtt-client-id", "x-{id}"], "closed-after-connect"),  // policy denial, 3.1.1
        ("aws-iot-core", ["--mqtt", "5", "--mqtt-client-id", "x-{id}"], "mqtt-refused:not-authorized"),
        ("mosquitto", ["--mqtt", "5", "--mqtt-client-id", "x-{id}"], "mqtt-refused:not-authorized"),
    ])
    func theDefectMatrix(personality: String, extra: [String], good: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let backend = try await Self.serve(fixture, ["--personality", personality])
        defer { backend.server.stop() }
        let (outcomes, _) = try await Self.run(fixture, port: backend.server.port, extra)
        for device in fixture.pki.manifest.devices {
            let expected = device.defect == .none ? good : ServeCommandTests.backendVerdicts[device.defect]!
            #expect(outcomes[device.id] == expected, "\(personality) \(extra): \(device.id) (\(device.defect))")
        }
        if good != "ok" {
            let ids = fixture.pki.manifest.devices.filter { $0.defect == .none }.map(\.id)
            let records = try await backend.audit.waitForDevices(ids)
            #expect(Set(records.filter { ids.contains($0.deviceID ?? "") }.map(\.outcome)) == [good])
            #expect(records.allSatisfy { $0.phase == "mqtt" || !ids.contains($0.deviceID ?? "") })
        }
    }

    /// A registry of one device: the other good device completes TLS and is refused at CONNECT —
    /// CONNACK 5 on IoT Hub, a close without CONNACK on AWS IoT Core (MQTT 3.1.1).
    @Test(arguments: [
        ("azure-iot-hub", ["--mqtt-username", Self.azureUser], "mqtt-refused:not-authorized"),
        ("aws-iot-core", [String](), "closed-after-connect"),
    ])
    func theRegistryIsJudgedAtConnect(personality: String, extra: [String], unknown: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let good = fixture.pki.manifest.devices.filter { $0.defect == .none }.map(\.id).sorted()
        let registry = try fixture.directory.write("registry.txt", "# registered\n\(good[0])\n")
        let backend = try await Self.serve(fixture, ["--personality", personality, "--registry", registry])
        defer { backend.server.stop() }
        let (outcomes, _) = try await Self.run(fixture, port: backend.server.port, extra)
        #expect(outcomes[good[0]] == "ok")
        #expect(outcomes[good[1]] == unknown)
    }

    /// `--jitr`: each certificate's first connection is closed after CONNECT; with a retry every
    /// good device is `ok` on its second connection, and the defects never get as far.
    @Test func justInTimeRegistration() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let backend = try await Self.serve(fixture, ["--personality", "aws-iot-core", "--jitr"])
        defer { backend.server.stop() }
        let (outcomes, report) = try await Self.run(
            fixture,
            port: backend.server.port,
            ["--retries", "1", "--backoff-base", "10ms"]
        )
        let devices = report["devices"] as? [[String: Any]] ?? []
        for device in fixture.pki.manifest.devices {
            let expected = device.defect == .none ? "ok" : ServeCommandTests.backendVerdicts[device.defect]!
            #expect(outcomes[device.id] == expected, "\(device.id) (\(device.defect))")
            if device.defect == .none {
                #expect(devices.first { $0["id"] as? String == device.id }?["connections"] as? Int == 2)
            }
        }
        let byOutcome = (report["connections"] as? [String: Any])?["outcomes"] as? [String: Int] ?? [:]
        #expect(byOutcome["closed-after-connect"] == 2)
        #expect(byOutcome["ok"] == 2)
    }

    /// Three devices holding one client id: each newer connection takes the session over, so two are
    /// lost — told why in MQTT 5 (DISCONNECT 0x8E) — and the backend audits both.
    @Test func aSecondConnectionWithTheSameClientIDTakesTheSessionOver() async throws {
        let (directory, layout) = try await MQTTRefusalTests.fleet()
        defer { directory.remove() }
        let audit = AuditLogFile(directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", layout.directory, "--audit", audit.path, "--no-client-id-check"],
            in: directory
        )
        defer { server.stop() }
        let run = try await MQTTRefusalTests.run(
            layout,
            port: server.port,
            ["--mqtt", "5", "--mqtt-client-id", "shared", "--hold", "2s", "--rate", "20"],
            in: directory
        )
        #expect(run.failures.isEmpty)
        #expect((run.report["connections"] as? [String: Any])?["lost"] as? Int == 2)
        #expect(run.mqtt["serverDisconnects"] as? [String: Int] == ["session-taken-over": 2])
        let lines = try await audit.waitForLines(5)
        #expect(lines.filter { $0.verdict == "disconnected" }.count == 2)
    }

    /// Foreign clients: `mosquitto_pub` refused by the AWS personality is told CONNACK 0x87 in MQTT 5
    /// and sees the connection closed in 3.1.1; the IoT Hub personality admits it with Azure's user name.
    @Test func mosquittoPubAgainstTheCloudPersonalities() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let id = fixture.devices[.none]!
        func publish(_ port: Int, _ extra: [String]) async throws -> CommandResult {
            try await ForeignProcess.run(
                "/usr/bin/mosquitto_pub",
                [
                    "-h", "127.0.0.1", "-p", "\(port)", "--cafile", fixture.layout.rootCertificate,
                    "--cert", fixture.certificatePath(.none), "--key", fixture.keyPath(.none),
                    "-t", "devices/\(id)/messages/events/", "-m", "{}", "-q", "1",
                ] + extra,
                in: fixture.directory,
                timeout: .seconds(20)
            )
        }
        let aws = try await Self.serve(fixture, ["--personality", "aws-iot-core"])
        defer { aws.server.stop() }
        let v5 = try await publish(aws.server.port, ["-V", "mqttv5", "-i", "not-\(id)"])
        #expect(v5.status != 0, "\(v5.output)")
        let v311 = try await publish(aws.server.port, ["-V", "mqttv311", "-i", "not-\(id)"])
        #expect(v311.status != 0, "\(v311.output)")
        let refusals = try await aws.audit.waitForLines(2)
        #expect(refusals.compactMap(\.outcome).sorted() == ["closed-after-connect", "mqtt-refused:not-authorized"])
        let allowed = try await publish(aws.server.port, ["-V", "mqttv5", "-i", id])
        #expect(allowed.status == 0, "\(allowed.output)")

        let azure = try await Self.serve(fixture, ["--personality", "azure-iot-hub"])
        defer { azure.server.stop() }
        let user = "test-hub.azure-devices.net/\(id)/?api-version=2021-04-12"
        let admitted = try await publish(azure.server.port, ["-V", "mqttv311", "-i", id, "-u", user])
        #expect(admitted.status == 0, "\(admitted.output)")
        let anonymous = try await publish(azure.server.port, ["-V", "mqttv311", "-i", id])
        #expect(anonymous.status == 5, "\(anonymous.output)")  // mosquitto_pub exits with the CONNACK code
    }
}
