import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import NIOCore
import NIOEmbedded
import Testing

/// Our own client and server handlers against each other, over memory (two EmbeddedChannels):
/// the handshake, the acceptance signal, plaintext both ways, and rejection by the server.
@Suite struct InMemoryHandshakeTests {
    let pki: TestPKI

    init() throws {
        self.pki = try TestPKI()
    }

    /// Connects a client and a server channel and shuttles bytes until both go quiet.
    final class Pair {
        let client = EmbeddedChannel()
        let server = EmbeddedChannel()
        let clientRecorder = EventRecorder()
        let serverRecorder = EventRecorder()

        init(clientHandler: TLSHandler, serverHandler: TLSHandler) throws {
            try self.client.pipeline.syncOperations.addHandlers([clientHandler, self.clientRecorder])
            try self.server.pipeline.syncOperations.addHandlers([serverHandler, self.serverRecorder])
            let address = try SocketAddress(ipAddress: "127.0.0.1", port: 8883)
            try self.server.connect(to: address).wait()
            try self.client.connect(to: address).wait()
        }

        /// Moves ciphertext both ways until nothing is left in flight (bounded).
        func run() throws {
            for _ in 0..<100 {
                var moved = false
                while let bytes = try self.client.readOutbound(as: ByteBuffer.self) {
                    if self.server.isActive { try self.server.writeInbound(bytes) }
                    moved = true
                }
                while let bytes = try self.server.readOutbound(as: ByteBuffer.self) {
                    if self.client.isActive { try self.client.writeInbound(bytes) }
                    moved = true
                }
                if !moved { return }
            }
            Issue.record("the two handlers never went quiet")
        }
    }

    func contexts(_ version: TLSVersion) throws -> (client: TLSContext, server: TLSContext) {
        let server = try TLSContext(
            configuration: TLSConfiguration.makeServerConfiguration(
                identity: DeviceIdentity(
                    label: "server",
                    chainPEM: self.pki.server.chainPEM,
                    keyPEM: self.pki.server.keyPEM
                ),
                trustRootsPEM: self.pki.rootPEM
            ).only(version)
        )
        let client = try TLSContext(
            configuration: TLSConfiguration.makeClientConfiguration(trustRootsPEM: self.pki.rootPEM)
        )
        return (client, server)
    }

    @Test(arguments: TLSVersion.allCases)
    func goodDeviceIsAcceptedAndTalks(version: TLSVersion) throws {
        let (clientContext, serverContext) = try self.contexts(version)
        let device = try self.pki.device(.good, id: "tcu-0001")
        let pair = try Pair(
            clientHandler: TLSHandler(
                context: clientContext,
                identity: DeviceIdentity(label: "tcu-0001", chainPEM: device.chainPEM, keyPEM: device.keyPEM),
                serverName: "localhost"
            ),
            serverHandler: TLSHandler(context: serverContext)
        )
        try pair.run()
        let client = pair.clientRecorder.record
        let server = pair.serverRecorder.record
        #expect(client.failures.isEmpty, "\(client.failures)")
        #expect(server.failures.isEmpty, "\(server.failures)")
        #expect(client.handshake?.version == version)
        #expect(server.handshake?.peer?.commonName == "tcu-0001")
        #expect(server.handshake?.peer?.serialNumber == "tcu-0001")
        #expect(server.accepted)
        // TLS 1.3: accepted only once the server's NewSessionTicket arrived after the handshake.
        #expect(client.accepted)

        try pair.client.writeAndFlush(ByteBuffer(string: "telemetry")).wait()
        try pair.run()
        #expect(pair.serverRecorder.record.received == "telemetry")
        try pair.server.writeAndFlush(ByteBuffer(string: "ack")).wait()
        try pair.run()
        #expect(pair.clientRecorder.record.received == "ack")
    }

