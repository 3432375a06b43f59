import FleetCore
import FleetPKI

/// Which failures a device's certificate can explain, and which finding explains the server's
/// alert first. A certificate diagnosis attached to a refused TCP connection or a timeout would be
/// a wrong explanation, and a wrong explanation is worse than none.
public enum DiagnosisRelevance {
    /// Whether the lint of the device's certificate can explain `outcome`: a verdict of the server
    /// on the device (an alert, a CONNACK refusal, a close after the handshake) or the device's own
    /// unusable identity — not `no_application_protocol`, a verdict on the ALPN offer. Network failures, timeouts and the device's refusal of the server cannot.
    public static func explains(_ outcome: Outcome, handshakeCompleted: Bool) -> Bool {
        switch outcome {
        // ALPN is judged on the ClientHello, before the device has sent its certificate.
        case .rejected(.noApplicationProtocol): return false
        case .rejected, .identityInvalid: return true
        case .mqttRefused(let reason):
            return reason == .badCredentials || reason == .notAuthorized || reason == .identifierRejected
        case .closedByServer: return handshakeCompleted
        case .closedAfterConnect: return true
        default: return false
        }
    }

    /// The diagnosis codes that explain a server's `alert`, most likely first (the answers of
    /// OpenSSL- and wolfSSL-based servers, DESIGN.md §2).
    public static func codes(explaining alert: TLSAlert) -> [DiagnosisCode] {
        switch alert {
        case .certificateExpired: [.expired]
        // wolfSSL-based backends answer 42 to every refusal of their own policy, OCSP's included.
        case .badCertificate:
            [
                .notYetValid, .missingClientAuthEKU, .keyMismatch, .weakSignature, .weakKey, .missingDigitalSignature,
                .revoked, .ocspUnknown, .ocspUnavailable,
            ]
        case .unsupportedCertificate: [.missingClientAuthEKU, .missingDigitalSignature, .caCertificate]
        case .certificateRevoked: [.revoked]
        case .unknownCA: [.untrustedIssuer, .incompleteChain, .selfSigned]
        case .certificateUnknown:
            [.untrustedIssuer, .incompleteChain, .revoked, .ocspUnknown, .ocspUnavailable, .weakSignature, .weakKey]
        case .insufficientSecurity: [.weakKey, .weakSignature]
        case .accessDenied: [.noDeviceID]
        default: []
        }
    }

    /// `findings` with those that explain `alert` first, in the order of ``codes(explaining:)``;
    /// the rest keep their order.
    public static func ordered(_ findings: [(code: String, message: String)], alert: TLSAlert?) -> [(
        code: String, message: String
    )] {
        guard let alert else { return findings }
        let ranking = Self.codes(explaining: alert).map(\.rawValue)
        let matching = ranking.flatMap { code in findings.filter { $0.code == code } }
        return matching + findings.filter { !ranking.contains($0.code) }
    }
}
