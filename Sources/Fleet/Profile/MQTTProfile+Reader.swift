import FleetCore

extension MQTTProfile {
    /// Reads the profile's `mqtt.*` keys this type holds; the caller has checked for unknown keys.
    mutating func apply(_ mqtt: [String: Any], reader: DeviceProfile.Reader) throws(DeviceProfile.LoadError) {
        if let v = mqtt["version"] {
            let text = "\(v)" == "5.0" ? "5" : "\(v)"
            guard let version = MQTTVersion(rawValue: text) else {
                throw reader.error("mqtt.version", "'\(v)' is not 3.1.1 or 5")
            }
            self.version = version
        }
        if let v = mqtt["client-id"] { self.clientID = try reader.template(v, "mqtt.client-id") }
        if let v = mqtt["username"] { self.username = try reader.template(v, "mqtt.username") }
        if let v = mqtt["subscribe"] { self.subscribe = try reader.template(v, "mqtt.subscribe") }
        if mqtt["password-env"] != nil && mqtt["password-file"] != nil {
            throw reader.error("mqtt.password-env", "and mqtt.password-file are exclusive: give one")
        }
        if let v = mqtt["password-env"] {
            let name = try reader.string(v, "mqtt.password-env")
            guard !name.isEmpty, !name.contains("=") else {
                throw reader.error("mqtt.password-env", "must name an environment variable")
            }
            self.password = .environment(name)
        }
        if let v = mqtt["password-file"] { self.password = .file(try reader.path(v, "mqtt.password-file")) }
        if let v = mqtt["session-expiry"] {
            let seconds = try reader.duration(v, "mqtt.session-expiry")
            self.sessionExpiry = UInt32(min(seconds.rounded(), Double(UInt32.max)))
        }
        if let v = mqtt["receive-maximum"] {
            self.receiveMaximum = UInt16(try reader.integer(v, "mqtt.receive-maximum", in: 1...65_535))
        }
    }
}
