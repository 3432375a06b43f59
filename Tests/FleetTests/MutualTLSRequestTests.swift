import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Foundation
import Testing

@testable import Fleet

/// A server that never asks for a client certificate accepts every device: the run says so, per
/// device and in the counts, and `--expect-mutual-tls` fails it — the user must not believe
/// mutual TLS was tested.
@Suite(.serialized) struct MutualTLSRequestTests {
    let pki: TestPKI
    let directory: TemporaryDirectory

    init() throws {
        self.pki = try TestPKI()
        self.directory = try TemporaryDirectory()
    }

    func run(asking: Bool, version: String) async throws -> (DeviceReport, RunCollector.State) {
        let certificate = try self.directory.write("server-\(version).pem", self.pki.server.certificatePEM)
        let chain = try self.directory.write("chain-\(version).pem", self.pki.intermediatePEM)
        let key = try self.directory.write("server-\(version).key", self.pki.server.keyPEM)
        let ca = try self.directory.write("ca-\(version).pem", self.pki.rootPEM)
        var arguments = [
            "-cert", certificate, "-cert_chain", chain, "-key", key, "-CAfile", ca,
            "-tls\(version == "1.2" ? "1_2" : "1_3")",
        ]
        if asking { arguments += ["-Verify", "2", "-verify_return_error"] }
        let server = try await OpenSSLServer(weak: arguments, in: self.directory)
        defer { server.stop() }
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        let runner = OneDevice(context: context, port: server.port)
        let issued = try self.pki.device(.good)
        return await runner.run(runner.device("tcu-good", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM))
    }

    /// The `--expect-mutual-tls` gate evaluated on a one-device run.
    static func mutualTLSGate(_ state: RunCollector.State) -> [RunReport.Gate] {
        let result = FleetRunner.Result(
            state: state,
            startedAt: Date(),
            seconds: 1,
            interrupted: false,
            notStarted: 0,
            startSpan: 0
        )
        return RunGates(mutualTLS: true).evaluate(
            result,
            mode: .tls,
            outcomes: state.outcomeByDevice,
            selected: ["tcu-good"],
            subset: false
        ).gates
    }

    @Test(arguments: ["1.2", "1.3"])
    func aServerThatNeverAsksIsReported(version: String) async throws {
        let (report, state) = try await self.run(asking: false, version: version)
        #expect(report.outcome == .ok, "\(report.detail ?? "")")
        #expect(report.clientCertificateRequested == false)
        #expect(state.connections.withoutClientCertificate == 1)
        let gates = Self.mutualTLSGate(state)
        #expect(gates.map(\.name) == ["mutual-tls"])
        #expect(gates.first?.passed == false)
    }

    @Test(arguments: ["1.2", "1.3"])
    func aServerThatAsksIsMutualTLS(version: String) async throws {
        let (report, state) = try await self.run(asking: true, version: version)
        #expect(report.outcome == .ok, "\(report.detail ?? "")")
        #expect(report.clientCertificateRequested == true)
        #expect(state.connections.withoutClientCertificate == 0)
        #expect(state.connections.negotiated.count == 1)
        #expect(
            state.connections.negotiated.keys.first?.hasPrefix("TLS \(version) ") == true,
            "\(state.connections.negotiated)"
        )
        let gates = Self.mutualTLSGate(state)
        #expect(gates.first?.passed == true)
    }
}
