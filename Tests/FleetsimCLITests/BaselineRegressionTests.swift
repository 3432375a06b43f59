import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// A run against `fleetsim serve`, then the same fleet through a loopback proxy that holds every
/// chunk 100 ms: `run --baseline … --max-regression` exits 1 with the gate named in the console,
/// JSON, JUnit and HTML (0 within bounds), and `report diff` shows the regression; bad specs and
/// reports of another schema are refused by code.
@Suite(.serialized) struct BaselineRegressionTests {
    @Test func aSlowerBackendFailsTheBaselineGateAndTheDiffShowsIt() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: 16, prefix: "zz-", defect: .none, algorithm: .ecdsaP256)
        let server = try await FleetsimServer(["--dir", fixture.layout.directory], in: fixture.directory)
        defer { server.stop() }
        let proxy = try await DelayProxy(to: server.port, delayMs: 100, in: fixture.directory)
        defer { proxy.stop() }
        func run(_ port: Int, _ extra: [String]) async throws -> CommandResult {
            try await FleetsimBinary.run(
                [
                    "run", "--target", "127.0.0.1:\(port)", "--dir", fixture.layout.directory, "--server-name",
                    "localhost", "--quiet", "--concurrency", "8",
                ] + extra,
                in: fixture.directory
            )
        }
        let path = fixture.directory.path
        let base = try await run(server.port, ["--json", path("base.json")])
        #expect(base.status == 0, "\(base.output)")

        let within = try await run(
            proxy.port,
            [
                "--baseline", path("base.json"), "--max-regression", "p99=5000ms,failureRate=5pp", "--json",
                path("ok.json"),
            ]
        )
        #expect(within.status == 0, "\(within.output)")
        #expect(
            JSONFile.gates(try JSONFile.object(path("ok.json"))) == [
                "max-regression:p99": true, "max-regression:failureRate": true,
            ]
        )

        let slow = try await run(
            proxy.port,
            [
                "--baseline", path("base.json"), "--max-regression", "p99=50%,failureRate=5pp", "--json",
                path("new.json"), "--junit", path("new.xml"), "--html", path("new.html"),
            ]
        )
        #expect(slow.status == 1, "\(slow.output)")
        #expect(slow.stdout.contains("FAIL  max-regression:p99"), "\(slow.stdout)")
        #expect(
            JSONFile.gates(try JSONFile.object(path("new.json"))) == [
                "max-regression:p99": false, "max-regression:failureRate": true,
            ]
        )
        let junit = try String(contentsOfFile: path("new.xml"), encoding: .utf8)
        #expect(junit.contains(#"name="max-regression:p99" time="0">"#), "the gate is a failed testcase")
        #expect(try String(contentsOfFile: path("new.html"), encoding: .utf8).contains("max-regression:p99"))

        // The same comparison on the two artifacts.
        let diff = try await FleetsimBinary.run(
            [
                "report", "diff", path("base.json"), path("new.json"), "--json", path("diff.json"), "--html",
                path("diff.html"),
            ],
            in: fixture.directory
        )
        #expect(diff.status == 0, "\(diff.output)")
        let document = try JSONFile.object(path("diff.json"))
        #expect(document["schema"] as? String == "fleetsim.diff/1")
        let latency = try #require(document["latencyMs"] as? [String: [String: [String: Double]]])
        let p99 = try #require(latency["serverAccept"]?["p99"])
        #expect((p99["delta"] ?? 0) >= 100, "at least one held chunk: \(p99)")
        #expect((p99["relative"] ?? 0) > 0.5, "\(p99)")
        let outcomes = try #require(document["outcomes"] as? [String: [String: Int]])
        #expect(outcomes.values.allSatisfy { $0["delta"] == 0 }, "the same devices fail the same way: \(outcomes)")
        #expect((document["devicesChanged"] as? [Any])?.isEmpty == true)
        let page = try String(contentsOfFile: path("diff.html"), encoding: .utf8)
        #expect(page.hasPrefix("<!doctype html>") && !page.contains("<script"))

        let gated = try await FleetsimBinary.run(
            ["report", "diff", path("base.json"), path("new.json"), "--max-regression", "p99=50%"],
            in: fixture.directory
        )
        #expect(gated.status == 1, "\(gated.output)")
        #expect(gated.stdout.contains("FAIL  max-regression:p99"))
    }

    @Test func badSpecsAndOtherSchemasAreRefusedByCode() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try await FleetsimBinary.run(["pki", "init", "--dir", directory.path("certs")], in: directory)
        let report = #"""
            {"schema":"fleetsim.report/1","target":"127.0.0.1:1","protocol":"tls","tls":"1.3",
             "startedAt":"2027-01-15T08:00:00Z","durationSeconds":1,"interrupted":false,
             "counts":{"devices":1,"attempted":1,"succeeded":1,"failed":0,"notStarted":0,"peakConnected":1},
             "rates":{"handshakesPerSecond":1},"latencyMs":{},"failures":{},"devices":[],
             "cpu":{"userSeconds":0,"systemSeconds":0},"memory":{"maxRSSBytes":0},"gates":[],
             "histograms":{},"timelineSeconds":[]}
            """#
        let base = try directory.write("base.json", report)
        let other = try directory.write("other.json", report.replacingOccurrences(of: "report/1", with: "report/9"))
        let schema = try await FleetsimBinary.run(["report", "diff", base, other], in: directory)
        #expect(schema.status == 2)
        #expect(schema.inputErrorCode == "diff:other-schema", "\(schema.stderr)")

        for (spec, code) in [
            ("p98=10%", "max-regression:unknown-metric"), ("failureRate=1%", "max-regression:wrong-unit"),
            ("p99=5000%", "max-regression:out-of-range"), ("p99", "max-regression:malformed"),
        ] {
            let diff = try await FleetsimBinary.run(
                ["report", "diff", base, base, "--max-regression", spec],
                in: directory
            )
            #expect(diff.status == 2, "\(spec)")
            #expect(diff.inputErrorCode == code, "\(spec): \(diff.stderr)")
            #expect(diff.stderr.contains("--max-regression"), "the flag is named: \(diff.stderr)")
            let run = try await FleetsimBinary.run(
                [
                    "run", "--target", "127.0.0.1:9", "--dir", directory.path("certs"), "--baseline", base,
                    "--max-regression", spec,
                ],
                in: directory
            )
            #expect(run.status == 2, "\(spec)")
            #expect(run.inputErrorCode == code, "\(spec): \(run.stderr)")
        }
        let alone = try await FleetsimBinary.run(
            ["run", "--target", "127.0.0.1:9", "--dir", directory.path("certs"), "--max-regression", "p99=1%"],
            in: directory
        )
        #expect(alone.status == 2)
        #expect(alone.stderr.contains("--baseline"), "\(alone.stderr)")
        let missing = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:9", "--dir", directory.path("certs"), "--baseline",
                directory.path("no.json"),
            ],
            in: directory
        )
        #expect(missing.status == 2)
        #expect(missing.inputErrorCode == "unreadable-file", "\(missing.stderr)")
    }
}
