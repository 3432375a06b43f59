/// What a device speaks over its TLS connection (`--protocol`), shared by the device side and `serve`.
public enum ProtocolMode: String, Sendable, Codable, CaseIterable {
    /// Handshake, wait for the server's first post-handshake record, close.
    case tls
    /// Handshake, MQTT CONNECT → CONNACK, optional telemetry, DISCONNECT.
    case mqtt
}
