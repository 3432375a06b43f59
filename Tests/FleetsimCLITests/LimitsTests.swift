import FleetPKI
import FleetTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Hardening: the simulator's own limits. More devices than file descriptors end `local-resource`
/// and the run still reports; Ctrl-C in a 10,000-device run writes the partial report with every
/// device accounted for, and exits 130 without hanging.
@Suite(.serialized) struct LimitsTests {
    func report(_ path: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        )
    }

    @Test func devicesBeyondTheOpenFileLimitEndLocalResource() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: 400, prefix: "fleet-", defect: .none, algorithm: .ecdsaP256)
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "tls"],
            in: fixture.directory
        )
        defer { server.stop() }
        let json = fixture.directory.path("report.json")
        // The run gets 256 descriptors (the server keeps the machine's); 413 devices held at once need more.
        let command =
            "ulimit -n 256 && exec '\(FleetsimBinary.path)' run --target 127.0.0.1:\(server.port) --dir '\(fixture.layout.directory)' "
            + "--server-name localhost --hold 3s --json '\(json)' --quiet"
        let run = try await ForeignProcess.run(
            "/bin/sh",
            ["-c", command],
            in: fixture.directory,
            timeout: .seconds(60)
        )
        #expect(run.status == 0, "\(run.output)")
        let report = try self.report(json)
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["devices"] == 413)
        #expect((counts["succeeded"] ?? 0) + (counts["failed"] ?? 0) == 413, "\(counts)")
        #expect((counts["succeeded"] ?? 0) > 100, "\(counts)")
        let failures = try #require(report["failures"] as? [String: Int])
        #expect((failures["local-resource"] ?? 0) > 0, "\(failures)")
        let local = ((report["devices"] as? [[String: Any]]) ?? []).first {
            $0["outcome"] as? String == "local-resource"
        }
        let detail = (local?["detail"] as? String) ?? ""
        #expect(detail.contains("file descriptors"), "\(detail)")
    }

    @Test func startingWithAlmostNoDescriptorsIsAClearError() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        // A parent that leaves 8 of 48 descriptors free (as a leaky supervisor would).
        let command =
            "ulimit -n 48 && for fd in $(seq 10 49); do eval \"exec $fd</dev/null\" 2>/dev/null; done; "
            + "exec '\(FleetsimBinary.path)' run --target 127.0.0.1:9 --dir '\(fixture.layout.directory)' --quiet"
        let run = try await ForeignProcess.run(
            "/bin/bash",
            ["-c", command],
            in: fixture.directory,
            timeout: .seconds(30)
        )
        #expect(run.status == 2, "\(run.output)")
        #expect(run.inputErrorCode == "too-few-descriptors", "\(run.stderr)")
    }

    @Test func interruptingATenThousandDeviceRunLosesNothing() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: 9_987, prefix: "fleet-", defect: .none, algorithm: .ecdsaP256)
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "tls"],
            in: fixture.directory
        )
        defer { server.stop() }
        let json = fixture.directory.path("report.json")
        let run = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost",
                "--rate", "500", "--hold", "30s", "--json", json, "--metrics", "127.0.0.1:0",
            ],
            in: fixture.directory,
            name: "interrupted-10k"
        )
        defer { run.stop() }
        // Ctrl-C once 150 devices are accepted: with --rate 500, thousands are still to start.
        let metrics = try await MetricsScrape(printedBy: run, timeout: .seconds(90))
        try await metrics.waitFor(#"fleetsim_devices_total{outcome="ok"}"#, atLeast: 150)
        run.signal(SIGINT)
        // Bounded: a run that does not stop fails here (how fast it stops is bench/device-behaviour.sh's).
        let status = try await run.waitForExit(timeout: .seconds(20))
        #expect(status == 130, "\(run.output)")
        let report = try self.report(json)
        #expect(report["interrupted"] as? Bool == true)
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["devices"] == 10_000)
        #expect((counts["attempted"] ?? 0) > 100, "\(counts)")
        #expect((counts["notStarted"] ?? 0) > 0, "\(counts)")
        // Every device is accounted for: decided, undecided, or never started.
        let accounted =
            (counts["succeeded"] ?? 0) + (counts["failed"] ?? 0) + (counts["undecided"] ?? 0)
            + (counts["notStarted"] ?? 0)
        #expect(accounted == 10_000, "\(counts)")
        #expect((counts["attempted"] ?? 0) + (counts["notStarted"] ?? 0) == 10_000, "\(counts)")
    }
}
