import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import NIOCore
import Testing

/// ALPN (RFC 7301) between our own client and server handlers over memory, TLS 1.2 and 1.3: the
/// backend's preference decides, a device offering nothing (or a backend with no list) proceeds
/// without ALPN, and no name in common is a fatal `no_application_protocol` on both sides.
@Suite struct ALPNHandshakeTests {
    let pki: TestPKI

    init() throws {
        self.pki = try TestPKI()
    }

    /// Runs one handshake between a device offering `offered` and a backend accepting `accepted`.
    func handshake(
        _ version: TLSVersion,
        offered: [String]?,
        accepted: [String]?
    ) throws -> (client: EventRecorder.Record, server: EventRecorder.Record) {
        var server = TLSConfiguration.makeServerConfiguration(
            identity: DeviceIdentity(
                label: "server",
                chainPEM: self.pki.server.chainPEM,
                keyPEM: self.pki.server.keyPEM
            ),
            trustRootsPEM: self.pki.rootPEM
        ).only(version)
        server.alpn = try accepted.map { try ALPNProtocols($0) }
        var client = TLSConfiguration.makeClientConfiguration(trustRootsPEM: self.pki.rootPEM)
        client.alpn = try offered.map { try ALPNProtocols($0) }
        let device = try self.pki.device(.good, id: "tcu-alpn")
        let pair = try InMemoryHandshakeTests.Pair(
            clientHandler: TLSHandler(
                context: TLSContext(configuration: client),
                identity: DeviceIdentity(label: "tcu-alpn", chainPEM: device.chainPEM, keyPEM: device.keyPEM),
                serverName: "localhost"
            ),
            serverHandler: TLSHandler(context: TLSContext(configuration: server))
        )
        try pair.run()
        return (pair.clientRecorder.record, pair.serverRecorder.record)
    }

    /// wolfSSL alone picks the device's first name the server knows (measured); the backend's own
    /// order must win, as it does with OpenSSL-based brokers.
    @Test(arguments: TLSVersion.allCases)
    func theBackendsPreferenceDecides(version: TLSVersion) throws {
        let (client, server) = try self.handshake(
            version,
            offered: ["mqtt", "x-amzn-mqtt-ca"],
            accepted: ["x-amzn-mqtt-ca", "mqtt"]
        )
        #expect(client.failures.isEmpty && server.failures.isEmpty, "\(client.failures) \(server.failures)")
        #expect(client.accepted && server.accepted)
        #expect(client.handshake?.alpn == "x-amzn-mqtt-ca")
        #expect(server.handshake?.alpn == "x-amzn-mqtt-ca")
    }

    @Test(arguments: TLSVersion.allCases)
    func noALPNOnOneSideProceedsWithoutIt(version: TLSVersion) throws {
        for (offered, accepted) in [(nil, ["mqtt"]), (["mqtt"], nil), (nil, nil)] as [([String]?, [String]?)] {
            let (client, server) = try self.handshake(version, offered: offered, accepted: accepted)
            #expect(client.failures.isEmpty && server.failures.isEmpty, "\(client.failures) \(server.failures)")
            #expect(
                client.accepted && server.accepted,
                "\(String(describing: offered)) → \(String(describing: accepted))"
            )
            #expect(client.handshake?.alpn == nil)
            #expect(server.handshake?.alpn == nil)
        }
    }

    /// RFC 7301 §3.2: the server answers a fatal `no_application_protocol` (120). The device reports
    /// the alert it received; the backend the alert it sent.
    @Test(arguments: TLSVersion.allCases)
    func noNameInCommonIsAFatalAlert(version: TLSVersion) throws {
        let (client, server) = try self.handshake(version, offered: ["x-unknown", "h2"], accepted: ["mqtt"])
        #expect(!client.accepted && !server.accepted)
        let clientFailure = try #require(client.failures.first)
        let serverFailure = try #require(server.failures.first)
        #expect(clientFailure.outcome == .rejected(.noApplicationProtocol), "\(clientFailure)")
        #expect(clientFailure.alertReceived == .noApplicationProtocol)
        #expect(serverFailure.outcome == .rejected(.noApplicationProtocol), "\(serverFailure)")
        #expect(serverFailure.alertSent == .noApplicationProtocol)
        #expect(serverFailure.nativeCode == -405)
        #expect(Outcome(identifier: "rejected:no-application-protocol") == clientFailure.outcome)
    }

    @Test func protocolNamesAreValidated() throws {
        #expect(try ALPNProtocols(list: "mqtt,x-amzn-mqtt-ca").names == ["mqtt", "x-amzn-mqtt-ca"])
        #expect(try ALPNProtocols(list: "x-amzn-mqtt-ca").description == "x-amzn-mqtt-ca")
        #expect(try ALPNProtocols([String(repeating: "a", count: 255)]).names.count == 1)
        #expect(try ALPNProtocols((1...ALPNProtocols.mostNames).map { "p\($0)" }).names.count == 16)
        let bad: [[String]] = [
            [], [""], ["mqtt", ""], [String(repeating: "a", count: 256)], ["mq tt"], ["mqtt,h2"], ["mqtt\u{7}"],
            ["mqtté"], ["mqtt", "mqtt"], (0...ALPNProtocols.mostNames).map { "p\($0)" },
        ]
        for names in bad {
            #expect(throws: ALPNProtocols.Invalid.self, "\(names)") { try ALPNProtocols(names) }
        }
        for list in ["", ",", "mqtt,", ",mqtt", "mqtt,,h2", "mqtt, h2"] {
            #expect(throws: ALPNProtocols.Invalid.self, "'\(list)'") { try ALPNProtocols(list: list) }
        }
    }
}
