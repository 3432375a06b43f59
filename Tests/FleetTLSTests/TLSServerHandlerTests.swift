import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Our handler in server mode, judged by a real foreign client: `openssl s_client`.
@Suite(.serialized) struct TLSServerHandlerTests {
    let pki: TestPKI
    let directory: TemporaryDirectory

    init() throws {
        self.pki = try TestPKI()
        self.directory = try TemporaryDirectory()
    }

    /// A loopback mTLS server whose connections answer "pong" to anything and close.
    final class Server: Sendable {
        let channel: any Channel
        let recorders = NIOLockedValueBox<[EventRecorder]>([])

        init(context: TLSContext) async throws {
            let recorders = self.recorders
            self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let recorder = EventRecorder(reply: "pong\n")
                        recorders.withLockedValue { $0.append(recorder) }
                        try channel.pipeline.syncOperations.addHandlers([try TLSHandler(context: context), recorder])
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }

        var port: Int { self.channel.localAddress!.port! }

        /// The record of the first connection, once it has ended (bounded wait).
        func firstConnection() async throws -> EventRecorder.Record {
            try await Poll.value(
                "the end of the server's first connection",
                timeout: .seconds(3),
                interval: .milliseconds(10)
            ) {
                self.recorders.withLockedValue { $0.first?.record }.flatMap { $0.inactive ? $0 : nil }
            }
        }
    }

    func serverContext(_ version: String) throws -> TLSContext {
        let identity = DeviceIdentity(
            label: "server",
            chainPEM: self.pki.server.chainPEM,
            keyPEM: self.pki.server.keyPEM
        )
        let configuration = TLSConfiguration.makeServerConfiguration(
            identity: identity,
            trustRootsPEM: self.pki.rootPEM
        )
        return try TLSContext(configuration: configuration.only(version == "1.2" ? .v1_2 : .v1_3))
    }

    func sClient(_ device: IssuedIdentity, port: Int, version: String) throws -> ForeignProcess {
        let name = "\(device.certificate.subject)-\(version)".filter { $0.isLetter || $0.isNumber }
        let leaf = try self.directory.write("\(name).pem", device.certificatePEM)
        let chain = try self.directory.write("\(name)-chain.pem", PEMText.encode(device.intermediates))
        let key = try self.directory.write("\(name).key", device.keyPEM)
        let ca = try self.directory.write("root.pem", self.pki.rootPEM)
        return try ForeignProcess(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", ca, "-verify_return_error",
                "-cert", leaf, "-cert_chain", chain, "-key", key, "-tls\(version == "1.2" ? "1_2" : "1_3")",
                "-ign_eof", "-servername", "localhost",
            ],
            in: self.directory,
            name: "s_client-\(name)",
            input: "ping\n"
        )
    }

    @Test(arguments: ["1.2", "1.3"])
    func acceptsAGoodDevice(version: String) async throws {
        let server = try await Server(context: self.serverContext(version))
        defer { server.channel.close(promise: nil) }
        let client = try self.sClient(try self.pki.device(.good, id: "tcu-0042"), port: server.port, version: version)
        let status = try await client.waitForExit()
        let record = try await server.firstConnection()
        #expect(client.stdout.contains("pong"), "\(client.output)")
        #expect(status == 0)
        #expect(record.accepted)
        #expect(record.failures.isEmpty, "\(record.failures)")
        #expect(record.received == "ping\n")
        #expect(record.handshake?.peer?.commonName == "tcu-0042")
    }

    @Test(arguments: ["1.2", "1.3"], [TestPKI.Device.serverEKU, .expired, .foreignCA])
    func rejectsABadDeviceWithAnAlert(version: String, kind: TestPKI.Device) async throws {
        let server = try await Server(context: self.serverContext(version))
        defer { server.channel.close(promise: nil) }
        let client = try self.sClient(try self.pki.device(kind), port: server.port, version: version)
        _ = try await client.waitForExit()
        let record = try await server.firstConnection()
        #expect(!record.accepted)
        #expect(!client.stdout.contains("pong"))
        let failure = try #require(record.failures.first)
        guard case .rejected(let alert) = failure.outcome else {
            Issue.record("server outcome \(failure.outcome)")
            return
        }
        #expect(failure.alertSent == alert)
        // OpenSSL prints the alert it received, e.g. "sslv3 alert certificate expired".
        let words = alert.rfcName.replacingOccurrences(of: "_", with: " ")
        #expect(client.stderr.contains("alert \(words)"), "\(client.output)")
    }
}
