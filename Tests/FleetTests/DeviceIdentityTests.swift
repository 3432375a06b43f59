import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A device whose own identity is unusable ends `identity-invalid` before any network I/O.
@Suite struct DeviceIdentityTests {
    let pki: TestPKI
    let context: TLSContext

    init() throws {
        self.pki = try TestPKI()
        self.context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
    }

    /// A TCP listener that only counts connections, so a test can prove none was attempted.
    final class CountingListener: ChannelInboundHandler, Sendable {
        typealias InboundIn = Never
        let accepted = Atomic<Int>(0)
        func channelActive(context: ChannelHandlerContext) {
            self.accepted.add(1, ordering: .relaxed)
            context.close(promise: nil)
        }
    }

    @Test func keyThatDoesNotMatchItsCertificateIsCaughtBeforeConnecting() async throws {
        let device = try self.pki.device(.good, id: "tcu-mismatch")
        let otherKey = try KeyAlgorithm.ecdsaP256.generate()
        let identity = DeviceIdentity(label: "tcu-mismatch", chainPEM: device.chainPEM, keyPEM: otherKey.pkcs8PEM)

        let error = #expect(throws: TLSFailure.self) { try self.context.validate(identity) }
        #expect(error?.outcome == .identityInvalid)
        #expect(error?.nativeCode == nil)  // fleetsim's own key check: wolfSSL accepts this pair
        #expect(error?.detail.contains("tcu-mismatch") == true)  // names the device

        let counter = CountingListener()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let port = try #require(listener.localAddress?.port)
        let runner = OneDevice(context: self.context, port: port)
        let (result, state) = await runner.run(
            runner.device("tcu-mismatch", chainPEM: device.chainPEM, keyPEM: otherKey.pkcs8PEM)
        )
        #expect(result.outcome == .identityInvalid)
        #expect(result.timings.tcpConnect == nil)
        #expect(state.connections.attempts == 0)
        // Prove the listener works, then that the bad device never reached it.
        let good = try self.pki.device(.good)
        _ = await runner.run(runner.device("g", chainPEM: good.chainPEM, keyPEM: good.keyPEM))
        #expect(counter.accepted.load(ordering: .relaxed) == 1)
    }

    @Test func garbageCertificateIsIdentityInvalid() throws {
        let device = try self.pki.device(.good)
        let identity = DeviceIdentity(
            label: "devices/tcu-9.pem",
            chainPEM: "not a certificate\n",
            keyPEM: device.keyPEM
        )
        let error = #expect(throws: TLSFailure.self) { try self.context.validate(identity) }
        #expect(error?.outcome == .identityInvalid)
        #expect(error?.nativeCode != nil)  // wolfSSL refused to load it
        #expect(error?.detail.contains("devices/tcu-9.pem") == true)  // names the file
    }

    @Test func certificateWhereTheKeyBelongsIsIdentityInvalid() throws {
        let device = try self.pki.device(.good)
        let identity = DeviceIdentity(label: "tcu-7", chainPEM: device.chainPEM, keyPEM: device.certificatePEM)
        let error = #expect(throws: TLSFailure.self) { try self.context.validate(identity) }
        #expect(error?.outcome == .identityInvalid)
        #expect(error?.nativeCode != nil)  // wolfSSL refused to load it as a key
    }

    @Test func descriptionNeverShowsTheKey() throws {
        let device = try self.pki.device(.good)
        let identity = DeviceIdentity(label: "tcu-1", chainPEM: device.chainPEM, keyPEM: device.keyPEM)
        #expect(!String(describing: identity).contains("PRIVATE KEY"))
        #expect(!String(reflecting: identity).contains("PRIVATE"))
    }
}
