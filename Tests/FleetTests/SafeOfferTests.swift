import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Testing

/// The default offer never lets a device "succeed" against a server it did not authenticate, or
/// over a connection without encryption: real `s_server`s that offer only such suites refuse it.
@Suite(.serialized) struct SafeOfferTests {
    let pki: TestPKI
    let directory: TemporaryDirectory

    init() throws {
        self.pki = try TestPKI()
        self.directory = try TemporaryDirectory()
    }

    func run(against server: OpenSSLServer) async throws -> DeviceReport {
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        let runner = OneDevice(context: context, port: server.port)
        let issued = try self.pki.device(.good)
        return await runner.run(runner.device("tcu-good", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM)).report
    }

    @Test func anAnonymousServerIsNeverAccepted() async throws {
        let server = try await OpenSSLServer(
            weak: ["-nocert", "-cipher", "ADH-AES128-SHA:@SECLEVEL=0", "-tls1_2"],
            in: self.directory
        )
        defer { server.stop() }
        let report = try await self.run(against: server)
        #expect(report.outcome == .rejected(.handshakeFailure), "\(report.detail ?? "") — \(server.process.output)")
    }

    @Test func aNullCipherServerIsNeverAccepted() async throws {
        let certificate = try self.directory.write("null.pem", self.pki.server.chainPEM)
        let key = try self.directory.write("null.key", self.pki.server.keyPEM)
        let server = try await OpenSSLServer(
            weak: ["-cert", certificate, "-key", key, "-cipher", "NULL-SHA256:@SECLEVEL=0", "-tls1_2"],
            in: self.directory
        )
        defer { server.stop() }
        let report = try await self.run(against: server)
        #expect(report.outcome == .rejected(.handshakeFailure), "\(report.detail ?? "") — \(server.process.output)")
    }

    @Test func theDefaultOfferHoldsNoWeakSuite() throws {
        let suites = TLSConfiguration.defaultCipherSuites.split(separator: ":")
        for weak in [
            "ADH", "AECDH", "NULL", "RC4", "DES-CBC3", "PSK", "EXP", "CAMELLIA", "TLS13-SHA256-SHA256",
            "TLS13-SHA384-SHA384",
        ] {
            #expect(!suites.contains { $0.contains(weak) }, "\(weak) offered by default")
        }
        // Every suite of the default list is one this wolfSSL build knows: the context accepts it.
        _ = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
    }
}
