import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Testing

/// TLS 1.3 servers that send no session ticket: a device they accept still ends `ok` (by the
/// server's silence, or by its clean close), and one they refuse still ends with their alert.
@Suite(.serialized) struct ServerWithoutTicketsTests {
    let pki: TestPKI
    let directory: TemporaryDirectory

    init() throws {
        self.pki = try TestPKI()
        self.directory = try TemporaryDirectory()
    }

    func oneDevice(port: Int, accept: AcceptPolicy = .default) throws -> OneDevice {
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        var runner = OneDevice(context: context, port: port)
        runner.settings.profile.accept = accept
        return runner
    }

    func device(_ kind: TestPKI.Device, on runner: OneDevice) throws -> FleetDevice {
        let issued = try self.pki.device(kind)
        return runner.device("tcu-\(kind.rawValue)", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM)
    }

    /// `s_server -num_tickets 0`, fed from a pipe that never sends: after the handshake it is silent.
    func silentOpenSSLServer() async throws -> OpenSSLServer {
        try await OpenSSLServer(
            server: self.pki.server,
            clientCAPEM: self.pki.rootPEM,
            version: "1.3",
            in: self.directory,
            extraArguments: ["-num_tickets", "0"]
        )
    }

    /// A TLS 1.3 server that sends no ticket and closes cleanly right after each handshake.
    func closingServer() async throws -> PythonTLSServer {
        try await PythonTLSServer(
            chainPEM: self.pki.server.chainPEM,
            keyPEM: self.pki.server.keyPEM,
            clientCAPEM: self.pki.rootPEM,
            behaviour: .closeNotify,
            in: self.directory
        )
    }

    @Test func anAcceptedDeviceIsOkAgainstASilentServer() async throws {
        let server = try await self.silentOpenSSLServer()
        defer { server.stop() }
        let runner = try self.oneDevice(port: server.port)
        let (report, state) = await runner.run(try self.device(.good, on: runner))
        #expect(report.outcome == .ok, "\(report.detail ?? "") — \(server.process.output)")
        #expect(state.connections.acceptedBySilence == 1)
    }

    @Test func aRefusalStillArrivesInsideTheQuietPeriod() async throws {
        let server = try await self.silentOpenSSLServer()
        defer { server.stop() }
        let runner = try self.oneDevice(port: server.port)
        for kind in [TestPKI.Device.expired, .foreignCA, .serverEKU] {
            let (report, state) = await runner.run(try self.device(kind, on: runner))
            #expect(
                { if case .rejected = report.outcome { true } else { false } }(),
                "\(kind): \(report.outcome.identifier) \(report.detail ?? "")"
            )
            #expect(state.connections.acceptedBySilence == 0)
        }
    }

    @Test func firstRecordWaitsForARecordAndTimesOut() async throws {
        let server = try await self.silentOpenSSLServer()
        defer { server.stop() }
        var runner = try self.oneDevice(port: server.port, accept: .firstRecord)
        runner.settings.profile.acceptTimeout = 0.3
        let (report, _) = await runner.run(try self.device(.good, on: runner))
        #expect(report.outcome == .acceptTimeout)
    }

    @Test(arguments: [AcceptPolicy.default, .firstRecord])
    func aCleanCloseAfterTheHandshakeIsAnAcceptanceNeverARefusal(accept: AcceptPolicy) async throws {
        let server = try await self.closingServer()
        defer { server.stop() }
        let runner = try self.oneDevice(port: server.port, accept: accept)
        // Sequential devices, as in the field report: whichever record wins the race, never a refusal.
        for index in 0..<30 {
            let (report, state) = await runner.run(try self.device(.good, on: runner))
            #expect(
                report.outcome == .ok,
                "device \(index): \(report.outcome.identifier) \(report.detail ?? "") — \(server.process.output)"
            )
            #expect(state.connections.acceptedBySilence == 0)
        }
    }

    @Test func aCleanCloseDuringTheHoldIsALostConnection() async throws {
        let server = try await self.closingServer()
        defer { server.stop() }
        var runner = try self.oneDevice(port: server.port)
        runner.settings.hold = 5
        let (report, state) = await runner.run(try self.device(.good, on: runner))
        #expect(report.outcome == .ok)
        #expect(state.connections.lost == 1)
    }
}
