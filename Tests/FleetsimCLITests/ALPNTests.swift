import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// ALPN (RFC 7301) end to end with real peers, TLS 1.2 and 1.3: devices offering `x-amzn-mqtt-ca`
/// to `openssl s_server -alpn`, `openssl s_client -alpn` against `fleetsim serve --alpn`, and
/// fleetsim on both ends (the backend's preference, the fatal `no_application_protocol`, the
/// profile's `tls.alpn` and the flag over it).
@Suite(.serialized) struct ALPNTests {
    func report(_ path: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        )
    }

    func devices(_ report: [String: Any]) -> [[String: Any]] {
        (report["devices"] as? [[String: Any]]) ?? []
    }

    func connections(_ report: [String: Any]) throws -> [String: Any] {
        try #require(report["connections"] as? [String: Any])
    }

    /// The two good devices of the fixture (the first ids in sorted order), one at a time.
    func goodDevices(_ fixture: PKIFixture, target port: Int) -> [String] {
        [
            "run", "--target", "127.0.0.1:\(port)", "--dir", fixture.layout.directory, "--server-name", "localhost",
            "--devices", "2", "--concurrency", "1", "--per-device", "--quiet",
        ]
    }

    @Test(arguments: ["1.2", "1.3"])
    func aDeviceOffersALPNToOpenSSLServer(version: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        let server = try await OpenSSLServer(
            certificate: layout.serverCertificate,
            chain: layout.intermediateCertificate,
            key: layout.serverKey,
            clientCA: layout.rootCertificate,
            version: version,
            in: fixture.directory,
            alpn: ["x-amzn-mqtt-ca"]
        )
        defer { server.stop() }
        let run = self.goodDevices(fixture, target: server.port) + ["--tls", version]

        let offering = fixture.directory.path("offering.json")
        let result = try await FleetsimBinary.run(
            run + ["--alpn", "x-amzn-mqtt-ca", "--json", offering],
            in: fixture.directory
        )
        #expect(result.status == 0, "\(result.output)")
        let report = try self.report(offering)
        let devices = self.devices(report)
        #expect(devices.compactMap { $0["id"] as? String }.contains(fixture.devices[.none]!))
        #expect(devices.count == 2)
        for device in devices {
            #expect(device["outcome"] as? String == "ok", "\(device)")
            #expect(device["alpn"] as? String == "x-amzn-mqtt-ca", "\(device)")
            #expect(device["tls"] as? String == version)
        }
        let connections = try self.connections(report)
        #expect(connections["alpn"] as? [String: Int] == ["x-amzn-mqtt-ca": 2])
        #expect(connections["withoutALPN"] as? Int == 0)
        try await Poll.until("s_server logging the device's ALPN offer", detail: { server.process.output }) {
            server.process.stdout.contains("ALPN protocols advertised by the client: x-amzn-mqtt-ca\n")
        }

        // A device that offers no ALPN is still accepted, and nothing is negotiated.
        let plain = fixture.directory.path("plain.json")
        let second = try await FleetsimBinary.run(run + ["--json", plain], in: fixture.directory)
        #expect(second.status == 0, "\(second.output)")
        let plainReport = try self.report(plain)
        #expect(self.devices(plainReport).count == 2)
        for device in self.devices(plainReport) {
            #expect(device["outcome"] as? String == "ok", "\(device)")
            #expect(device["alpn"] == nil, "\(device)")
        }
        let plainConnections = try self.connections(plainReport)
        #expect(plainConnections["alpn"] == nil)
        #expect(plainConnections["withoutALPN"] == nil)
    }

    @Test(arguments: ["1.2", "1.3"])
    func opensslClientAgainstServe(version: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "tls", "--alpn", "mqtt", "--audit", audit.path],
            in: fixture.directory
        )
        defer { server.stop() }
        func client(_ alpn: [String]) async throws -> CommandResult {
            try await ForeignProcess.run(
                "openssl",
                [
                    "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", fixture.layout.rootCertificate,
                    "-cert", fixture.certificatePath(.none), "-cert_chain", fixture.layout.intermediateCertificate,
                    "-key", fixture.keyPath(.none), "-verify_return_error", "-tls\(version == "1.2" ? "1_2" : "1_3")",
                ] + alpn,
                in: fixture.directory,
                input: "",
                timeout: .seconds(20)
            )
        }

        let agreed = try await client(["-alpn", "x-unknown,mqtt"])
        #expect(agreed.status == 0, "\(agreed.output)")
        #expect(agreed.stdout.contains("ALPN protocol: mqtt\n"), "\(agreed.output)")
        let accepted = try await audit.waitForLines(1)
        #expect(accepted.last?.verdict == "accepted")
        #expect(accepted.last?.alpn == "mqtt")

        let none = try await client([])
        #expect(none.status == 0, "\(none.output)")
        let plain = try await audit.waitForLines(2)
        #expect(plain.last?.verdict == "accepted")
        #expect(plain.last?.alpn == nil)

        // Nothing in common: the backend answers RFC 7301's fatal no_application_protocol (120).
        let refused = try await client(["-alpn", "h2,x-unknown"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.stderr.contains("SSL alert number 120\n"), "\(refused.output)")
        let rejected = try await audit.waitForLines(3)
        #expect(rejected.last?.verdict == "rejected")
        #expect(rejected.last?.outcome == "rejected:no-application-protocol")
        #expect(rejected.last?.alertSent == 120)
        #expect(rejected.last?.alpn == nil)
    }

    @Test(arguments: ["1.2", "1.3"])
    func fleetsimOnBothEnds(version: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        // The backend prefers x-amzn-mqtt-ca; the devices offer mqtt first.
        let server = try await FleetsimServer(
            [
                "--dir", fixture.layout.directory, "--protocol", "mqtt", "--alpn", "x-amzn-mqtt-ca,mqtt", "--tls",
                version, "--audit", audit.path,
            ],
            in: fixture.directory
        )
        defer { server.stop() }
        let run = self.goodDevices(fixture, target: server.port) + ["--protocol", "mqtt"]

        let preferred = fixture.directory.path("preferred.json")
        let first = try await FleetsimBinary.run(
            run + ["--alpn", "mqtt,x-amzn-mqtt-ca", "--json", preferred],
            in: fixture.directory
        )
        #expect(first.status == 0, "\(first.output)")
        for device in self.devices(try self.report(preferred)) {
            #expect(device["outcome"] as? String == "ok", "\(device)")
            #expect(device["alpn"] as? String == "x-amzn-mqtt-ca", "\(device)")
            #expect(device["tls"] as? String == version)
        }
        let records = try await audit.waitForLines(2, where: { $0.verdict == "accepted" })
        #expect(records.allSatisfy { $0.alpn == "x-amzn-mqtt-ca" }, "\(records)")

        // The profile's tls.alpn (a single name), and --alpn over it.
        let profile = try fixture.directory.write("alpn.yaml", "tls:\n  alpn: mqtt\n")
        let fromProfile = fixture.directory.path("profile.json")
        #expect(
            try await FleetsimBinary.run(run + ["--profile", profile, "--json", fromProfile], in: fixture.directory)
                .status == 0
        )
        #expect(self.devices(try self.report(fromProfile)).allSatisfy { $0["alpn"] as? String == "mqtt" })
        let overridden = fixture.directory.path("overridden.json")
        #expect(
            try await FleetsimBinary.run(
                run + ["--profile", profile, "--alpn", "x-amzn-mqtt-ca", "--json", overridden],
                in: fixture.directory
            ).status == 0
        )
        #expect(self.devices(try self.report(overridden)).allSatisfy { $0["alpn"] as? String == "x-amzn-mqtt-ca" })

        // Nothing in common: every device ends rejected:no-application-protocol (an --expect file
        // says so, and the run passes).
        let good = fixture.pki.manifest.devices.filter { $0.defect == .none }.map(\.id)
        let expect = try fixture.directory.write(
            "expect.tsv",
            good.map { "\($0)\trejected:no-application-protocol\n" }.joined()
        )
        let mismatch = fixture.directory.path("mismatch.json")
        let refused = try await FleetsimBinary.run(
            run + ["--alpn", "h2", "--expect", expect, "--json", mismatch],
            in: fixture.directory
        )
        #expect(refused.status == 0, "\(refused.output)")
        #expect(self.devices(try self.report(mismatch)).count == 2)
        for device in self.devices(try self.report(mismatch)) {
            #expect(device["outcome"] as? String == "rejected:no-application-protocol", "\(device)")
            #expect(device["alert"] as? Int == 120)
        }

        // repro shows the offer and the protocol the backend selected.
        func repro(_ defect: DeviceDefect, _ alpn: String) async throws -> (CommandResult, [String: Any]) {
            let result = try await FleetsimBinary.run(
                [
                    "repro", fixture.devices[defect]!, "--target", "127.0.0.1:\(server.port)", "--dir",
                    fixture.layout.directory, "--server-name", "localhost", "--protocol", "mqtt", "--alpn", alpn,
                    "--json",
                ],
                in: fixture.directory
            )
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                "\(result.output)"
            )
            return (result, json)
        }
        let (accepted, json) = try await repro(.none, "mqtt,x-amzn-mqtt-ca")
        #expect(accepted.status == 0, "\(accepted.output)")
        #expect(json["alpn"] as? String == "x-amzn-mqtt-ca")
        #expect(json["alpnOffered"] as? [String] == ["mqtt", "x-amzn-mqtt-ca"])
        // An expired device refused for its ALPN offer: judged on the ClientHello, before its
        // certificate was sent, so its certificate is not the explanation.
        let (refusedRepro, expired) = try await repro(.expired, "h2")
        #expect(refusedRepro.status == 1, "\(refusedRepro.output)")
        #expect(expired["outcome"] as? String == "rejected:no-application-protocol")
        #expect(expired["alert"] as? Int == 120)
        #expect(expired["diagnosis"] as? [String] == [])
        #expect(expired["alpn"] == nil)
    }

    @Test func badProtocolNamesExitTwoNamingTheFlagOrKey() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let d = fixture.directory
        let base = ["run", "--target", "127.0.0.1:1", "--dir", fixture.layout.directory]
        let tooMany = (0...16).map { "p\($0)" }.joined(separator: ",")
        for list in ["", "mqtt,,h2", "mqtt,", "mqtt, h2", "mqtt,mqtt", String(repeating: "a", count: 256), tooMany] {
            for arguments in [
                base + ["--alpn", list],
                ["repro", "tcu-00001", "--target", "127.0.0.1:1", "--dir", fixture.layout.directory, "--alpn", list],
                ["serve", "--listen", "127.0.0.1:0", "--dir", fixture.layout.directory, "--alpn", list],
            ] {
                let result = try await FleetsimBinary.run(arguments, in: d)
                #expect(result.status == 2, "\(arguments.prefix(1)) --alpn '\(list)': \(result.output)")
                #expect(result.inputErrorCode == nil, "\(result.stderr)")
                #expect(result.stderr.contains("--alpn"), "\(result.stderr)")
            }
        }
        for yaml in [
            "tls: { alpn: [] }", "tls: { alpn: [mqtt, ''] }", "tls: { alpn: 'mq tt' }", "tls: { alpn: [8883] }",
        ] {
            let profile = try d.write("bad-alpn.yaml", yaml)
            let result = try await FleetsimBinary.run(base + ["--profile", profile], in: d)
            #expect(result.status == 2, "\(yaml): \(result.output)")
            #expect(result.inputErrorCode == "profile:bad-value", "\(yaml): \(result.stderr)")
            #expect(result.stderr.contains("tls.alpn"), "\(yaml): \(result.stderr)")
        }
    }
}
