import FleetTestSupport
import Foundation
import Testing

/// OCSP for device certificates: `inspect --ocsp` asking a responder, and `serve --device-ocsp`
/// refusing revoked, unknown and not-yet-known devices — against `fleetsim pki ocsp` and against
/// `openssl ocsp` as responder, with `fleetsim run` and `mosquitto_pub` as devices.
@Suite(.serialized) struct DeviceOCSPTests {
    /// A `fleetsim pki` of `devices` whose certificates name a responder on 127.0.0.1 (AIA), that
    /// responder running (`pki ocsp`), and the last device revoked.
    struct Fleet {
        let directory: TemporaryDirectory
        let certs: String
        let responder: FleetsimServer
        var url: String { "http://127.0.0.1:\(self.responder.port)/" }

        /// - Parameters:
        ///   - revokingLast: revoke the last device (key-compromise) before the responder starts.
        ///   - validity: the responder's `--validity` (e.g. `1s`: statuses are asked again every
        ///     few seconds, thisUpdate being a minute back).
        static func make(devices: Int, revokingLast: Bool = true, validity: String? = nil) async throws -> Fleet {
            let directory = try TemporaryDirectory()
            // The port goes into the certificates before the responder starts: take a free one.
            let port = FreePort.find()
            let certs = try await PKIOCSPCommandTests.makePKI(
                in: directory,
                devices: devices,
                ocspURL: "http://127.0.0.1:\(port)/"
            )
            if revokingLast {
                let revoke = try await FleetsimBinary.run(
                    [
                        "pki", "revoke", "--dir", certs, "--reason", "key-compromise",
                        String(format: "tcu-%05d", devices),
                    ],
                    in: directory
                )
                try #require(revoke.status == 0, "\(revoke.output)")
            }
            // The backend checks OCSP only: without the CRL `pki revoke` also wrote, `serve --dir`
            // loads none (nor watches one written later), and revocations are known by the
            // responder alone.
            try FileManager.default.removeItem(atPath: "\(certs)/crl.pem")
            let responder = try await FleetsimServer(
                ["--dir", certs] + (validity.map { ["--validity", $0] } ?? []),
                in: directory,
                port: port,
                command: ["pki", "ocsp"]
            )
            return Fleet(directory: directory, certs: certs, responder: responder)
        }

        func stop() {
            self.responder.stop()
            self.directory.remove()
        }

        func inspect(_ id: String, _ extra: [String]) async throws -> (CommandResult, [String: Any]) {
            let result = try await FleetsimBinary.run(
                ["inspect", "\(self.certs)/devices/\(id).pem", "--ca", "\(self.certs)/ca-chain.pem", "--json"] + extra,
                in: self.directory
            )
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
            return (result, json)
        }
    }

