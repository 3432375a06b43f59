import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Testing

/// The device side against a real foreign server: `openssl s_server -Verify 2 -verify_return_error`
/// on 127.0.0.1, started and stopped by pid. OpenSSL's verdicts are the ones DESIGN.md §2 lists.
@Suite(.serialized) struct OpenSSLServerTests {
    let pki: TestPKI
    let directory: TemporaryDirectory

    init() throws {
        self.pki = try TestPKI()
        self.directory = try TemporaryDirectory()
    }

    /// `s_server` with the fixture's server identity, requiring a device certificate from its root.
    func server(_ version: String) async throws -> OpenSSLServer {
        try await OpenSSLServer(
            server: self.pki.server,
            clientCAPEM: self.pki.rootPEM,
            version: version,
            in: self.directory
        )
    }

    func oneDevice(port: Int, serverName: String? = nil) throws -> OneDevice {
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        return OneDevice(context: context, port: port, serverName: serverName)
    }

    func device(_ kind: TestPKI.Device?, on runner: OneDevice) throws -> FleetDevice {
        guard let kind else { return .withoutCertificate(id: "tcu-no-cert") }
        let issued = try self.pki.device(kind)
        return runner.device("tcu-\(kind.rawValue)", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM)
    }

    static let cases: [(String, TestPKI.Device?, Outcome)] = [
        ("1.2", .good, .ok),
        ("1.3", .good, .ok),
        ("1.2", .expired, .rejected(.certificateExpired)),
        ("1.3", .expired, .rejected(.certificateExpired)),
        ("1.2", .serverEKU, .rejected(.unsupportedCertificate)),
        ("1.3", .serverEKU, .rejected(.unsupportedCertificate)),
        ("1.2", .foreignCA, .rejected(.unknownCA)),
        ("1.3", .foreignCA, .rejected(.unknownCA)),
        ("1.2", nil, .rejected(.handshakeFailure)),
        ("1.3", nil, .rejected(.certificateRequired)),
    ]

    @Test(arguments: Self.cases)
    func deviceGetsOpenSSLsVerdict(version: String, device: TestPKI.Device?, expected: Outcome) async throws {
        let server = try await self.server(version)
        defer { server.stop() }
        let runner = try self.oneDevice(port: server.port)
        let (result, _) = await runner.run(try self.device(device, on: runner))
        #expect(result.outcome == expected, "\(result.detail ?? "") — s_server said: \(server.process.output)")
        #expect(result.tlsVersion?.rawValue ?? version == version)
        if case .rejected(let alert) = expected {
            #expect(result.failure?.alertReceived == alert)
        } else {
            #expect(result.timings.tcpConnect != nil)
            #expect(result.timings.tlsHandshake != nil)
            // The acceptance signal came after the handshake (TLS 1.3: the ticket), never before.
            let accept = try #require(result.timings.serverAccept)
            #expect(accept >= result.timings.tlsHandshake!)
        }
    }

    @Test(arguments: ["1.2", "1.3"])
    func deviceRefusesAServerItDoesNotTrust(version: String) async throws {
        let server = try await OpenSSLServer(
            server: try self.pki.untrustedServer(),
            clientCAPEM: self.pki.rootPEM,
            version: version,
            in: self.directory
        )
        defer { server.stop() }
        let runner = try self.oneDevice(port: server.port)
        let (result, _) = await runner.run(try self.device(.good, on: runner))
        #expect(result.outcome == .serverUntrusted, "\(result.detail ?? "")")
        #expect(result.failure?.nativeCode == -188)
        #expect(result.failure?.alertSent == .unknownCA || result.failure?.alertSent == .badCertificate)
    }

    @Test(arguments: ["1.2", "1.3"])
    func deviceRefusesAServerWhoseNameDoesNotMatch(version: String) async throws {
        let server = try await self.server(version)
        defer { server.stop() }
        let runner = try self.oneDevice(port: server.port, serverName: "broker.example.com")
        let (result, _) = await runner.run(try self.device(.good, on: runner))
        #expect(result.outcome == .serverUntrusted, "\(result.detail ?? "")")
        #expect(result.failure?.nativeCode == -322)  // DOMAIN_NAME_MISMATCH
        #expect(result.detail?.contains("broker.example.com") == true)  // names the name it expected
    }

    @Test(arguments: ["1.2", "1.3"])
    func deviceResumesWithOpenSSLAndResumptionIsCounted(version: String) async throws {
        let server = try await self.server(version)
        defer { server.stop() }
        // Two connections of one device (churn): the second offers the session the first got.
        var runner = try self.oneDevice(port: server.port)
        runner.settings.profile.resumption = .tickets
        runner.settings.profile.churnConnections = 2
        runner.settings.profile.churnPause = 0
        let (report, state) = await runner.run(try self.device(.good, on: runner))
        #expect(report.outcome == .ok, "\(report.detail ?? "")")
        #expect(report.resumed == false)  // the device's report is its first acceptance: a full handshake
        #expect(state.connections.outcomes == ["ok": 2])
        #expect(state.connections.resumeOffered == 1)
        #expect(state.connections.resumed == 1, "s_server did not resume: \(server.process.output.suffix(400))")
    }

    @Test func nothingListeningIsTCPRefused() async throws {
        let runner = try self.oneDevice(port: FreePort.find())
        let (result, _) = await runner.run(try self.device(.good, on: runner))
        #expect(result.outcome == .tcpRefused, "\(result.detail ?? "")")
        #expect(result.timings.tlsHandshake == nil)
    }
}
