import FleetMQTT
import FleetTLS
import NIOCore

/// What an accepted MQTT device does while it holds its connection: its subscription, keep-alive and
/// telemetry.
extension DeviceAgent {
    /// The hold begins: the idle session gives back memory; then MQTT keep-alive (PINGREQ) and
    /// telemetry.
    func startSession() {
        guard let channel = self.channel else { return }
        (try? channel.pipeline.syncOperations.handler(type: TLSHandler.self))?.releaseIdleMemory()
        guard self.shared.settings.mode == .mqtt else { return }
        let profile = self.shared.settings.profile
        let me = NIOLoopBound(self, eventLoop: self.eventLoop)
        if profile.keepAlive > 0 {
            let interval = TimeAmount.seconds(profile.keepAlive)
            self.periodic.append(
                self.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) {
                    [version = profile.mqtt.version] _ in
                    DeviceAgent.send(.pingreq, on: channel, version: version)
                }
            )
        }
        if let topic = self.names.subscribe {
            self.evidence.trace?.record(.sent, "MQTT SUBSCRIBE \(topic), QoS \(profile.qos)")
            self.send(
                .subscribe(.init(packetID: self.nextPacketID(), filters: [.init(topic: topic, qos: profile.qos)]))
            )
        }
        guard let interval = profile.publishInterval else { return }
        self.publish()
        if interval > 0 {
            let amount = TimeAmount.seconds(interval)
            self.periodic.append(
                self.eventLoop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { _ in
                    me.value.publish()
                }
            )
        }
    }

    func publish() {
        guard let channel = self.channel else { return }
        let profile = self.shared.settings.profile
        let id = self.nextPacketID()
        let payload =
            self.payload ?? channel.allocator.buffer(repeating: UInt8(ascii: "x"), count: profile.payloadBytes)
        self.payload = payload
        let packet = MQTTPacket.Publish(
            topic: self.names.topic,
            payload: payload,
            qos: profile.qos,
            packetID: profile.qos > 0 ? id : nil
        )
        // A broker that never acknowledges must not grow this without bound.
        if profile.qos > 0 && self.unacknowledged.count < Self.maximumUnacknowledged {
            self.unacknowledged[id] = .now()
        }
        self.send(.publish(packet))
        self.shared.collector.receive(.mqtt(.published, atSecond: self.elapsed))
    }

    /// QoS 1 publishes whose send time is kept for their PUBACK's latency.
    static let maximumUnacknowledged = 1024

    /// The next MQTT packet id (1…65535, never 0).
    func nextPacketID() -> UInt16 {
        self.packetID = self.packetID &+ 1 == 0 ? 1 : self.packetID &+ 1
        return self.packetID
    }
}
