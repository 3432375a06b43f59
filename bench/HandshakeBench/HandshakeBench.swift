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

/// Measures what one fleetsim device costs and sees against a real foreign server,
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
        var connector = DeviceConnector(context: context, group: MultiThreadedEventLoopGroup.singleton)
        connector.acceptTimeout = .seconds(2)
        print("fleetsim handshake bench — wolfSSL \(WolfSSLLibrary.version), P-256 identities, 127.0.0.1")

        for version in versions {
            let server = try await OpenSSLServer(server: pki.server, clientCAPEM: pki.rootPEM, version: version, in: directory)
            defer { server.stop() }
            if matrix {
                try await Self.runMatrix(pki: pki, connector: connector, port: server.port, version: version)
            }
            try await Self.measure(pki: pki, connector: connector, port: server.port, version: version, count: count)
        }
    }

    static func runMatrix(pki: TestPKI, connector: DeviceConnector, port: Int, version: String) async throws {
        print("\nTLS \(version): one device of each kind against openssl s_server -verify_return_error")
        let kinds: [(String, TestPKI.Device?)] = [
            ("tcu-good", .good), ("tcu-expired", .expired), ("tcu-server-eku", .serverEKU),
            ("tcu-foreign-ca", .foreignCA), ("tcu-no-cert", nil),
        ]
        for (id, kind) in kinds {
            let identity = try kind.map { kind in
                let issued = try pki.device(kind, id: id)
                return DeviceIdentity(label: id, chainPEM: issued.chainPEM, keyPEM: issued.keyPEM)
            }
            let result = await connector.connect(identity: identity, host: "127.0.0.1", port: port)
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

    static func measure(pki: TestPKI, connector: DeviceConnector, port: Int, version: String, count: Int) async throws {
        let issued = try pki.device(.good, id: "tcu-bench")
        let identity = try connector.context.validate(
            DeviceIdentity(label: "tcu-bench", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM)
        )
        // Warm up: the first handshakes of a process build wolfSSL's per-thread ECC caches.
        for _ in 0..<10 { _ = await connector.connect(identity: identity, host: "127.0.0.1", port: port) }

        for resuming in [false, true] {
            var handshake: [TimeAmount] = []
            var verdict: [TimeAmount] = []
            var failures: [String: Int] = [:]
            var resumedCount = 0
            // Resumed runs chain sessions: each connection resumes the session the previous one got.
            var session = resuming ? await connector.connect(identity: identity, host: "127.0.0.1", port: port).session : nil
            let cpuBefore = Self.cpuSeconds()
            let wallBefore = NIODeadline.now()
            for _ in 0..<count {
                let result = await connector.connect(identity: identity, host: "127.0.0.1", port: port, resume: session)
                guard result.outcome == .ok else {
                    failures[result.outcome.identifier, default: 0] += 1
                    continue
                }
                if result.handshake?.resumed == true { resumedCount += 1 }
                if resuming { session = result.session ?? session }
                handshake.append(result.timings.tlsHandshake!)
                verdict.append(result.timings.serverAccept!)
            }
            let wall = Double((NIODeadline.now() - wallBefore).nanoseconds) / 1e9
            let cpu = Self.cpuSeconds() - cpuBefore
            let kind = resuming ? "resumed" : "full"
            print("\nTLS \(version): \(count) sequential \(kind) mutual-TLS handshakes against openssl s_server")
            print("  handshake done   \(Self.summary(handshake))")
            print("  server verdict   \(Self.summary(verdict))")
            print(String(format: "  client CPU       %.0f µs per handshake (user+sys, whole process)", cpu / Double(count) * 1e6))
            print(String(format: "  rate             %.0f handshakes/s (one at a time)", Double(count) / wall))
            print(String(format: "  resumed          %.1f%%", Double(resumedCount) / Double(max(1, count)) * 100))
            if !failures.isEmpty { print("  failures         \(failures)") }
        }
    }

    static func summary(_ samples: [TimeAmount]) -> String {
        guard !samples.isEmpty else { return "no samples" }
        let sorted = samples.sorted()
        func at(_ q: Double) -> String { Self.ms(sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]) }
        return "n=\(sorted.count) p50 \(at(0.50))  p90 \(at(0.90))  p99 \(at(0.99))  max \(Self.ms(sorted.last!))"
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
