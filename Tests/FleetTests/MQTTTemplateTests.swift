import FleetTLS
import Foundation
import Testing

@testable import Fleet

/// Client id, user name and topic templates, and the profile keys that hold them.
@Suite struct MQTTTemplateTests {
    let subject = PeerIdentity(commonName: "tcu-7", serialNumber: "SN-7", uri: "urn:dev:tcu-7")

    @Test func placeholdersRenderFromTheIdAndTheCertificate() throws {
        let azure = try MQTTTemplate(parsing: "hub.azure-devices.net/{id}/?api-version=2021-04-12")
        #expect(azure.render(id: "car-1", subject: nil) == "hub.azure-devices.net/car-1/?api-version=2021-04-12")
        #expect(!azure.needsCertificate)
        let all = try MQTTTemplate(parsing: "{cn}|{serialNumber}|{san}|{id}")
        #expect(all.needsCertificate)
        #expect(all.render(id: "f", subject: self.subject) == "tcu-7|SN-7|urn:dev:tcu-7|f")
        #expect(all.render(id: "f", subject: nil) == "|||f")
        #expect(try MQTTTemplate(parsing: "plain").render(id: "x", subject: nil) == "plain")
    }

    @Test(arguments: ["{nope}", "devices/{id", String(repeating: "x", count: 1025)])
    func badTemplatesAreRefused(text: String) {
        #expect(throws: MQTTTemplate.ParseError.self) { try MQTTTemplate(parsing: text) }
    }

    func load(_ yaml: String) throws -> DeviceProfile {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mqtt-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try DeviceProfile.load(path: path)
    }

    @Test func profileKeys() throws {
        let profile = try self.load(
            """
            mqtt:
              version: 5
              client-id: "{cn}"
              username: "u/{id}"
              password-env: HUB_PASSWORD
              subscribe: "devices/{id}/messages/devicebound/#"
              session-expiry: 1h
              receive-maximum: 20
              topic: "devices/{id}/messages/events/"
            """
        )
        #expect(profile.mqtt.version == .v5)
        #expect(profile.mqtt.clientID.description == "{cn}")
        #expect(profile.mqtt.username?.description == "u/{id}")
        #expect(profile.mqtt.password == .environment("HUB_PASSWORD"))
        #expect(profile.mqtt.subscribe?.description == "devices/{id}/messages/devicebound/#")
        #expect(profile.mqtt.sessionExpiry == 3600)
        #expect(profile.mqtt.receiveMaximum == 20)
        #expect(profile.topic.render(id: "c", subject: nil) == "devices/c/messages/events/")
        #expect(try self.load("mqtt:\n  version: \"3.1.1\"\n").mqtt.version == .v3_1_1)
    }

    @Test(arguments: [
        ("mqtt:\n  version: 4\n", "mqtt.version"),
        ("mqtt:\n  client-id: \"{x}\"\n", "mqtt.client-id"),
        ("mqtt:\n  receive-maximum: 0\n", "mqtt.receive-maximum"),
        ("mqtt:\n  password-env: A\n  password-file: b\n", "mqtt.password-env"),
        ("mqtt:\n  session-expiry: 400d\n", "mqtt.session-expiry"),
    ])
    func badProfileValuesNameTheirKey(yaml: String, key: String) {
        #expect {
            try self.load(yaml)
        } throws: { error in
            guard let error = error as? DeviceProfile.LoadError else { return false }
            return error.code == .badValue && error.key == key
        }
    }

    /// The cloud profiles load, with the conventions they document.
    @Test func cloudProfilesLoad() throws {
        let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../devices"
        )
        let azure = try DeviceProfile.load(path: devices.appendingPathComponent("azure-iot-hub.yaml").path)
        #expect(azure.mqtt.version == .v3_1_1)
        #expect(azure.maximumVersion == .v1_2)
        #expect(
            azure.mqtt.username?.render(id: "car-1", subject: nil)
                == "YOUR-HUB.azure-devices.net/car-1/?api-version=2021-04-12"
        )
        #expect(azure.topic.render(id: "car-1", subject: nil) == "devices/car-1/messages/events/")
        #expect(azure.mqtt.subscribe?.render(id: "car-1", subject: nil) == "devices/car-1/messages/devicebound/#")
        #expect(azure.qos == 1)
        let aws = try DeviceProfile.load(path: devices.appendingPathComponent("aws-iot-core.yaml").path)
        #expect(aws.mqtt.clientID == .deviceID)
        #expect(aws.reconnect.retries >= 1)  // just-in-time registration closes the first connection
        #expect(aws.qos == 1)
    }
}
