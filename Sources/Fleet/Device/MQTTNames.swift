import FleetTLS

/// One device's MQTT names, rendered once from the profile's templates: the client id, user name,
/// telemetry topic and subscription. The certificate subject is parsed only if a template needs it.
struct MQTTNames {
    let clientID: String
    let username: String?
    let topic: String
    let subscribe: String?

    init(id: String, identity: DeviceIdentity?, profile: DeviceProfile) {
        let templates =
            [profile.mqtt.clientID, profile.topic] + [profile.mqtt.username, profile.mqtt.subscribe].compactMap { $0 }
        let subject = templates.contains(where: \.needsCertificate) ? identity?.subject : nil
        self.clientID = profile.mqtt.clientID.render(id: id, subject: subject)
        self.username = profile.mqtt.username?.render(id: id, subject: subject)
        self.topic = profile.topic.render(id: id, subject: subject)
        self.subscribe = profile.mqtt.subscribe?.render(id: id, subject: subject)
    }
}
