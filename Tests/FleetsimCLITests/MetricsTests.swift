import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// `--metrics` on `run` and `serve`: scraped during a run, the endpoints answer the Prometheus text
/// format, and the counters grow.
@Suite(.serialized) struct MetricsTests {
    /// `# HELP`/`# TYPE` lines, or `name{label="value",…} number`.
    static var sample: Regex<(Substring, Substring?, Substring?, Substring, Substring?)> {
        #/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|NaN|[+-]Inf)$/#
    }
    static var comment: Regex<(Substring, Substring, Substring?)> {
        #/^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$/#
    }

    /// Checks the exposition format line by line.
    static func checkFormat(_ text: String) {
        var typed: Set<String> = []
        for line in text.split(separator: "\n").map(String.init) where !line.isEmpty {
            if line.hasPrefix("#") {
                #expect(line.wholeMatch(of: Self.comment) != nil, "bad comment line: \(line)")
                if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])) }
                continue
            }
            #expect(line.wholeMatch(of: Self.sample) != nil, "bad sample line: \(line)")
            let family = String(line.prefix { $0 != "{" && $0 != " " })
            let base = ["_bucket", "_sum", "_count"].reduce(family) { name, suffix in
                name.hasSuffix(suffix) && typed.contains(String(name.dropLast(suffix.count)))
                    ? String(name.dropLast(suffix.count)) : name
            }
            #expect(typed.contains(base), "no # TYPE before \(family)")
        }
    }

    @Test func scrapedDuringARunTheCountersGrow() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: 30, prefix: "fleet-", defect: .none, algorithm: .ecdsaP256)
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "mqtt", "--metrics", "127.0.0.1:0"],
            in: fixture.directory
        )
        defer { server.stop() }
        let served = try await MetricsScrape(printedBy: server.process)

        // 43 devices at 5/s: the run lasts ~9 s, long enough to scrape twice while it goes.
        let run = try ForeignProcess(
            FleetsimBinary.path,
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost",
                "--protocol", "mqtt", "--rate", "5", "--hold", "1s", "--metrics", "127.0.0.1:0", "--quiet",
            ],
            in: fixture.directory,
            name: "metrics-run"
        )
        defer { run.stop() }
        let metrics = try await MetricsScrape(printedBy: run)

        let ok = #"fleetsim_handshakes_total{outcome="ok"}"#
        let first = #"fleetsim_connection_attempts_total{kind="first"}"#
        let response = try HTTPGet.fetch(port: metrics.port, path: "/metrics")
        #expect(response.status == 200)
        #expect(response.headers.contains("text/plain; version=0.0.4"))
        Self.checkFormat(response.body)
        let before = MetricsScrape.samples(in: response.body)
        // Scraped again once the counters have moved on: they only grow.
        try await metrics.waitFor(ok, atLeast: (before[ok] ?? 0) + 1)
        let after = try await metrics.waitFor(first, atLeast: (before[first] ?? 0) + 1)
        Self.checkFormat(try HTTPGet.fetch(port: metrics.port, path: "/metrics").body)
        #expect((after[ok] ?? 0) > (before[ok] ?? 0), "ok handshakes: \(before[ok] ?? 0) then \(after[ok] ?? 0)")
        #expect(after["fleetsim_tls_handshake_seconds_count{handshake=\"full\"}"] != nil)
        #expect(after["fleetsim_devices_connected"] != nil)
        #expect(try HTTPGet.fetch(port: metrics.port, path: "/other").status == 404)

        // The backend's side of the same run.
        let backend = try served.samples()
        #expect((backend[#"fleetsim_serve_verdicts_total{verdict="accepted",outcome="ok"}"#] ?? 0) > 0)
        #expect((backend["fleetsim_serve_connections_total"] ?? 0) > 0)
        #expect(try await run.waitForExit(timeout: .seconds(30)) == 0, "\(run.output)")
    }
}
