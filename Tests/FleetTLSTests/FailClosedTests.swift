import FleetPKI
import FleetTestSupport
import Testing

@testable import FleetTLS

/// Every verify path refuses when it cannot do its job: a certificate is never accepted because
/// the code that should judge it could not run.
@Suite struct FailClosedTests {
    let pki: TestPKI

    init() throws {
        self.pki = try TestPKI()
    }

    @Test func theVerifyCallbackRefusesWithoutAStore() {
        #expect(fleetsimVerifyCallback(1, nil) == 0)
    }

    @Test func aSessionOfNoConnectionHasNoOwner() throws {
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: self.pki.rootPEM))
        let owned = try TLSConnection(context: context, identity: nil, serverName: "localhost")
        #expect(TLSConnection.owner(of: owned.ssl) === owned)
        let bare = try context.withBareSession { ssl in TLSConnection.owner(of: ssl) }
        #expect(bare == nil)  // the callback then refuses (above): the policy is never skipped
    }

    @Test func anUnreadableLeafIsRefusedByTheBackendsPolicy() throws {
        let identity = DeviceIdentity(
            label: "server",
            chainPEM: self.pki.server.chainPEM,
            keyPEM: self.pki.server.keyPEM
        )
        var configuration = TLSConfiguration.makeServerConfiguration(
            identity: identity,
            trustRootsPEM: self.pki.rootPEM
        )
        configuration.peerCheck = PeerCertificateCheck { _, _ in .accept }
        let context = try TLSContext(configuration: configuration)
        let connection = try TLSConnection(context: context, identity: nil, serverName: nil)
        let check = try #require(configuration.peerCheck)
        #expect(connection.judgeLeaf(nil, with: check) == 0)
        #expect(connection.policyRejection != nil)
        #expect(connection.judgeLeaf([0x30, 0x00], with: check) == 1)  // readable: the policy decides
    }
}
