import FleetCore
import FleetMQTT
import FleetTLS
import Foundation
import NIOCore

/// What one connection showed, gathered while it runs, until the state machine says whose verdict
/// it is: the device's report and the connection's record are each made from it once.
struct ConnectionEvidence {
    /// What this connection's timings count from: the device's scheduled start (first connection)
    /// or the moment this connection started.
    let reference: NIODeadline
    /// The device offered a session from an earlier connection.
    let resumeOffered: Bool
    /// The device's own clock for this connection, if it is not real time.
    let clock: Date?
    /// `repro` only: every step of the connection.
    let trace: ConnectionTrace?
    var timings = ConnectionTimings()
    var handshake: TLSHandshakeInfo?
    var failure: TLSFailure?
    /// A sentence for a person when the failure is not a TLS one (network, MQTT).
    var detail: String?
    var mqttConnack: Double?
    /// The code and (v5) reason string of the CONNACK or DISCONNECT that refused the device.
    var mqttCode: UInt8?
    var mqttReason: String?
    /// When the TCP connect started, and how long it took: the round trip the quiet period scales with.
    let connectStarted = NIODeadline.now()
    var roundTrip: Double?
    /// The device was accepted because the server stayed silent after the handshake (no ticket).
    var acceptedBySilence = false
    /// The connection's verdict is in: what happens afterwards (a reset, a late alert) is not its evidence.
    var decided = false

    init(reference: NIODeadline, resumeOffered: Bool, clock: Date?, trace: ConnectionTrace?) {
        self.reference = reference
        self.resumeOffered = resumeOffered
        self.clock = clock
        self.trace = trace
    }

    /// Classifies an error of this connection and, before the verdict, keeps it as evidence.
    mutating func explain(_ error: any Error) -> Outcome {
        let outcome: Outcome
        let failure: TLSFailure?
        let detail: String?
        if let tls = error as? TLSFailure {
            (outcome, failure, detail) = (tls.outcome, tls, nil)
        } else if error is MQTTProtocolError || error is ByteToMessageDecoderError {
            (outcome, failure, detail) = (
                .protocolError, nil, "the server sent bytes that are not MQTT of the device's version (\(error))"
            )
        } else {
            let (mapped, text) = TransportFailure.outcome(for: error)
            (outcome, failure, detail) = (mapped, nil, text)
        }
        if !self.decided {
            if let failure { self.failure = failure }
            if let detail { self.detail = detail }
        }
        return outcome
    }

    /// The connection-level record of this connection's verdict.
    func record(_ outcome: Outcome, kind: ConnectionKind, recovering: Bool, decidedAt: Double) -> ConnectionRecord {
        ConnectionRecord(
            kind: kind,
            outcome: outcome,
            timings: self.timings,
            mqttConnack: self.mqttConnack,
            resumeOffered: self.resumeOffered,
            resumed: self.handshake?.resumed ?? false,
            acceptedBySilence: self.acceptedBySilence,
            negotiated: self.handshake.map { "TLS \($0.version?.rawValue ?? "?") \($0.cipherSuite ?? "?")" },
            alpn: self.handshake?.alpn,
            group: self.handshake?.group,
            clientCertificateRequested: self.handshake?.clientCertificateRequested,
            recovering: recovering,
            decidedAt: decidedAt
        )
    }

    /// The device's report, made once, when the state machine decides the device's outcome.
    func report(
        id: String,
        outcome: Outcome,
        connections: Int,
        scheduleLag: Double,
        decidedAt: Double,
        settings: RunSettings
    ) -> DeviceReport {
        var report = DeviceReport(
            id: id,
            outcome: outcome,
            detail: self.detail ?? self.failure?.detail ?? Self.defaultDetail(outcome, settings),
            failure: self.failure,
            timings: self.timings,
            scheduleLag: scheduleLag,
            decidedAt: decidedAt,
            tlsVersion: self.handshake?.version ?? self.failure?.version,
            cipherSuite: self.handshake?.cipherSuite,
            mqttConnack: self.mqttConnack
        )
        report.clock = self.clock
        report.connections = connections
        report.resumed = self.handshake?.resumed ?? false
        report.clientCertificateRequested = self.handshake?.clientCertificateRequested
        report.ocspStaple = self.handshake?.ocspStaple ?? self.failure.flatMap(OCSPStapleStatus.init(failure:))
        report.mqttCode = self.mqttCode
        report.mqttReason = self.mqttReason
        report.alpn = self.handshake?.alpn
        report.trace = self.trace?.events
        report.serverChain = self.trace?.serverChain
        report.stapledOCSP = self.trace?.stapledOCSP
        return report
    }

    static func defaultDetail(_ outcome: Outcome, _ settings: RunSettings) -> String? {
        let profile = settings.profile
        switch outcome {
        case .ok: return nil
        case .handshakeTimeout:
            return "the TLS handshake did not complete in \(DurationText.format(profile.handshakeTimeout))"
        case .acceptTimeout:
            return
                "the TLS handshake completed but no verdict (\(settings.mode == .mqtt ? "CONNACK" : "ticket or data")) came in "
                + DurationText.format(profile.acceptTimeout)
        case .closedByServer: return "the server closed the connection before a verdict"
        case .closedAfterConnect:
            return "the server accepted TLS and closed without CONNACK: an AWS IoT policy denial, an inactive or "
                + "just-in-time-registered certificate, or a client-id conflict"
        case .mqttRefused(let reason):
            return "CONNACK refused the device: \(reason.rawValue)"
        default: return nil
        }
    }
}
