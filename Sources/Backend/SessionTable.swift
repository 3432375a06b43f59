import NIOConcurrencyHelpers
import NIOCore

/// The MQTT sessions open on the backend, by client id: a second connection with the same client id
/// takes the session over and the first is disconnected, as Mosquitto, IoT Hub and AWS IoT Core all
/// do (v5: DISCONNECT 0x8E, session taken over).
///
/// **Thread-safety:** one lock; touched at CONNECT and at close.
public final class SessionTable: Sendable {
    struct Entry {
        let channel: any Channel
        let token: ObjectIdentifier
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    public init() {}

    /// `channel` now holds `clientID`'s session; the previous holder, if any, is told to go.
    func claim(_ clientID: String, channel: any Channel, token: ObjectIdentifier) {
        let previous = self.entries.withLockedValue { entries in
            let previous = entries[clientID]
            entries[clientID] = Entry(channel: channel, token: token)
            return previous
        }
        guard let previous, previous.token != token else { return }
        previous.channel.pipeline.fireUserInboundEventTriggered(SessionTakenOver(clientID: clientID))
    }

    /// The session of `token` ended; a newer holder of the client id keeps it.
    func release(_ clientID: String, token: ObjectIdentifier) {
        self.entries.withLockedValue { entries in
            if entries[clientID]?.token == token { entries[clientID] = nil }
        }
    }

    var count: Int { self.entries.withLockedValue(\.count) }
}

/// Fired into a session's pipeline when another connection took its client id.
struct SessionTakenOver: Sendable {
    let clientID: String
}
