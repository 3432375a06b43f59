import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `fleetsim serve` judged by real foreign clients: `mosquitto_pub` and `openssl s_client`.
@Suite(.serialized) struct ServeCommandTests {
    /// mosquitto_pub with a device's own identity; returns its result.
    func publish(_ fixture: PKIFixture, _ defect: DeviceDefect, port: Int, clientID: String? = nil) async throws
        -> CommandResult
    {
        let id = fixture.devices[defect]!
        return try await ForeignProcess.run(
            "/usr/bin/mosquitto_pub",
            [
                "-h", "127.0.0.1", "-p", "\(port)", "--cafile", fixture.layout.rootCertificate,
                "--cert", fixture.certificatePath(defect), "--key", fixture.keyPath(defect), "-i", clientID ?? id,
                "-t", "vehicles/\(id)/telemetry", "-m", "{\"speed\":88}", "-q", "1", "-d",
            ],
            in: fixture.directory,
            timeout: .seconds(20)
        )
    }

    @Test func mosquittoPubPublishesWithAGoodDeviceAndIsRefusedWithEveryDefect() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--audit", audit.path],
            in: fixture.directory
        )
        defer { server.stop() }

        let good = try await self.publish(fixture, .none, port: server.port)
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("received PUBACK"), "\(good.output)")  // QoS 1 acknowledged

        let refused: [DeviceDefect] = [
            .expired, .notYetValid, .serverEKU, .noEKU, .wrongCA, .selfSigned, .noChain, .revoked, .weakRSA, .sha1,
        ]
        for defect in refused {
            let result = try await self.publish(fixture, defect, port: server.port)
            #expect(result.status != 0, "\(defect) was let in: \(result.output)")
        }
        // OpenSSL's own client (security level 2) refuses to load RSA-1024 and SHA-1 identities, so
        // those two never present a certificate here; `fleetSimulatorAgainstTheBackend` covers them.
        let presented = refused.filter { $0 != .weakRSA && $0 != .sha1 }
        let records = try await audit.waitForDevices(([.none] + presented).map { fixture.devices[$0]! })
        let accepted = records.filter { $0.verdict == "accepted" }.compactMap(\.deviceID)
        #expect(accepted == [fixture.devices[.none]!])
        for defect in presented {
            let id = fixture.devices[defect]!
            let record = try #require(records.first { $0.deviceID == id })
            #expect(record.verdict == "rejected")
            #expect(record.reason?.isEmpty == false)
            #expect(record.outcome == Self.backendVerdicts[defect], "\(defect): \(record)")
        }
        // Policy refusals share bad_certificate: the reason starts with the policy's code.
        let reasons = Dictionary(
            uniqueKeysWithValues: records.compactMap { r in r.deviceID.map { ($0, r.reason ?? "") } }
        )
        for (defect, code) in [(DeviceDefect.noEKU, "missing-client-auth-eku"), (.noChain, "incomplete-chain")] {
            #expect(
                reasons[fixture.devices[defect]!]?.hasPrefix("policy: \(code):") == true,
                "\(defect): \(reasons[fixture.devices[defect]!] ?? "none")"
            )
        }
    }

    /// What the wolfSSL-based backend answers each defect (wolfSSL maps some differently from
    /// OpenSSL: not-yet-valid → certificate_expired, EKU and policy refusals → bad_certificate).
    static let backendVerdicts: [DeviceDefect: String] = [
        .none: "ok", .expired: "rejected:certificate-expired", .notYetValid: "rejected:certificate-expired",
        .serverEKU: "rejected:bad-certificate", .noEKU: "rejected:bad-certificate", .wrongCA: "rejected:unknown-ca",
        .selfSigned: "rejected:bad-certificate", .noChain: "rejected:bad-certificate",
        .revoked: "rejected:certificate-revoked",
        .keyMismatch: "identity-invalid", .weakRSA: "rejected:bad-certificate", .sha1: "rejected:bad-certificate",
    ]

    @Test(arguments: ["1.3", "1.2"])
    func fleetSimulatorAgainstTheBackend(version: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--audit", audit.path],
            in: fixture.directory
        )
        defer { server.stop() }
        let expect = fixture.pki.manifest.devices.map { "\($0.id)\t\(Self.backendVerdicts[$0.defect]!)" }.joined(
            separator: "\n"
        )
        let expectPath = try fixture.directory.write("expect.tsv", expect + "\n")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost",
                "--protocol", "mqtt", "--tls", version, "--expect", expectPath,
            ],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let good = Set(fixture.pki.manifest.devices.filter { $0.defect == .none }.map(\.id))
        // The key-mismatch device never connects; every other device gets a verdict.
        let bad = Set(fixture.pki.manifest.devices.filter { $0.defect != .none && $0.defect != .keyMismatch }.map(\.id))
        let records = try await audit.waitForDevices(good.union(bad))
        let accepted = Set(records.filter { $0.verdict == "accepted" }.compactMap(\.deviceID))
        #expect(accepted == good)  // zero policy-failing devices accepted
        let rejected = Set(records.filter { $0.verdict == "rejected" }.compactMap(\.deviceID))
        #expect(rejected == bad, "audit rejected \(rejected.sorted())")
    }

    @Test func allowAndDenyListsDecideWhichGoodDevicesGetIn() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let good = fixture.pki.manifest.devices.filter { $0.defect == .none }.map(\.id)
        #expect(good.count == 2)
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let deny = try fixture.directory.write("deny.txt", "# stolen unit\n\(good[0])\n")
        let denying = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--deny", deny, "--audit", audit.path],
            in: fixture.directory
        )
        #expect(try await self.publish(fixture, .none, port: denying.port).status != 0)  // good[0]
        let denied = try await audit.waitForDevices([good[0]])
        denying.stop()
        let record = try #require(denied.first { $0.deviceID == good[0] })
        #expect(record.verdict == "rejected")
        #expect(record.outcome == "rejected:bad-certificate", "\(record)")

        let allow = try fixture.directory.write("allow.txt", "\(good[1])\n")
        let allowing = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--allow", allow],
            in: fixture.directory
        )
        defer { allowing.stop() }
        let json = fixture.directory.path("report.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(allowing.port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost",
                "--protocol", "mqtt", "--per-device", "--json", json,
            ],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let devices =
            try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
            )["devices"] as? [[String: Any]]
        let outcomes = Dictionary(
            uniqueKeysWithValues: (devices ?? []).map { ($0["id"] as! String, $0["outcome"] as! String) }
        )
        #expect(outcomes[good[1]] == "ok")
        #expect(outcomes[good[0]] == "rejected:bad-certificate", "\(outcomes[good[0]] ?? "none")")
    }

    @Test func aClientIDThatIsNotTheCertificatesIsNotAuthorized() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--audit", audit.path],
            in: fixture.directory
        )
        defer { server.stop() }
        let result = try await self.publish(fixture, .none, port: server.port, clientID: "someone-else")
        // mosquitto_pub exits with the CONNACK's return code.
        #expect(result.status == Int32(MQTTRefusal.notAuthorized.code(in: .v3_1_1)), "\(result.output)")
        let record = try #require(try await audit.waitForLines(1).first)
        #expect(record.outcome == "mqtt-refused:not-authorized")
        #expect(record.mqttClientID == "someone-else")
        #expect(record.deviceID == fixture.devices[.none]!)
    }

    @Test(arguments: ["1.2", "1.3"])
    func opensslClientWithBadCertificatesGetsAnAlert(version: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "tls"],
            in: fixture.directory
        )
        defer { server.stop() }
        for defect in [DeviceDefect.serverEKU, .expired, .wrongCA] {
            let result = try await ForeignProcess.run(
                "openssl",
                [
                    "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", fixture.layout.rootCertificate,
                    "-cert", fixture.certificatePath(defect), "-key", fixture.keyPath(defect), "-verify_return_error",
                    "-tls\(version == "1.2" ? "1_2" : "1_3")", "-ign_eof",
                ],
                in: fixture.directory,
                input: "hello\n",
                timeout: .seconds(20)
            )
            guard case .rejected(let alert) = Outcome(identifier: Self.backendVerdicts[defect]!) else {
                Issue.record("\(defect) is not refused with an alert")
                continue
            }
            #expect(
                result.stderr.contains("SSL alert number \(alert.code)\n"),
                "TLS \(version) \(defect): \(result.output)"
            )
        }
    }

    @Test func aRevokedDeviceIsRejectedOnceTheCRLListsIt() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        let first = try await FleetsimServer(["--dir", fixture.layout.directory], in: fixture.directory)
        #expect(try await self.publish(fixture, .none, port: first.port).status == 0)
        first.stop()
        _ = try pki.revoke([fixture.devices[.none]!])
        let second = try await FleetsimServer(["--dir", fixture.layout.directory], in: fixture.directory)
        defer { second.stop() }
        #expect(try await self.publish(fixture, .none, port: second.port).status != 0)
    }

    @Test func garbageAndAStalledClientDoNotStopAGoodDevice() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--audit", audit.path, "--handshake-timeout", "1s"],
            in: fixture.directory
        )
        defer { server.stop() }
        let garbage = try RawTCP(port: server.port)
        garbage.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + (0..<512).map { _ in UInt8.random(in: 0...255) })
        let stalled = try RawTCP(port: server.port)
        stalled.send([0x16, 0x03, 0x01])  // the first bytes of a TLS record, then nothing
        let good = try await self.publish(fixture, .none, port: server.port)
        #expect(good.status == 0, "\(good.output)")
        try await [stalled].waitUntilClosedByPeer("the stalled client after the handshake timeout")
        garbage.close()
        // Three verdicts: the good device, the garbage and the stalled client.
        let outcomes = try await audit.waitForLines(3).compactMap(\.outcome)
        #expect(outcomes.contains("handshake-timeout"), "\(outcomes)")
        #expect(outcomes.contains("protocol-error"), "\(outcomes)")
        #expect(server.process.isRunning)
    }

    @Test func malformedMQTTFromAnAuthenticatedDeviceClosesOnlyThatConnection() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--audit", audit.path],
            in: fixture.directory
        )
        defer { server.stop() }
        // A real device identity over real TLS, then bytes that are not MQTT (type 4 with flags 7).
        let hostile = try await ForeignProcess.run(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", fixture.layout.rootCertificate,
                "-cert", fixture.certificatePath(.none), "-cert_chain", fixture.layout.intermediateCertificate,
                "-key", fixture.keyPath(.none), "-ign_eof", "-quiet",
            ],
            in: fixture.directory,
            input: "G\u{0000}",  // 0x47 0x00: a complete packet of type 4 with illegal flags 7
            timeout: .seconds(20)
        )
        #expect(hostile.stdout.isEmpty, "the server answered the malformed packet: \(hostile.stdout.utf8.map { $0 })")
        #expect(try await self.publish(fixture, .none, port: server.port).status == 0)
        // Two verdicts: the hostile connection's and the good device's.
        let records = try await audit.waitForLines(2)
        #expect(records.contains { $0.outcome == "protocol-error" }, "\(records)")
        #expect(server.process.isRunning)
    }

    @Test func idleConnectionsAndAConnectFloodDoNotStopGoodDevices() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--handshake-timeout", "2s"],
            in: fixture.directory
        )
        defer { server.stop() }
        // 1,000 TCP connections that never speak, and 1,000 that connect and hang up at once.
        var idle: [RawTCP] = []
        for _ in 0..<1000 { idle.append(try RawTCP(port: server.port)) }
        for _ in 0..<1000 { try RawTCP(port: server.port).close() }
        #expect(try await self.publish(fixture, .none, port: server.port).status == 0)
        // The backend closes the silent ones after its handshake timeout.
        try await idle.prefix(20).waitUntilClosedByPeer("20 silent connections after the handshake timeout")
        #expect(try await self.publish(fixture, .none, port: server.port).status == 0)
        #expect(server.process.isRunning)
    }

    @Test func startsOnlyWithAUsableCRLAndStopsGracefully() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let garbage = try fixture.directory.write("garbage-crl.pem", "not a crl\n")
        let refused = try await FleetsimBinary.run(
            ["serve", "--listen", "127.0.0.1:0", "--dir", fixture.layout.directory, "--crl", garbage],
            in: fixture.directory
        )
        #expect(refused.status == 2)
        #expect(refused.inputErrorCode == "not-a-crl", "\(refused.stderr)")
        #expect(refused.stderr.contains(garbage), "the message names the file: \(refused.stderr)")
        let expired = try RevocationList.make(
            issuer: fixture.pki.intermediate,
            revoked: [],
            number: 9,
            thisUpdate: Date(timeIntervalSinceNow: -7200),
            validFor: 3600
        )
        let expiredPath = try fixture.directory.write("expired-crl.pem", expired)
        let stale = try await FleetsimBinary.run(
            ["serve", "--listen", "127.0.0.1:0", "--dir", fixture.layout.directory, "--crl", expiredPath],
            in: fixture.directory
        )
        #expect(stale.status == 2)
        #expect(stale.inputErrorCode == "crl-expired", "\(stale.stderr)")
        #expect(stale.stderr.contains(expiredPath), "the message names the file: \(stale.stderr)")

        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--audit", audit.path],
            in: fixture.directory
        )
        #expect(try await self.publish(fixture, .none, port: server.port).status == 0)
        server.process.signal(SIGTERM)
        let status = try await server.process.waitForExit(timeout: .seconds(10))
        #expect(status == 0, "\(server.process.output)")
        #expect(try audit.lines().map(\.verdict) == ["accepted"])
    }
}
