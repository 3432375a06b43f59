import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `fleetsim run` end to end: the built binary, a fleet with every defect kind, real backends.
@Suite(.serialized) struct RunCommandTests {
    func report(_ path: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        )
    }

    func outcomes(_ report: [String: Any]) -> [String: String] {
        let devices = (report["devices"] as? [[String: Any]]) ?? []
        return Dictionary(uniqueKeysWithValues: devices.map { ($0["id"] as! String, $0["outcome"] as! String) })
    }

    @Test(arguments: ["1.3", "1.2"])
    func mixedFleetAgainstOpenSSLServer(version: String) async throws {
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
            extraArguments: ["-CRL", layout.crl, "-crl_check"]
        )
        defer { server.stop() }
        let expect = try fixture.directory.write("expect.tsv", DefectOutcomes.expectFile(for: fixture))
        let json = fixture.directory.path("report.json")
        let junit = fixture.directory.path("report.xml")
        let html = fixture.directory.path("report.html")
        // s_server serves one connection at a time: one device at a time.
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost",
                "--tls", version, "--concurrency", "1", "--expect", expect, "--json", json, "--junit", junit, "--html",
                html,
                "--per-device",
            ],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let report = try self.report(json)
        let outcomes = self.outcomes(report)
        for device in fixture.pki.manifest.devices {
            #expect(outcomes[device.id] == DefectOutcomes.openSSLBackend[device.defect]!.identifier, "\(device.id)")
        }
        // Documented fields (DESIGN.md §5a).
        for key in [
            "schema", "target", "protocol", "tls", "startedAt", "durationSeconds", "counts", "rates", "latencyMs",
            "failures",
            "devices", "cpu", "histograms",
        ] {
            #expect(report[key] != nil, "missing \(key)")
        }
        #expect(report["schema"] as? String == "fleetsim.report/1")
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["attempted"] == 13)
        #expect(counts["succeeded"] == 3)
        #expect(counts["failed"] == 10)
        let latency = try #require(report["latencyMs"] as? [String: [String: Double]])
        for key in ["count", "min", "p50", "p90", "p99", "p999", "max", "mean"] {
            #expect(latency["tlsHandshake"]?[key] != nil, "tlsHandshake.\(key)")
        }
        let devices = try #require(report["devices"] as? [[String: Any]])
        let expired = try #require(devices.first { $0["outcome"] as? String == "rejected:certificate-expired" })
        #expect(expired["alert"] as? Int == 45)
        #expect(expired["diagnosis"] as? [String] == ["expired"])
        let revoked = try #require(devices.first { ($0["id"] as? String)?.hasPrefix("tcu-revoked") == true })
        #expect(revoked["diagnosis"] as? [String] == ["revoked"])
        let cpu = try #require(report["cpu"] as? [String: Double])
        #expect(cpu["microsPerHandshake"] != nil)
        // What the run was given, and the handshake's latency per second adding up to its histogram.
        let parameters = try #require(report["parameters"] as? [String: Any])
        #expect(parameters["tlsVersions"] as? String == version)
        #expect(parameters["concurrency"] as? Int == 1)
        #expect(parameters["target"] as? String == "127.0.0.1:\(server.port)")
        #expect(["debian", "fast"].contains(parameters["wolfSSLBuild"] as? String ?? ""))
        #expect((parameters["arguments"] as? [String])?.contains("--per-device") == true)
        // Every accepted connection's key-exchange group, as wolfSSL names it (P-256 by default).
        let connections = try #require(report["connections"] as? [String: Any])
        let groups = try #require(connections["groups"] as? [String: Int])
        let accepted = (connections["negotiated"] as? [String: Int] ?? [:]).values.reduce(0, +)
        #expect(groups.values.reduce(0, +) == accepted && accepted > 0, "\(groups)")
        #expect(Set(groups.keys).isSubset(of: ["SECP256R1", "X25519", "SECP384R1"]), "\(groups)")
        let overTime = try #require(report["latencyOverTime"] as? [String: Any])
        let phases = try #require(overTime["phases"] as? [String: [[String: Any]]])
        let handshakes = try #require(phases["tlsHandshake"])
        #expect(
            handshakes.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == Int(latency["tlsHandshake"]?["count"] ?? -1)
        )

        // The JUnit file is XML a CI can read: one testcase per device, none failing (all as expected).
        let xml = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
        let cases = try xml.nodes(forXPath: "//testcase[@classname='fleetsim.devices']")
        #expect(cases.count == 13)
        #expect(try xml.nodes(forXPath: "//testcase[@classname='fleetsim.gates']").count == 1, "the --expect gate")
        #expect(try xml.nodes(forXPath: "//failure").isEmpty)

        // The HTML page is self-contained: its charts, every failed device and its diagnosis, no scripts.
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.hasPrefix("<!doctype html>"))
        // Histogram, latency over time and timeline, each wide and narrow.
        #expect(page.components(separatedBy: "<svg").count == 7)
        #expect(page.contains("<h2>Run parameters</h2>") && page.contains("<h2>TLS</h2>"))
        #expect(page.contains(fixture.devices[.expired]!))
        #expect(page.contains("missing-client-auth-eku"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("http://") && !page.contains("https://"))
    }

    @Test(arguments: [("1.3", "mqtt"), ("1.2", "mqtt"), ("1.3", "tls"), ("1.2", "tls")])
    func mixedFleetAgainstMosquitto(version: String, mode: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let broker = try await MosquittoBroker(layout: fixture.layout, version: version, in: fixture.directory)
        defer { broker.stop() }
        let json = fixture.directory.path("report.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(broker.port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost",
                "--tls", version, "--protocol", mode, "--profile", "devices/tcu.yaml", "--json", json, "--per-device",
            ],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let outcomes = self.outcomes(try self.report(json))
        for device in fixture.pki.manifest.devices {
            #expect(
                outcomes[device.id] == DefectOutcomes.openSSLBackend[device.defect]!.identifier,
                "\(device.id) \(mode) TLS \(version) — mosquitto said:\n\(broker.process.stderr.suffix(600))"
            )
        }
        if mode == "mqtt" {
            let latency = try #require(try self.report(json)["latencyMs"] as? [String: [String: Double]])
            #expect(latency["mqttConnack"]?["count"] == 3)
        }
    }

    /// The report's checks: gate name → passed.
    func gates(_ report: [String: Any]) -> [String: Bool] {
        let gates = (report["gates"] as? [[String: Any]]) ?? []
        return Dictionary(uniqueKeysWithValues: gates.map { ($0["name"] as! String, $0["passed"] as! Bool) })
    }

    @Test func expectationsAndThresholdsDecideTheExitCode() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let broker = try await MosquittoBroker(layout: fixture.layout, version: nil, in: fixture.directory)
        defer { broker.stop() }
        let json = fixture.directory.path("report.json")
        let base = [
            "run", "--target", "127.0.0.1:\(broker.port)", "--dir", fixture.layout.directory, "--server-name",
            "localhost",
            "--json", json, "--quiet",
        ]

        let right = try fixture.directory.write(
            "right.tsv",
            DefectOutcomes.expectFile(for: fixture).replacingOccurrences(of: "rejected:unknown-ca", with: "rejected")
        )
        let pass = try await FleetsimBinary.run(base + ["--expect", right], in: fixture.directory)
        #expect(pass.status == 0, "\(pass.output)")
        #expect(self.gates(try self.report(json)) == ["expect": true])

        let wrongText = DefectOutcomes.expectFile(for: fixture).replacingOccurrences(
            of: "rejected:certificate-expired",
            with: "ok"
        )
        let wrong = try fixture.directory.write("wrong.tsv", wrongText)
        let fail = try await FleetsimBinary.run(base + ["--expect", wrong], in: fixture.directory)
        #expect(fail.status == 1)
        let failed = try self.report(json)
        #expect(self.gates(failed) == ["expect": false])
        #expect(self.outcomes(failed)[fixture.devices[.expired]!] == "rejected:certificate-expired")

        let strict = try await FleetsimBinary.run(base + ["--max-failure-rate", "0.1"], in: fixture.directory)
        #expect(strict.status == 1)
        #expect(self.gates(try self.report(json)) == ["max-failure-rate": false])
        let lenient = try await FleetsimBinary.run(
            base + ["--max-failure-rate", "0.9", "--max-p99", "10s"],
            in: fixture.directory
        )
        #expect(lenient.status == 0, "\(lenient.output)")
        #expect(self.gates(try self.report(json)) == ["max-failure-rate": true, "max-p99": true])
        let fast = try await FleetsimBinary.run(base + ["--max-p99", "1ms"], in: fixture.directory)
        #expect(fast.status == 1)
        #expect(self.gates(try self.report(json)) == ["max-p99": false])

        let garbage = try fixture.directory.write("garbage.tsv", "tcu-00001\tfine\n")
        let bad = try await FleetsimBinary.run(base + ["--expect", garbage], in: fixture.directory)
        #expect(bad.status == 2)
        #expect(bad.inputErrorCode == "expect:unknown-outcome", "\(bad.stderr)")
        #expect(bad.stderr.contains("garbage.tsv:1"), "the message names file and line: \(bad.stderr)")
    }

    @Test func nothingListeningIsTCPRefusedForEveryDeviceWithACompleteReport() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let json = fixture.directory.path("report.json")
        let run = try await FleetsimBinary.run(
            ["run", "--target", "127.0.0.1:\(FreePort.find())", "--dir", fixture.layout.directory, "--json", json],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        let report = try self.report(json)
        let failures = try #require(report["failures"] as? [String: Int])
        #expect(failures["tcp-refused"] == 12)  // 13 devices; the key-mismatch one never connects
        #expect(failures["identity-invalid"] == 1)
        #expect((report["counts"] as? [String: Int])?["attempted"] == 13)
        #expect((report["devices"] as? [Any])?.count == 13)
    }

    @Test func usageAndInputErrorsExitTwo() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let badProfile = try fixture.directory.write("bad.yaml", "tls:\n  version: [1.3]\n")
        // Usage errors name the flag; input errors have a code.
        let cases: [(arguments: [String], code: String?, names: String)] = [
            (["run", "--dir", fixture.layout.directory], nil, "--target"),
            (["run", "--target", "localhost", "--dir", fixture.layout.directory], nil, "HOST:PORT"),
            (["run", "--target", "127.0.0.1:1", "--identities", fixture.layout.devices], nil, "--ca"),
            (["run", "--target", "127.0.0.1:1", "--dir", fixture.layout.directory, "--rate", "-3"], nil, "--rate"),
            (
                ["run", "--target", "127.0.0.1:1", "--dir", fixture.layout.directory, "--hold", "forever"], nil,
                "--hold"
            ),
            (["run", "--target", "127.0.0.1:1", "--dir", fixture.layout.directory, "--shard", "5/4"], nil, "--shard"),
            (
                ["run", "--target", "127.0.0.1:1", "--dir", fixture.layout.directory, "--profile", badProfile],
                "profile:unknown-key", "tls.version"
            ),
            (
                ["run", "--target", "127.0.0.1:1", "--dir", fixture.directory.path("nowhere")], "pki:no-such-file",
                "nowhere"
            ),
        ]
        for (arguments, code, names) in cases {
            let result = try await FleetsimBinary.run(arguments, in: fixture.directory)
            #expect(result.status == 2, "\(arguments): \(result.output)")
            #expect(result.inputErrorCode == code, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(names), "\(arguments): \(result.stderr)")
        }
    }

    @Test func interruptWritesThePartialReportAndExits130() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let broker = try await MosquittoBroker(layout: fixture.layout, version: nil, in: fixture.directory)
        defer { broker.stop() }
        let json = fixture.directory.path("report.json")
        let run = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(broker.port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost",
                "--protocol", "mqtt", "--hold", "60s", "--json", json, "--metrics", "127.0.0.1:0",
            ],
            in: fixture.directory,
            name: "interrupted-run"
        )
        defer { run.stop() }
        // Wait until the three good devices have their CONNACK (the hold is 60 s, so nothing else
        // ends meanwhile), then Ctrl-C.
        try await MetricsScrape(printedBy: run).waitFor(#"fleetsim_devices_total{outcome="ok"}"#, atLeast: 3)
        run.signal(SIGINT)
        let status = try await run.waitForExit(timeout: .seconds(20))
        #expect(status == 130, "\(run.output)")
        let report = try self.report(json)
        #expect(report["interrupted"] as? Bool == true)
        #expect((report["counts"] as? [String: Int])?["succeeded"] == 3)
        #expect(self.gates(report) == ["complete": false])
    }
}
