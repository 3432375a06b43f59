import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import NIOPosix
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

    func connector() throws -> DeviceConnector {
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        return DeviceConnector(context: context, group: MultiThreadedEventLoopGroup.singleton)
    }

    func identity(_ kind: TestPKI.Device) throws -> DeviceIdentity {
        let issued = try self.pki.device(kind)
        return DeviceIdentity(label: "tcu-\(kind.rawValue)", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM)
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
        let server = try await OpenSSLServer(
            server: self.pki.server,
            clientCAPEM: self.pki.rootPEM,
            version: version,
            in: self.directory
        )
        defer { server.stop() }
        let result = try await self.connector().connect(
            identity: device.map(self.identity) ?? nil,
            host: "127.0.0.1",
            port: server.port
        )
        #expect(result.outcome == expected, "\(result.detail ?? "") — s_server said: \(server.process.output)")
        #expect(result.handshake?.version?.rawValue ?? version == version)
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
        let result = try await self.connector().connect(identity: self.identity(.good), host: "127.0.0.1", port: server.port)
        #expect(result.outcome == .serverUntrusted, "\(result.detail ?? "")")
        #expect(result.failure?.nativeCode == -188)
        #expect(result.failure?.alertSent == .unknownCA || result.failure?.alertSent == .badCertificate)
        #expect(result.detail?.contains("not signed by a trusted CA") == true)
    }

    @Test(arguments: ["1.2", "1.3"])
    func deviceRefusesAServerWhoseNameDoesNotMatch(version: String) async throws {
        let server = try await OpenSSLServer(
            server: self.pki.server,
            clientCAPEM: self.pki.rootPEM,
            version: version,
            in: self.directory
        )
        defer { server.stop() }
        let result = try await self.connector().connect(
            identity: self.identity(.good),
            host: "127.0.0.1",
            port: server.port,
            serverName: "broker.example.com"
        )
        #expect(result.outcome == .serverUntrusted, "\(result.detail ?? "")")
        #expect(result.detail?.contains("broker.example.com") == true)
    }

    @Test(arguments: ["1.2", "1.3"])
    func deviceResumesWithOpenSSLAndResumptionIsCounted(version: String) async throws {
        let server = try await OpenSSLServer(server: self.pki.server, clientCAPEM: self.pki.rootPEM, version: version, in: self.directory)
        defer { server.stop() }
        let connector = try self.connector()
        let identity = try self.identity(.good)
        let full = await connector.connect(identity: identity, host: "127.0.0.1", port: server.port)
        #expect(full.outcome == .ok, "\(full.detail ?? "")")
        #expect(full.handshake?.resumed == false)
        let session = try #require(full.session)
        let resumed = await connector.connect(identity: identity, host: "127.0.0.1", port: server.port, resume: session)
        #expect(resumed.outcome == .ok, "\(resumed.detail ?? "")")
        #expect(resumed.handshake?.resumed == true, "s_server did not resume: \(server.process.output.suffix(400))")
    }

    @Test func nothingListeningIsTCPRefused() async throws {
        let result = try await self.connector().connect(
            identity: self.identity(.good),
            host: "127.0.0.1",
            port: FreePort.find()
        )
        #expect(result.outcome == .tcpRefused, "\(result.detail ?? "")")
        #expect(result.timings.tlsHandshake == nil)
    }
}
