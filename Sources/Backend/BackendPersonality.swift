/// Which backend `fleetsim serve` behaves like when it judges a CONNECT (`--personality`): the
/// refusals each cloud makes after TLS, so CI can reproduce them without the cloud.
public enum BackendPersonality: String, Sendable, CaseIterable {
    /// A broker like Mosquitto 2: CONNACK 5 (v5: 0x87) for a client id that is not the certificate's.
    case mosquitto
    /// Azure IoT Hub: MQTT 3.1.1 only; client id = device id, user name
    /// `{hub}/{deviceId}/?api-version=…`; an unknown or disabled device completes TLS and gets
    /// CONNACK 5; a QoS 2 publish closes the connection.
    case azureIoTHub = "azure-iot-hub"
    /// AWS IoT Core: a policy denial on MQTT 3.1.1 closes the connection right after CONNECT with no
    /// CONNACK (v5: CONNACK 0x87); just-in-time registration closes a certificate's first connection.
    case awsIoTCore = "aws-iot-core"
}
