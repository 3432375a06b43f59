/// What a device tells the ``RunCollector``, one way: the collector never answers, and nothing it
/// holds is patched afterwards. Every device sends `started` once, then per connection `attempted`
/// and `connectionDecided` (and `connectionClosed` for an accepted one), `decided` once with its
/// outcome, and `finished` last.
enum DeviceEvent: Sendable {
    /// The device was admitted at its scheduled second of the run.
    case started(atSecond: Double)
    /// A connection is being attempted, `atSecond` seconds into the run.
    case attempted(ConnectionKind, atSecond: Double)
    /// A connection's verdict is in.
    case connectionDecided(ConnectionRecord)
    /// An accepted connection closed; `lost` if the server ended it during the hold.
    case connectionClosed(lost: Bool, atSecond: Double)
    /// MQTT traffic of an accepted connection, `atSecond` seconds into the run.
    case mqtt(MQTTActivity, atSecond: Double)
    /// The device's outcome, decided once.
    case decided(DeviceReport)
    /// The device's story is over: no connection open, none planned.
    case finished
}
