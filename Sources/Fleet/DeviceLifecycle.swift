import FleetCore
import FleetMQTT

/// One device connection's lifecycle as a pure state machine: events in, actions out.
///
/// `idle → connecting → handshaking → awaiting-accept → session → closing → done`, with the
/// outcome decided exactly once (the first terminal event wins). Kept free of NIO so every path —
/// timeouts in each phase, a CONNACK refusal, a close before the verdict — is unit-tested without
/// sockets; ``DeviceSession`` executes the actions on the channel's event loop.
public struct DeviceLifecycle: Sendable {
    public enum Mode: String, Sendable, Codable {
        /// Handshake, wait for the server's first post-handshake record, close.
        case tls
        /// Handshake, MQTT CONNECT → CONNACK, optional telemetry, DISCONNECT.
        case mqtt
    }

    public enum State: Sendable, Equatable {
        case idle
        case connecting
        case handshaking
        /// TLS done; waiting for the server's verdict (ticket/data in `tls` mode, CONNACK in `mqtt`).
        case awaitingAccept
        /// Accepted; holding the connection (keep-alive, telemetry) until the hold ends.
        case session
        case closing
        case done
    }

    public enum Event: Sendable, Equatable {
        case start
        case tcpConnected
        case handshakeCompleted
        /// The TLS layer's acceptance signal (TLS 1.3 ticket, or TLS 1.2 handshake done).
        case tlsAccepted
        case connack(returnCode: UInt8)
        case failed(Outcome)
        /// The phase's deadline passed.
        case deadline
        case closed
    }

    public enum Timer: Sendable, Equatable {
        case connect, handshake, accept, hold
    }

    public enum Action: Sendable, Equatable {
        case connect
        case arm(Timer)
        case sendConnect
        /// Accepted: start keep-alive and telemetry for the hold.
        case startSession
        /// End the session politely (MQTT DISCONNECT, TLS close_notify) and close.
        case disconnect
        /// Close now (after a failure; pending alerts are flushed by the TLS layer).
        case close
        /// The device's outcome, reported exactly once.
        case report(Outcome)
        /// The server ended an accepted connection while the device was holding it.
        case lost
    }

    public let mode: Mode
    /// Whether to stay connected after acceptance (`--hold`).
    public let holds: Bool
    public private(set) var state: State = .idle
    public private(set) var outcome: Outcome?

    public init(mode: Mode, holds: Bool) {
        self.mode = mode
        self.holds = holds
    }

    public mutating func handle(_ event: Event) -> [Action] {
        switch (self.state, event) {
        case (.idle, .start):
            self.state = .connecting
            return [.connect, .arm(.connect)]
        case (.connecting, .tcpConnected):
            self.state = .handshaking
            return [.arm(.handshake)]
        case (.handshaking, .handshakeCompleted):
            self.state = .awaitingAccept
            return self.mode == .mqtt ? [.sendConnect, .arm(.accept)] : [.arm(.accept)]
        case (.handshaking, .tlsAccepted), (.awaitingAccept, .tlsAccepted):
            // `tls` mode: this is the verdict. `mqtt` mode: the CONNACK is.
            return self.mode == .tls ? self.accept() : []
        case (.awaitingAccept, .connack(let code)):
            guard code == 0 else {
                let reason = MQTTRefusal(returnCode: code)
                return self.fail(reason.map(Outcome.mqttRefused) ?? .protocolError)
            }
            return self.accept()
        case (.session, .deadline):
            self.state = .closing
            return [.disconnect]
        case (.connecting, .deadline):
            return self.fail(.tcpTimeout)
        case (.handshaking, .deadline):
            return self.fail(.handshakeTimeout)
        case (.awaitingAccept, .deadline):
            return self.fail(.acceptTimeout)
        case (.connecting, .failed(let outcome)), (.handshaking, .failed(let outcome)),
            (.awaitingAccept, .failed(let outcome)):
            return self.fail(outcome)
        case (.connecting, .closed), (.handshaking, .closed), (.awaitingAccept, .closed):
            return self.fail(.closedByServer)
        case (.session, .closed):
            self.state = .done
            return [.lost]
        case (.closing, .closed):
            self.state = .done
            return []
        case (.session, .failed), (.closing, .failed), (.closing, .deadline), (.done, _):
            // Decided already: later failures (a reset during the hold, a late alert) do not
            // rewrite an outcome.
            return []
        default:
            return []
        }
    }

    private mutating func accept() -> [Action] {
        self.outcome = .ok
        if self.holds {
            self.state = .session
            return [.report(.ok), .startSession, .arm(.hold)]
        }
        self.state = .closing
        return [.report(.ok), .disconnect]
    }

    private mutating func fail(_ outcome: Outcome) -> [Action] {
        self.outcome = outcome
        self.state = .done
        return [.report(outcome), .close]
    }
}
