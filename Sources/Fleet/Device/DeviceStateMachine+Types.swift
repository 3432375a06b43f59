import FleetCore

/// The vocabulary of ``DeviceStateMachine``: the run's plan, the states, how a connection ended,
/// the timer the executor keeps armed, and the actions it performs.
extension DeviceStateMachine {
    /// What every device of a run does, made once per run from the profile and the run's flags.
    public struct Plan: Sendable, Equatable {
        public var mode: ProtocolMode = .tls
        /// `mqtt` mode: the version CONNACK codes are read in.
        public var mqttVersion: MQTTVersion = .v3_1_1
        public var policy = ReconnectPolicy()
        /// Connections per device in churn mode; 1 = no churn.
        public var connections = 1
        /// Seconds between a churn disconnect and the next connect (drawn from 0…pause with full jitter).
        public var pause: Double = 1
        /// Seconds each device stays connected once accepted; nil = disconnect right away.
        public var hold: Double?
        /// `tls` mode: silence for a quiet period after the handshake also accepts the device
        /// (TLS 1.3 servers that send no ticket); otherwise only the server's first record does.
        public var acceptsSilence = false

        public init() {}
    }

    public enum State: Sendable, Equatable {
        /// Not started yet.
        case idle
        /// TCP connect under way (the bootstrap's connect timeout bounds it).
        case connecting
        case handshaking
        /// TLS done; waiting for the server's verdict (ticket/data in `tls` mode, CONNACK in `mqtt`).
        case awaitingAccept
        /// Accepted; holding the connection (keep-alive, telemetry) until the hold ends.
        case holding
        /// The connection's verdict is in (or the device ended it); waiting for the channel to close.
        case closing(Ending)
        /// Between connections: retry backoff, reconnect backoff or churn pause.
        case waiting(ConnectionKind)
        /// The device's story is over.
        case done

        /// Whether a connection is open (or being opened, or closing): only then can events of a
        /// channel mean anything.
        public var hasConnection: Bool {
            switch self {
            case .connecting, .handshaking, .awaitingAccept, .holding, .closing: true
            case .idle, .waiting, .done: false
            }
        }
    }

    /// How a connection ended.
    public enum Ending: Sendable, Equatable {
        /// The server never accepted the device on this connection.
        case failed(Outcome)
        /// Accepted, and the device ended it (hold over, or no hold).
        case completed
        /// Accepted, and the server (or the network) ended it while the device was holding it.
        case lost
    }

    /// The one timer the executor keeps armed; arming replaces the previous one.
    public enum Timer: Sendable, Equatable {
        case handshake
        case accept
        /// `tls` mode with ``Plan/acceptsSilence``: no alert for this long after the handshake accepts.
        case quiet
        case hold(seconds: Double)
        /// Until the next connection (retry, reconnect or churn).
        case backoff(seconds: Double)
    }

    public enum Action: Sendable, Equatable {
        /// Open a new connection: TCP (with the profile's connect timeout), then TLS.
        case connect(ConnectionKind)
        case arm(Timer)
        /// MQTT CONNECT (`mqtt` mode, once TLS is done).
        case sendConnect
        /// Accepted: start keep-alive and telemetry for the hold.
        case startSession
        /// End the session politely (MQTT DISCONNECT, TLS close_notify) and close.
        case disconnect
        /// Close now (after a failure; pending alerts are flushed by the TLS layer).
        case close
        /// The server sent nothing after the handshake for the quiet period: the verdict that follows
        /// is acceptance by silence.
        case acceptedBySilence
        /// This connection's verdict, for the connection-level counts: every connection gets one.
        case recordConnection(Outcome, kind: ConnectionKind, recovering: Bool)
        /// An accepted connection is closed; `lost` when the server ended it during the hold.
        case recordClosed(lost: Bool)
        /// The device's outcome, exactly once, with the evidence of the current connection.
        case report(Outcome, connections: Int)
        /// Nothing follows: the device no longer counts as in flight.
        case finish
    }
}