    /// A held device's session gives back its arrays, its own leaf, the CA names, the unused key
    /// share and the session's zero pages, and still talks both ways and closes cleanly (#18).
    @Test(arguments: TLSVersion.allCases)
    func anIdleSessionGivesBackMemoryAndStillTalks(version: TLSVersion) throws {
        let (clientContext, serverContext) = try self.contexts(version)
        let device = try self.pki.device(.good, id: "tcu-0002")
        let clientHandler = try TLSHandler(
            context: clientContext,
            identity: clientContext.validate(
                DeviceIdentity(label: "tcu-0002", chainPEM: device.chainPEM, keyPEM: device.keyPEM)
            ),
            serverName: "localhost"
        )
        let pair = try Pair(clientHandler: clientHandler, serverHandler: TLSHandler(context: serverContext))
        try pair.run()
        #expect(pair.clientRecorder.record.accepted)
        // Two nine-slot copies of the peer's chain (2 × 18 KB) that a two-certificate chain barely
        // touches: at least four whole zero pages of them go back.
        #expect(clientHandler.releaseIdleMemory() >= 4 * 4096)
        #expect(clientHandler.releaseIdleMemory() == 0)  // once
        for round in 0..<3 {
            try pair.client.writeAndFlush(ByteBuffer(string: "telemetry-\(round)")).wait()
            try pair.run()
            try pair.server.writeAndFlush(ByteBuffer(string: "ack-\(round)")).wait()
            try pair.run()
        }
        #expect(pair.serverRecorder.record.received == "telemetry-0telemetry-1telemetry-2")
        #expect(pair.clientRecorder.record.received == "ack-0ack-1ack-2")
        #expect(pair.clientRecorder.record.failures.isEmpty, "\(pair.clientRecorder.record.failures)")
        try pair.client.close().wait()
        try pair.run()
        #expect(pair.serverRecorder.record.failures.isEmpty, "\(pair.serverRecorder.record.failures)")
        #expect(pair.serverRecorder.record.inactive || !pair.server.isActive)
    }

    @Test(arguments: TLSVersion.allCases)
    func aDeviceResumesItsSession(version: TLSVersion) throws {
        let (clientContext, serverContext) = try self.contexts(version)
        let issued = try self.pki.device(.good, id: "tcu-resume")
        let identity = DeviceIdentity(label: "tcu-resume", chainPEM: issued.chainPEM, keyPEM: issued.keyPEM)
        let first = try Pair(
            clientHandler: TLSHandler(context: clientContext, identity: identity, serverName: "localhost"),
            serverHandler: TLSHandler(context: serverContext)
        )
        try first.run()
        #expect(first.clientRecorder.record.handshake?.resumed == false)
        let session = try #require(
            first.clientRecorder.record.session,
            "no resumable session after the first connection"
        )

        let second = try Pair(
            clientHandler: TLSHandler(
                context: clientContext,
                identity: identity,
                serverName: "localhost",
                resume: session
            ),
            serverHandler: TLSHandler(context: serverContext)
        )
        try second.run()
        let record = second.clientRecorder.record
        #expect(record.failures.isEmpty, "\(record.failures)")
        #expect(record.handshake?.resumed == true)
        #expect(record.accepted)
    }

    @Test(arguments: TLSVersion.allCases)
    func writesBeforeTheHandshakeAreHeldAndDelivered(version: TLSVersion) throws {
        let (clientContext, serverContext) = try self.contexts(version)
        let device = try self.pki.device(.good)
        let clientHandler = try TLSHandler(
            context: clientContext,
            identity: DeviceIdentity(label: "d", chainPEM: device.chainPEM, keyPEM: device.keyPEM),
            serverName: "127.0.0.1"
        )
        let pair = try Pair(clientHandler: clientHandler, serverHandler: TLSHandler(context: serverContext))
        // Written before a single byte was shuttled: the handler must hold it until the handshake is done.
        pair.client.writeAndFlush(ByteBuffer(string: "early"), promise: nil)
        try pair.run()
        #expect(pair.serverRecorder.record.received == "early")
    }

    @Test(arguments: TLSVersion.allCases, [TestPKI.Device.serverEKU, .expired, .foreignCA])
    func serverRejectsBadDevices(version: TLSVersion, kind: TestPKI.Device) throws {
        let (clientContext, serverContext) = try self.contexts(version)
        let device = try self.pki.device(kind)
        let pair = try Pair(
            clientHandler: TLSHandler(
                context: clientContext,
                identity: DeviceIdentity(label: kind.rawValue, chainPEM: device.chainPEM, keyPEM: device.keyPEM),
                serverName: "localhost"
            ),
            serverHandler: TLSHandler(context: serverContext)
        )
        try pair.run()
        let client = pair.clientRecorder.record
        let server = pair.serverRecorder.record
        #expect(!server.accepted)
        #expect(!client.accepted)
        let serverFailure = try #require(server.failures.first)
        let clientFailure = try #require(client.failures.first)
        guard case .rejected(let alert) = serverFailure.outcome else {
            Issue.record("server outcome \(serverFailure.outcome)")
            return
        }
        // Whatever wolfSSL's server chose to send, the device must report exactly that alert.
        #expect(clientFailure.outcome == .rejected(alert), "\(clientFailure)")
        #expect(clientFailure.alertReceived == alert)
        #expect(serverFailure.alertSent == alert)
        let expected: [TestPKI.Device: Set<TLSAlert>] = [
            .expired: [.certificateExpired],
            .foreignCA: [.unknownCA, .badCertificate],
            .serverEKU: [.badCertificate, .unsupportedCertificate],
        ]
        #expect(expected[kind]?.contains(alert) == true, "\(kind) → \(alert)")
    }
}