    static func codes(_ report: [String: Any]) -> [String] {
        ((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
    }

    @Test func inspectAsksTheResponder() async throws {
        let fleet = try await Fleet.make(devices: 2)
        defer { fleet.stop() }

        for choice in [fleet.url, "aia"] {
            let (good, goodReport) = try await fleet.inspect("tcu-00001", ["--ocsp", choice])
            #expect(good.status == 0, "\(choice): \(good.output)")
            #expect(Self.codes(goodReport).isEmpty, "\(choice): \(good.output)")
            #expect(good.stdout.contains("good"), "an info line says so: \(good.output)")

            let (revoked, revokedReport) = try await fleet.inspect("tcu-00002", ["--ocsp", choice])
            #expect(revoked.status == 1, "\(choice): \(revoked.output)")
            #expect(Self.codes(revokedReport) == ["revoked"], "\(choice): \(revoked.output)")
            #expect(revoked.stdout.contains("key-compromise"), "the responder's reason: \(revoked.output)")
        }

        // A device of another PKI, asked of this responder: unknown.
        let other = try await PKIOCSPCommandTests.makePKI(in: fleet.directory, devices: 1, name: "other")
        let unknown = try await FleetsimBinary.run(
            [
                "inspect", "\(other)/devices/tcu-00001.pem", "--ca", "\(other)/ca-chain.pem", "--json", "--ocsp",
                fleet.url,
            ],
            in: fleet.directory
        )
        #expect(unknown.status == 1, "\(unknown.output)")
        #expect(
            Self.codes(try JSONSerialization.jsonObject(with: Data(unknown.stdout.utf8)) as! [String: Any]) == [
                "ocsp-unknown"
            ]
        )

        // The leaf alone, no issuer to build the request with: said, not guessed.
        let chain = try String(contentsOfFile: "\(fleet.certs)/devices/tcu-00001.pem", encoding: .utf8)
        let end = try #require(chain.range(of: "-----END CERTIFICATE-----\n"))
        let leaf = try fleet.directory.write("leaf.pem", String(chain[..<end.upperBound]))
        let alone = try await FleetsimBinary.run(["inspect", leaf, "--json", "--ocsp", fleet.url], in: fleet.directory)
        #expect(alone.stdout.contains("ocsp-unavailable"), "\(alone.output)")

        // The responder gone: a warning, not a verdict.
        fleet.responder.stop()
        _ = try await fleet.responder.process.waitForExit()
        let (down, downReport) = try await fleet.inspect("tcu-00002", ["--ocsp", fleet.url])
        #expect(down.status == 0, "warnings only: \(down.output)")
        #expect(Self.codes(downReport) == ["ocsp-unavailable"], "\(down.output)")

        let bad = try await FleetsimBinary.run(
            ["inspect", "\(fleet.certs)/devices/tcu-00001.pem", "--ocsp", "https://127.0.0.1/"],
            in: fleet.directory
        )
        #expect(bad.status != 0 && bad.status != 1, "\(bad.output)")
        #expect(bad.stderr.contains("--ocsp"), "\(bad.stderr)")
    }

    @Test func serveRefusesRevokedDevicesAndAdmitsGoodOnes() async throws {
        let fleet = try await Fleet.make(devices: 3)
        defer { fleet.stop() }
        let audit = AuditLogFile(fleet.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fleet.certs, "--device-ocsp", "aia", "--audit", audit.path],
            in: fleet.directory
        )
        defer { server.stop() }
        #expect(server.process.stdout.contains("asked (2 good, 1 revoked)"), "warmed up: \(server.process.stdout)")

        // Diagnosed by asking the same responder (`--diagnose-ocsp`): revoked, the finding first.
        let devices = try await Self.runDevices(
            ["--dir", fleet.certs, "--diagnose-ocsp", "aia"],
            port: server.port,
            protocol: "mqtt",
            in: fleet.directory
        )
        #expect(
            Self.outcomes(devices) == ["tcu-00001": "ok", "tcu-00002": "ok", "tcu-00003": "rejected:bad-certificate"]
        )
        let refused = try #require(devices.first { $0["id"] as? String == "tcu-00003" })
        #expect((refused["diagnosis"] as? [String])?.first == "revoked", "\(refused)")
        #expect((refused["explanation"] as? [String])?.first?.contains("key-compromise") == true, "\(refused)")
        let lines = try await audit.waitForDevices(["tcu-00003"])
        let refusal = try #require(lines.first { $0.deviceID == "tcu-00003" })
        #expect(refusal.reason?.hasPrefix("policy: revoked: OCSP says revoked") == true, "\(refusal.reason ?? "")")

