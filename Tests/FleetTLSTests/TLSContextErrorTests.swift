import FleetPKI
import FleetTLS
import FleetTestSupport
import Testing

/// A context that cannot be built says which input is at fault, by code: the CLI turns the code
/// into `error[tls:…]` and the input into the file it names.
@Suite struct TLSContextErrorTests {
    let pki: TestPKI

    init() throws {
        self.pki = try TestPKI()
    }

    func error(_ configuration: TLSConfiguration, sourceLocation: SourceLocation = #_sourceLocation) -> TLSContextError?
    {
        #expect(throws: TLSContextError.self, sourceLocation: sourceLocation) {
            try TLSContext(configuration: configuration)
        }
    }

    @Test func clientInputs() {
        let client = TLSConfiguration.makeClientConfiguration(trustRootsPEM: self.pki.rootPEM)
        var empty = client
        empty.trustRootsPEM = ""
        var garbage = client
        garbage.trustRootsPEM = "not a certificate\n"
        var crl = client
        crl.crlPEMs = ["not a CRL\n"]
        var suites = client
        suites.cipherSuites = "NO-SUCH-CIPHER"
        var fragment = client
        fragment.maxFragmentLength = 700
        let cases: [(TLSConfiguration, TLSContextError.Code, TLSContextError.Input)] = [
            (empty, .emptyCABundle, .trust),
            (garbage, .caBundleUnloadable, .trust),
            (crl, .crlUnloadable, .crl),
            (suites, .unsupportedCipherSuites, .other),
            (fragment, .unsupportedMaxFragmentLength, .other),
        ]
        for (configuration, code, input) in cases {
            let error = self.error(configuration)
            #expect(error?.code == code, "\(error?.message ?? "")")
            #expect(error?.input == input)
        }
    }

    @Test func serverIdentities() throws {
        let server = self.pki.server
        let otherKey = try KeyAlgorithm.ecdsaP256.generate().pkcs8PEM
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"
        let cases: [(chain: String, key: String, code: TLSContextError.Code)] = [
            ("not a certificate\n", server.keyPEM, .certificateUnloadable),
            (server.chainPEM, server.chainPEM, .keyUnloadable),
            (server.chainPEM, encrypted, .keyEncrypted),
            (server.chainPEM, otherKey, .keyMismatch),
        ]
        for (chain, key, code) in cases {
            let identity = DeviceIdentity(label: "server.pem", chainPEM: chain, keyPEM: key)
            let error = self.error(.makeServerConfiguration(identity: identity, trustRootsPEM: self.pki.rootPEM))
            #expect(error?.code == code, "\(error?.message ?? "")")
            #expect(error?.input == .other)
        }
        var none = TLSConfiguration.makeServerConfiguration(
            identity: DeviceIdentity(label: "server.pem", chainPEM: server.chainPEM, keyPEM: server.keyPEM),
            trustRootsPEM: self.pki.rootPEM
        )
        none.serverIdentity = nil
        #expect(self.error(none)?.code == .noServerIdentity)
    }
}
