import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Measures what fleetsim devices cost and see against a real foreign server, through the fleet's
/// own path (`FleetRunner`, device agents, collector: what `run` does),
/// `openssl s_server -Verify 2 -verify_return_error` on 127.0.0.1, with a PKI made in memory:
///
/// - `--matrix`: one device of each kind (good, expired, serverAuth-only EKU, foreign CA, no
///   certificate) in TLS 1.2 and 1.3, with the outcome, the alert and the timings;
/// - latency: `--count` sequential full mutual-TLS handshakes per version: p50/p90/p99/max of the
///   time to handshake done and to the server's verdict, and the simulator's CPU per handshake.
///
/// Traffic stays on 127.0.0.1; every loop is bounded by `--count`.
@main
struct HandshakeBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let count = Self.option("--count", in: arguments).flatMap(Int.init) ?? 300
        let versions = (Self.option("--tls", in: arguments) ?? "1.3,1.2").split(separator: ",").map(String.init)
        let matrix = arguments.contains("--matrix")
        guard (1...100_000).contains(count) else {
            FileHandle.standardError.write(Data("--count must be between 1 and 100000\n".utf8))
            exit(2)
        }

        let directory = try TemporaryDirectory(prefix: "fleetsim-bench")
        defer { directory.remove() }
        let pki = try TestPKI()
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: pki.rootPEM))
        print(
            "fleetsim handshake bench — wolfSSL \(WolfSSLLibrary.version), P-256 identities, 127.0.0.1, the fleet's own path"
        )

        for version in versions {
            let server = try await OpenSSLServer(
                server: pki.server,
                clientCAPEM: pki.rootPEM,
                version: version,
                in: directory
            )
            defer { server.stop() }
            var settings = RunSettings(host: "127.0.0.1", port: server.port)
            settings.profile.acceptTimeout = 2
            if matrix {
                try await Self.runMatrix(pki: pki, context: context, settings: settings, version: version)
            }
            try await Self.measure(pki: pki, context: context, settings: settings, version: version, count: count)
        }
    }

    static func runMatrix(pki: TestPKI, context: TLSContext, settings: RunSettings, version: String) async throws {
        print("\nTLS \(version): one device of each kind against openssl s_server -verify_return_error")
        let kinds: [(String, TestPKI.Device?)] = [
            ("tcu-good", .good), ("tcu-expired", .expired), ("tcu-server-eku", .serverEKU),
            ("tcu-foreign-ca", .foreignCA), ("tcu-no-cert", nil),
        ]
        for (id, kind) in kinds {
            let device =
                try kind.map { kind in
                    let issued = try pki.device(kind, id: id)
                    return FleetDevice(id: id, chainPEM: issued.chainPEM, keyPEM: issued.keyPEM, context: context)
                } ?? .withoutCertificate(id: id)
            let state = await FleetRunner.runOne(
                device,
                settings: settings,
                context: context,
                group: MultiThreadedEventLoopGroup.singleton
            )
            guard let result = state.devices.first else { continue }
            let timings = [
                ("tcp", result.timings.tcpConnect), ("handshake", result.timings.tlsHandshake),
                ("verdict", result.timings.serverAccept),
            ].compactMap { name, value in value.map { "\(name) \(Self.ms($0))" } }.joined(separator: ", ")
            print(
                "  \(id.padding(toLength: 16, withPad: " ", startingAt: 0)) "
                    + "\(result.outcome.identifier.padding(toLength: 34, withPad: " ", startingAt: 0)) \(timings)"
            )
            if let detail = result.detail { print("  \(String(repeating: " ", count: 16))   ↳ \(detail)") }
        }
    }

    /// `count` sequential full handshakes (as many devices, one at a time), then `count` resumed
    /// ones (one device churning, each connection resuming the session the previous one got).
    static func measure(pki: TestPKI, context: TLSContext, settings: RunSettings, version: String, count: Int)
        async throws
    {
        let issued = try pki.device(.good, id: "tcu-bench")
        func devices(_ n: Int) -> [FleetDevice] {
            (0..<n).map {
                FleetDevice(id: "tcu-bench-\($0)", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM, context: context)
            }
        }
        var sequential = settings
        sequential.concurrency = 1
        // Warm up: the first handshakes of a process build wolfSSL's per-thread ECC caches.
        _ = await Self.run(devices(10), settings: sequential, context: context)

        for resuming in [false, true] {
            var run = sequential
            if resuming {
                run.profile.resumption = .tickets
                run.profile.churnConnections = count + 1
                run.profile.churnPause = 0
            }
            let cpuBefore = Self.cpuSeconds()
            let wallBefore = NIODeadline.now()
            let state = await Self.run(devices(resuming ? 1 : count), settings: run, context: context)
            let wall = Double((NIODeadline.now() - wallBefore).nanoseconds) / 1e9
            let cpu = Self.cpuSeconds() - cpuBefore
            let handshakes = state.connections.attempts
            let kind = resuming ? "resumed" : "full"
            print("\nTLS \(version): \(count) sequential \(kind) mutual-TLS handshakes against openssl s_server")
            print(
                "  handshake done   \(Self.summary(state.histograms.summary(resuming ? .tlsHandshakeResumed : .tlsHandshake)))"
            )
            print("  server verdict   \(Self.summary(state.histograms.summary(.serverAccept)))")
            print(
                String(
                    format: "  client CPU       %.0f µs per handshake (user+sys, whole process)",
                    cpu / Double(max(1, handshakes)) * 1e6
                )
            )
            print(String(format: "  rate             %.0f handshakes/s (one at a time)", Double(handshakes) / wall))
            if resuming {
                let offered = max(1, state.connections.resumeOffered)
                print(
                    String(
                        format: "  resumed          %.1f%%",
                        Double(state.connections.resumed) / Double(offered) * 100
                    )
                )
            }
            let failures = state.connections.outcomes.filter { $0.key != "ok" }
            if !failures.isEmpty { print("  failures         \(failures)") }
        }
    }

    static func run(_ devices: [FleetDevice], settings: RunSettings, context: TLSContext) async -> RunCollector.State {
        let runner = FleetRunner(
            settings: settings,
            devices: devices,
            context: context,
            group: MultiThreadedEventLoopGroup.singleton
        )
        return await runner.run(collector: RunCollector(keepAll: false), stop: StopSignal()).state
    }

    static func summary(_ summary: PercentileSummary?) -> String {
        guard let summary, summary.count > 0 else { return "no samples" }
        func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
        return
            "n=\(summary.count) p50 \(ms(summary.p50))  p90 \(ms(summary.p90))  p99 \(ms(summary.p99))  max \(ms(summary.max))"
    }

    static func ms(_ amount: TimeAmount) -> String {
        String(format: "%.2f ms", Double(amount.nanoseconds) / 1e6)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func option(_ name: String, in arguments: ArraySlice<String>) -> String? {
        guard let index = arguments.firstIndex(of: name), arguments.index(after: index) < arguments.endIndex else {
            return nil
        }
        return arguments[arguments.index(after: index)]
    }
}
