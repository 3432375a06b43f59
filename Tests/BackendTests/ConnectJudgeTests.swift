import FleetCore
import FleetMQTT
import FleetTLS
import Testing

@testable import Backend

/// How each personality judges a CONNECT, without sockets (#14).
@Suite struct ConnectJudgeTests {
    let peer = PeerIdentity(commonName: "tcu-1", serialNumber: "SN-1")

    func judge(
        _ personality: BackendPersonality,
        _ connect: MQTTPacket.Connect,
        registry: DeviceRegistry? = nil,
        jitr: JustInTimeRegistration? = nil
    ) -> ConnectVerdict {
        var judge = ConnectJudge()
        judge.personality = personality
        judge.registry = registry
        judge.justInTimeRegistration = jitr
        return judge.judge(connect, peer: self.peer)
    }

    static let azureUser = "hub.azure-devices.net/tcu-1/?api-version=2021-04-12"

    @Test func azureWantsTheDeviceIDAndItsUserNameIn311() {
        #expect(self.judge(.azureIoTHub, .init(clientID: "tcu-1", username: Self.azureUser)) == .accept)
        for connect: MQTTPacket.Connect in [
            .init(clientID: "tcu-1"),
            .init(clientID: "tcu-1", username: "hub.azure-devices.net/tcu-2/?api-version=2021-04-12"),
            .init(clientID: "tcu-1", username: "tcu-1"),
            .init(clientID: "other", username: "hub.azure-devices.net/other/?api-version=1"),
        ] {
            #expect(self.judge(.azureIoTHub, connect).refusal == .notAuthorized, "\(connect)")
        }
        let v5 = MQTTPacket.Connect(version: .v5, clientID: "tcu-1", username: Self.azureUser)
        #expect(self.judge(.azureIoTHub, v5).refusal == .protocolVersion)
    }

    @Test func aRegistryRefusesUnknownAndDisabledDevices() {
        let connect = MQTTPacket.Connect(clientID: "tcu-1", username: Self.azureUser)
        let known = DeviceRegistry(enabled: ["SN-1"])
        #expect(self.judge(.azureIoTHub, connect, registry: known) == .accept)
        for registry in [DeviceRegistry(enabled: ["tcu-9"]), DeviceRegistry(enabled: [], disabled: ["tcu-1"])] {
            #expect(self.judge(.azureIoTHub, connect, registry: registry).refusal == .notAuthorized)
            #expect(self.judge(.awsIoTCore, .init(clientID: "tcu-1"), registry: registry).closes)
        }
    }

    @Test func awsClosesOn311AndRefusesOn5() {
        #expect(self.judge(.awsIoTCore, .init(clientID: "SN-1")) == .accept)
        #expect(self.judge(.awsIoTCore, .init(clientID: "other")).closes)
        #expect(self.judge(.awsIoTCore, .init(version: .v5, clientID: "other")).refusal == .notAuthorized)
    }

    @Test func justInTimeRegistrationClosesOnlyTheFirstConnection() {
        let ledger = JustInTimeRegistration()
        #expect(self.judge(.awsIoTCore, .init(clientID: "tcu-1"), jitr: ledger).closes)
        #expect(self.judge(.awsIoTCore, .init(clientID: "tcu-1"), jitr: ledger) == .accept)
    }

    @Test func mosquittoChecksTheClientIDUnlessTold() {
        #expect(self.judge(.mosquitto, .init(clientID: "other")).refusal == .notAuthorized)
        var lenient = ConnectJudge()
        lenient.matchClientID = false
        #expect(lenient.judge(.init(clientID: "other"), peer: self.peer) == .accept)
    }

    @Test func registriesFromAManifestOrAList() throws {
        let list = try DeviceRegistry.parse("# fleet\ntcu-1\n\n  tcu-2  \n")
        #expect(list == DeviceRegistry(enabled: ["tcu-1", "tcu-2"]))
        #expect(list.status(of: self.peer) == .enabled)
        #expect(try DeviceRegistry.parse("x").status(of: self.peer) == .unknown)
        #expect(throws: DeviceRegistry.NotAManifest.self) { try DeviceRegistry.parse("{\"devices\": 3}") }
    }
}

extension ConnectVerdict {
    var refusal: MQTTRefusal? {
        if case .refuse(let refusal, _) = self { refusal } else { nil }
    }
    var closes: Bool {
        if case .close = self { true } else { false }
    }
}
