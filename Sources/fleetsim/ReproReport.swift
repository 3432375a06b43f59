import Fleet
import FleetCore
import FleetTLS
import Foundation

/// What `repro` found, as data (`--json`, schema `fleetsim.repro/1`) and as text.
struct ReproReport: Codable {
    var schema = "fleetsim.repro/1"
    var device: String
    var target: String
    var `protocol`: String
    var accepted: Bool
    var outcome: String
    /// The alert the server sent (number) and its name.
    var alert: Int?
    var alertName: String?
    var alertSent: Int?
    var detail: String?
    /// The outcome in plain words: the server's answer joined with the lint of the device's certificate.
    var explanation: String
    var diagnosis: [String]
    var findings: [String]
    var offered: String
    var tls: String?
    var cipherSuite: String?
    /// The ALPN protocols the device offered, and the one the server selected (absent: none).
    var alpnOffered: [String]?
    var alpn: String?
    var resumed: Bool
    /// Whether the server asked for the device's certificate; `false`: mutual TLS was not tested.
    var clientCertificateRequested: Bool?
    /// The server's OCSP staple as the device judged it (`--ocsp staple|must-staple`).
    var ocspStaple: String?
    /// What the staple said, when the device could read it (TLS 1.2).
    var stapledOCSP: OCSPStapleFacts?
    var clock: Date?
    var presentedChain: [String]
    var serverChain: [ServerCertificateFacts]
    var latencyMs: [String: Double]
    var trace: [RunReport.TraceLine]
    var interrupted: Bool

    init(
        device: RunReport.Device,
        target: String,
        protocol: String,
        offered: String,
        alpnOffered: [String]? = nil,
        presentedChain: [String],
        interrupted: Bool
    ) {
        self.device = device.id
        self.target = target
        self.protocol = `protocol`
        self.accepted = device.outcome == Outcome.ok.identifier
        self.outcome = device.outcome
        self.alert = device.alert
        self.alertName = device.alert.map { TLSAlert(code: UInt8(clamping: $0)).description }
        self.alertSent = device.alertSent
        self.detail = device.detail
        self.diagnosis = device.diagnosis
        self.findings = device.explanation
        self.offered = offered
        self.tls = device.tls
        self.cipherSuite = device.cipherSuite
        self.alpnOffered = alpnOffered
        self.alpn = device.alpn
        self.resumed = device.resumed ?? false
        self.clientCertificateRequested = device.clientCertificateRequested
        self.ocspStaple = device.ocspStaple
        self.stapledOCSP = device.stapledOCSP
        self.clock = device.clock
        self.presentedChain = presentedChain
        self.serverChain = device.serverChain ?? []
        self.latencyMs = device.latencyMs
        self.trace = device.trace ?? []
        self.interrupted = interrupted
        self.explanation = Self.explain(device)
    }

    /// Joins what the server said with what the lint found, e.g. "the server answered
    /// certificate_expired (45): the certificate expired on 2021-01-01, 1,421 days before …".
    static func explain(_ device: RunReport.Device) -> String {
        let finding = device.explanation.first
        if device.outcome == Outcome.ok.identifier {
            return "the server accepted the device" + (finding.map { ", although: \($0)" } ?? "")
        }
        if let alert = device.alert {
            let name = TLSAlert(code: UInt8(clamping: alert)).description
            guard let finding else {
                return
                    "the server answered \(name), yet this device's certificate passes every check fleetsim makes against "
                    + "the CA and CRL it was given: look at the server's side (its trust store, CRL or authorization policy)"
            }
            return "the server answered \(name): \(finding)"
        }
        let what = device.detail ?? device.outcome
        return finding.map { "\(what); \($0)" } ?? what
    }

    var text: String {
        var lines = ["fleetsim repro \(self.device) → \(self.target) (\(self.protocol))"]
        lines.append(
            "  offered: TLS \(self.offered)" + (self.alpnOffered.map { ", ALPN \($0.joined(separator: ","))" } ?? "")
                + (self.clock.map { "; device clock \($0.formatted(.iso8601))" } ?? "")
        )
        if !self.presentedChain.isEmpty {
            lines.append("  the device presents:")
            for (depth, subject) in self.presentedChain.enumerated() { lines.append("    [\(depth)] \(subject)") }
        }
        lines.append("")
        lines.append("  trace (ms since the connection began)")
        let arrows = ["sent": "→", "received": "←", "local": "·"]
        for line in self.trace {
            lines.append(String(format: "    %8.2f  ", line.ms) + (arrows[line.direction] ?? " ") + "  " + line.text)
        }
        if !self.serverChain.isEmpty {
            lines.append("")
            lines.append("  the server presented (the device's verdict):")
            for certificate in self.serverChain {
                let dates = [certificate.notBefore, certificate.notAfter].compactMap { $0?.formatted(.iso8601) }.joined(
                    separator: " … "
                )
                lines.append("    [\(certificate.depth)] \(certificate.subject), issued by \(certificate.issuer)")
                lines.append("        valid \(dates): \(certificate.verdict)")
            }
        }
        lines.append("")
        if let tls, let cipherSuite {
            let alpn =
                self.alpn.map { ", ALPN \($0)" } ?? (self.alpnOffered != nil ? ", no ALPN protocol selected" : "")
            lines.append(
                "  negotiated: TLS \(tls), \(cipherSuite), \(self.resumed ? "resumed" : "full handshake")\(alpn)"
            )
            if self.clientCertificateRequested == false {
                lines.append("  mutual TLS: NOT tested — the server never asked for the device's certificate")
            }
        }
        if let ocspStaple {
            lines.append(
                "  OCSP staple: \(ocspStaple)" + (self.stapledOCSP.map { " — the response says \($0.summary)" } ?? "")
            )
        }
        var outcome = "  outcome: \(self.outcome)"
        if let alertName { outcome += " (received \(alertName))" }
        if let sent = self.alertSent { outcome += " (sent \(TLSAlert(code: UInt8(clamping: sent)).description))" }
        lines.append(outcome)
        if let detail, !self.accepted { lines.append("  detail: \(detail)") }
        lines.append("  why: \(self.explanation)")
        for (code, finding) in zip(self.diagnosis, self.findings) {
            lines.append("  diagnosis \(code): \(finding)")
        }
        return lines.joined(separator: "\n")
    }

    static func encode(_ report: ReproReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(report)
    }
}
