import FleetCore
import FleetTLS
import Foundation

/// How one device of a run ended, with the evidence and its timings (seconds from its scheduled start).
public struct DeviceReport: Sendable {
    public var id: String
    public var outcome: Outcome
    public var detail: String?
    public var failure: TLSFailure?
    public var timings: ConnectionTimings
    /// Seconds from the scheduled start to the connect call (the open model's schedule lag).
    public var scheduleLag: Double
    /// Seconds from the run's start to the verdict.
    public var decidedAt: Double
    public var tlsVersion: TLSVersion?
    public var cipherSuite: String?
    /// The application protocol ALPN negotiated; nil when none was.
    public var alpn: String?
    /// Time from the scheduled start to CONNACK (MQTT mode).
    public var mqttConnack: Double?
    /// What the device's own clock read when it connected, if it is not real time.
    public var clock: Date?
    /// Connections the device made (more than one with retries, reconnects or churn).
    public var connections = 1
    /// The session was resumed (no certificates exchanged).
    public var resumed = false
    /// Whether the server asked for a client certificate; `false`: mutual TLS was not tested.
    public var clientCertificateRequested: Bool?
    /// The server's OCSP staple as the device judged it (`--ocsp staple|must-staple`); nil when
    /// the device asked for none, resumed, or failed for another reason.
    public var ocspStaple: OCSPStapleStatus?
    /// MQTT: the refusing CONNACK's (or v5 DISCONNECT's) code and reason string.
    public var mqttCode: UInt8?
    public var mqttReason: String?
    /// `repro` only: every step of the connection, and the server's chain as the device judged it.
    public var trace: [TraceEvent]?
    public var serverChain: [ServerCertificateFacts]?
    /// `repro`: the staple the server sent, as read (TLS 1.2).
    public var stapledOCSP: OCSPStapleFacts?

    public init(
        id: String,
        outcome: Outcome,
        detail: String?,
        failure: TLSFailure? = nil,
        timings: ConnectionTimings = ConnectionTimings(),
        scheduleLag: Double,
        decidedAt: Double,
        tlsVersion: TLSVersion? = nil,
        cipherSuite: String? = nil,
        mqttConnack: Double? = nil
    ) {
        self.id = id
        self.outcome = outcome
        self.detail = detail
        self.failure = failure
        self.timings = timings
        self.scheduleLag = scheduleLag
        self.decidedAt = decidedAt
        self.tlsVersion = tlsVersion
        self.cipherSuite = cipherSuite
        self.mqttConnack = mqttConnack
    }
}