        // A real MQTT client with the same identities.
        for (id, admitted) in [("tcu-00001", true), ("tcu-00003", false)] {
            let published = try await ForeignProcess.run(
                "/usr/bin/mosquitto_pub",
                [
                    "-h", "127.0.0.1", "-p", "\(server.port)", "--cafile", "\(fleet.certs)/root.pem",
                    "--cert", "\(fleet.certs)/devices/\(id).pem", "--key", "\(fleet.certs)/devices/\(id).key",
                    "-i", id, "-t", "vehicles/\(id)/telemetry", "-m", "{}", "-q", "1",
                ],
                in: fleet.directory,
                timeout: .seconds(20)
            )
            #expect((published.status == 0) == admitted, "\(id): \(published.output)")
        }
    }

    @Test func serveFailsClosedUntilTheResponderAnswers() async throws {
        let fleet = try await Fleet.make(devices: 2)
        defer { fleet.stop() }
        let audit = AuditLogFile(fleet.directory.path("audit.jsonl"))
        // --ca/--cert/--key: no fleet directory to warm the cache from.
        let server = try await FleetsimServer(
            [
                "--ca", "\(fleet.certs)/root.pem", "--ca-chain", "\(fleet.certs)/intermediate.pem",
                "--cert", "\(fleet.certs)/server.pem", "--key", "\(fleet.certs)/server.key",
                "--device-ocsp", fleet.url, "--protocol", "tls", "--audit", audit.path,
            ],
            in: fleet.directory
        )
        defer { server.stop() }

        let first = try await self.run(fleet, port: server.port, protocol: "tls")
        #expect(first.values.allSatisfy { $0 == "rejected:bad-certificate" }, "not known yet: \(first)")
        let pending = try await audit.waitForDevices(["tcu-00001"])
        #expect(pending.first?.reason?.hasPrefix("policy: ocsp-pending") == true, "\(pending.first?.reason ?? "")")

        // The lookups were asked for by those refusals; poll until the answers are in.
        var outcomes = first
        for _ in 0..<50 where outcomes["tcu-00001"] != "ok" {
            outcomes = try await self.run(fleet, port: server.port, protocol: "tls")
        }
        #expect(outcomes == ["tcu-00001": "ok", "tcu-00002": "rejected:bad-certificate"])
    }

    @Test func serveRefusesWhileTheResponderIsDown() async throws {
        let fleet = try await Fleet.make(devices: 1)
        defer { fleet.stop() }
        let port = FreePort.find()
        let audit = AuditLogFile(fleet.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            [
                "--dir", fleet.certs, "--device-ocsp", "http://127.0.0.1:\(port)/", "--protocol", "tls", "--audit",
                audit.path,
            ],
            in: fleet.directory
        )
        defer { server.stop() }
        #expect(server.process.stdout.contains("asked (1 unavailable)"), "\(server.process.stdout)")
        let outcomes = try await self.run(fleet, port: server.port, protocol: "tls")
        #expect(outcomes == ["tcu-00001": "rejected:bad-certificate"], "fail closed")
        let lines = try await audit.waitForDevices(["tcu-00001"])
        #expect(lines.first?.reason?.hasPrefix("policy: ocsp-unavailable") == true, "\(lines.first?.reason ?? "")")
    }

    @Test func serveAsksOpenSSLOCSPAboutAnOpenSSLPKI() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca = try await OpenSSLCA.make("ocsp-root", in: directory)
        let (server, serverKey) = try await ca.issue("localhost", extensions: "server")
        let identities = directory.path("identities")
        try FileManager.default.createDirectory(atPath: identities, withIntermediateDirectories: true)
        for id in ["tcu-good", "tcu-revoked"] {
            let (certificate, key) = try await ca.issue(id)
            try FileManager.default.copyItem(atPath: certificate, toPath: "\(identities)/\(id).pem")
            try FileManager.default.copyItem(atPath: key, toPath: "\(identities)/\(id).key")
            if id == "tcu-revoked" { try await ca.revoke(certificate) }
        }
        let responder = try await OpenSSLOCSPResponder(ca: ca, in: directory)
        defer { responder.stop() }
        let audit = AuditLogFile(directory.path("audit.jsonl"))
        let backend = try await FleetsimServer(
            [
                "--ca", ca.certificate, "--cert", server, "--key", serverKey, "--protocol", "tls", "--no-chain-check",
                "--device-ocsp", "http://127.0.0.1:\(responder.port)/", "--audit", audit.path,
            ],
            in: directory
        )
        defer { backend.stop() }
        var outcomes: [String: String] = [:]
        for _ in 0..<50 where outcomes["tcu-good"] != "ok" {
            outcomes = try await Self.runFleet(
                ["--identities", identities, "--ca", ca.certificate, "--server-name", "localhost"],
                port: backend.port,
                protocol: "tls",
                in: directory
            )
        }
        #expect(outcomes == ["tcu-good": "ok", "tcu-revoked": "rejected:bad-certificate"])
    }

    func run(_ fleet: Fleet, port: Int, protocol mode: String = "mqtt") async throws -> [String: String] {
        try await Self.runFleet(["--dir", fleet.certs], port: port, protocol: mode, in: fleet.directory)
    }

    static func runFleet(
        _ devices: [String],
        port: Int,
        protocol mode: String,
        in directory: TemporaryDirectory
    ) async throws -> [String: String] {
        Self.outcomes(try await Self.runDevices(devices, port: port, protocol: mode, in: directory))
    }

    static func outcomes(_ devices: [[String: Any]]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: devices.map { ($0["id"] as! String, $0["outcome"] as! String) })
    }

    /// `fleetsim run` with `devices` (and any other flags); the report's devices.
    static func runDevices(
        _ devices: [String],
        port: Int,
        protocol mode: String,
        in directory: TemporaryDirectory
    ) async throws -> [[String: Any]] {
        let json = directory.path("report-\(UUID().uuidString.prefix(6)).json")
        let result = try await FleetsimBinary.run(
            ["run", "--target", "127.0.0.1:\(port)", "--protocol", mode, "--json", json, "--per-device", "--quiet"]
                + devices,
            in: directory
        )
        #expect([0, 1].contains(result.status), "\(result.output)")
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        return (report?["devices"] as? [[String: Any]]) ?? []
    }
}
