import FleetCore
import FleetMQTT
import NIOCore

/// The device's MQTT conversation: CONNECT with its names (and v5 properties), the CONNACK verdict
/// with its reason, and what comes back during the hold (PUBACK, SUBACK, messages, DISCONNECT).
extension DeviceAgent {
    func sendConnect() {
        let profile = self.shared.settings.profile
        let version = profile.mqtt.version
        var properties = MQTTProperties()
        if version == .v5 {
            properties.sessionExpiryInterval = profile.mqtt.sessionExpiry
            properties.receiveMaximum = profile.mqtt.receiveMaximum
        }
        let password = self.shared.settings.mqttPassword
        let connect = MQTTPacket.Connect(
            version: version,
            clientID: self.names.clientID,
            keepAliveSeconds: UInt16(clamping: Int(profile.keepAlive)),
            username: self.names.username,
            password: password,
            properties: properties
        )
        if let trace = self.evidence.trace {
            var text = "MQTT \(version.rawValue) CONNECT, client id \(connect.clientID)"
            if let username = connect.username { text += ", user name \(username)" }
            if password != nil { text += ", with a password" }
            trace.record(.sent, text)
        }
        self.send(.connect(connect))
    }

    /// Writes one MQTT packet on the current connection, encoded here rather than by a pipeline
    /// handler (``DeviceMQTTFraming``).
    func send(_ packet: MQTTPacket, flush: Bool = true) {
        guard let channel = self.channel else { return }
        Self.send(packet, on: channel, version: self.shared.settings.profile.mqtt.version, flush: flush)
    }

    /// Writes one MQTT packet on `channel` (a keep-alive timer holds its connection's channel).
    static func send(_ packet: MQTTPacket, on channel: any Channel, version: MQTTVersion, flush: Bool = true) {
        let bytes = DeviceMQTTFraming.encode(packet, version: version, allocator: channel.allocator)
        if flush {
            channel.writeAndFlush(bytes, promise: nil)
        } else {
            channel.write(bytes, promise: nil)
        }
    }

    func connack(_ connack: MQTTPacket.Connack) {
        let version = self.shared.settings.profile.mqtt.version
        let reason = connack.properties.reasonString
        // Made only for a refusal or a trace: an accepted device formats nothing.
        var codeText: String {
            version == .v5
                ? "reason code 0x\(String(connack.code, radix: 16, uppercase: true))" : "return code \(connack.code)"
        }
        if !self.evidence.decided {
            self.evidence.mqttConnack = (NIODeadline.now() - self.reference).seconds
            if connack.code != 0 {
                self.evidence.mqttCode = connack.code
                self.evidence.mqttReason = reason
                let name = MQTTRefusal(code: connack.code, version: version)?.rawValue ?? "an undefined code"
                self.evidence.detail =
                    "CONNACK refused the device: \(name) (MQTT \(version.rawValue) \(codeText))"
                    + (reason.map { ": \"\($0)\"" } ?? "")
            }
        }
        self.evidence.trace?.record(
            .received,
            "MQTT CONNACK, \(codeText)" + (connack.code == 0 ? " (accepted)" : "")
                + (reason.map { ", \"\($0)\"" } ?? "")
        )
        self.perform(self.machine.connack(code: connack.code, at: self.elapsed))
    }

    func acknowledged(_ ack: MQTTPacket.PubAck) {
        let sent = self.unacknowledged.removeValue(forKey: ack.packetID)
        let seconds = sent.map { (NIODeadline.now() - $0).seconds }
        self.shared.collector.receive(.mqtt(.acknowledged(code: ack.code, seconds: seconds), atSecond: self.elapsed))
        if ack.code >= 0x80 {
            self.evidence.trace?.record(
                .received,
                "MQTT PUBACK \(ack.packetID): \(MQTTReasonCode.name(ack.code))"
                    + (ack.properties.reasonString.map { ", \"\($0)\"" } ?? "")
            )
        }
    }

    /// A message from the server (cloud-to-device): counted, and acknowledged at QoS 1.
    func received(_ publish: MQTTPacket.Publish) {
        self.shared.collector.receive(.mqtt(.received, atSecond: self.elapsed))
        self.evidence.trace?.record(
            .received,
            "MQTT PUBLISH on \(publish.topic), \(publish.payload.readableBytes) bytes"
        )
        if publish.qos == 1, let id = publish.packetID {
            self.send(.puback(.init(packetID: id)))
        }
    }

    /// An MQTT 5 server ends the session with a reason. Before the verdict it is a refusal (some
    /// brokers send DISCONNECT instead of a refusing CONNACK); during the hold the connection is
    /// lost, and the reason (`session-taken-over`: another connection with the same client id) is
    /// counted.
    func serverDisconnected(_ disconnect: MQTTPacket.Disconnect) {
        let name = MQTTReasonCode.name(disconnect.code)
        let reason = disconnect.properties.reasonString.map { ": \"\($0)\"" } ?? ""
        self.evidence.trace?.record(.received, "MQTT DISCONNECT, \(name)\(reason)")
        guard case .holding = self.machine.state else {
            if !self.evidence.decided {
                self.evidence.mqttCode = disconnect.code
                self.evidence.mqttReason = disconnect.properties.reasonString
                self.evidence.detail = "the server sent DISCONNECT (\(name)) instead of a CONNACK\(reason)"
            }
            let refusal =
                self.shared.settings.profile.mqtt.version == .v5
                ? MQTTRefusal(code: disconnect.code, version: .v5) : nil
            return self.perform(self.machine.failed(refusal.map(Outcome.mqttRefused) ?? .protocolError))
        }
        self.shared.collector.receive(.mqtt(.serverDisconnected(code: disconnect.code), atSecond: self.elapsed))
        self.channel?.close(promise: nil)
    }
}
